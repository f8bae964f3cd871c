//! Property tests of diff + encoder + client: for random sequences of states of the
//! `templates/diff/` templates, a client that applies the first frame's whole tree and then each
//! update ends up with exactly the server's HTML after every step, for both client kinds.
//!
//! Lists move through realistic steps (fresh contents, shuffles, reversals, moves to either
//! end, inserts, removes, edits of items' fields or keys, emptying and refilling) over a small
//! key alphabet, so keys repeat, go empty and collide. Each case runs its sequence of 3 to 6
//! states through both [`ClientKind`]s. `PROPTEST_CASES` overrides the number of cases.

mod diff_templates;

use std::fmt::Debug;

use livetemplate::LiveTemplate;
use livetemplate::testing::ClientTree;
use livetemplate::wire::ClientKind;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

use diff_templates::{
    Counter, Entry, ForElse, Group, MatchArms, NestedIf, NestedList, Row, Rows, Todo, Todos,
    Unkeyed, View, frames, replay,
};

/// Cases per test; 7 sequence tests × 2,000 = 14,000 sequences, each for both clients.
const CASES: u32 = 2_000;

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const BOTH: [ClientKind; 2] = [ClientKind::Livetemplate, ClientKind::Legacy];

/// Runs the states through diff, the encoder and a [`ClientTree`] of each kind.
fn check<T: LiveTemplate + Debug>(states: &[T]) -> Result<(), TestCaseError> {
    check_for(&BOTH, states)
}

/// [`check`] for some client kinds.
fn check_for<T: LiveTemplate + Debug>(
    clients: &[ClientKind],
    states: &[T],
) -> Result<(), TestCaseError> {
    for &client in clients {
        let frames = frames(client, states).map_err(TestCaseError::fail)?;
        replay(client, &frames)
            .map_err(|err| TestCaseError::fail(format!("{err}states: {states:#?}")))?;
    }
    Ok(())
}

// ---- values ------------------------------------------------------------------------------

const WORDS: &[&str] = &["milk", "eggs", "<b>", "a & b", "", "\"q\"", "pear", "ünï"];

fn word(seed: u32) -> String {
    WORDS[seed as usize % WORDS.len()].to_owned()
}

/// Short text with HTML specials and unicode; never `{{…}}` (see `legacy_blanks_braces`).
fn text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        1 => Just(String::new()),
        3 => "[a-c]{1,2}",
        2 => "[a-z <>&\"']{1,8}",
        1 => "[é🦀ß]{1,2}",
    ]
}

/// Keys from a small alphabet: repeats and empty keys are common.
fn key() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        1 => Just(String::new()),
        6 => "[a-f]",
        1 => "[a-c]{2}",
        1 => Just("a&b".to_owned()),
    ]
}

fn todo() -> impl Strategy<Value = Todo> + Clone {
    (
        key(),
        text(),
        any::<bool>(),
        prop_oneof![3 => Just(String::new()), 1 => text()],
    )
        .prop_map(|(key, title, done, note)| Todo {
            key,
            title,
            done,
            note,
        })
}

fn row() -> impl Strategy<Value = Row> + Clone {
    (0u8..8, text(), 0u32..3).prop_map(|(id, name, n)| Row { id, name, n })
}

fn entry() -> impl Strategy<Value = Entry> + Clone {
    (0u8..6, text()).prop_map(|(id, label)| Entry { id, label })
}

fn group() -> impl Strategy<Value = Group> + Clone {
    (
        0u8..5,
        text(),
        prop::collection::vec(entry(), 0..4),
        prop::collection::vec(text(), 0..3),
    )
        .prop_map(|(id, name, items, tags)| Group {
            id,
            name,
            items,
            tags,
        })
}

// ---- list steps --------------------------------------------------------------------------

/// A change of a list's items from one state to the next.
#[derive(Debug, Clone)]
enum Step<T> {
    Fresh(Vec<T>),
    Shuffle(u64),
    Reverse,
    MoveToTop(usize),
    MoveToBottom(usize),
    Remove(usize),
    Insert(usize, T),
    Edit(usize, u32),
    Clear,
    Same,
}

/// An item whose fields (or key) a step can change.
trait Edit {
    fn edit(&mut self, seed: u32);
}

impl Edit for Todo {
    fn edit(&mut self, seed: u32) {
        match seed % 5 {
            0 => self.title = word(seed / 5),
            1 => self.done = !self.done,
            2 => {
                self.note = if self.note.is_empty() {
                    word(seed / 5)
                } else {
                    String::new()
                }
            }
            3 => self.key = ["a", "b", "", "g"][(seed / 5) as usize % 4].to_owned(),
            _ => {
                self.title = word(seed / 5);
                self.done = !self.done;
            }
        }
    }
}

impl Edit for Row {
    fn edit(&mut self, seed: u32) {
        match seed % 3 {
            0 => self.name = word(seed / 3),
            1 => self.n += 1,
            _ => self.id = (seed / 3 % 8) as u8,
        }
    }
}

impl Edit for String {
    fn edit(&mut self, seed: u32) {
        *self = word(seed);
    }
}

impl Edit for Group {
    fn edit(&mut self, seed: u32) {
        let next = seed / 7;
        match seed % 7 {
            0 => shuffle(&mut self.items, u64::from(next)),
            1 if !self.items.is_empty() => {
                self.items.remove(next as usize % self.items.len());
            }
            2 => {
                let at = next as usize % (self.items.len() + 1);
                self.items.insert(
                    at,
                    Entry {
                        id: (next % 6) as u8,
                        label: word(next),
                    },
                );
            }
            3 => self.name = word(next),
            4 => {
                if self.tags.len() > 2 {
                    self.tags.clear();
                } else {
                    self.tags.push(word(next));
                }
            }
            5 => self.items.reverse(),
            _ => {
                if let Some(item) = self.items.first_mut() {
                    item.label = word(next);
                }
            }
        }
    }
}

/// Fisher–Yates with a xorshift generator.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

fn apply_step<T: Clone + Edit>(items: &mut Vec<T>, step: &Step<T>) {
    let len = items.len();
    match step {
        Step::Fresh(fresh) => *items = fresh.clone(),
        Step::Shuffle(seed) => shuffle(items, *seed),
        Step::Reverse => items.reverse(),
        Step::MoveToTop(at) if len > 0 => {
            let item = items.remove(at % len);
            items.insert(0, item);
        }
        Step::MoveToBottom(at) if len > 0 => {
            let item = items.remove(at % len);
            items.push(item);
        }
        Step::Remove(at) if len > 0 => {
            items.remove(at % len);
        }
        Step::Insert(at, item) => items.insert(at % (len + 1), item.clone()),
        Step::Edit(at, seed) if len > 0 => items[at % len].edit(*seed),
        Step::Clear => items.clear(),
        _ => {}
    }
}

fn step<T: Clone + Debug>(
    item: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Step<T>> {
    prop_oneof![
        3 => prop::collection::vec(item.clone(), 0..7).prop_map(Step::Fresh),
        2 => any::<u64>().prop_map(Step::Shuffle),
        1 => Just(Step::Reverse),
        2 => any::<usize>().prop_map(Step::MoveToTop),
        1 => any::<usize>().prop_map(Step::MoveToBottom),
        2 => any::<usize>().prop_map(Step::Remove),
        2 => (any::<usize>(), item).prop_map(|(at, item)| Step::Insert(at, item)),
        3 => (any::<usize>(), any::<u32>()).prop_map(|(at, seed)| Step::Edit(at, seed)),
        1 => Just(Step::Clear),
        1 => Just(Step::Same),
    ]
}

/// 3 to 6 states of a list: a random start, then 2 to 5 steps.
fn list_states<T: Clone + Debug + Edit>(
    item: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Vec<Vec<T>>> {
    (
        prop::collection::vec(item.clone(), 0..7),
        prop::collection::vec(step(item), 2..=5),
    )
        .prop_map(|(first, steps)| {
            let mut states = vec![first];
            for step in &steps {
                let mut next = states.last().cloned().unwrap_or_default();
                apply_step(&mut next, step);
                states.push(next);
            }
            states
        })
}

// ---- other states ------------------------------------------------------------------------

fn nested_if() -> impl Strategy<Value = NestedIf> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        "[xy<]",
        0u32..3,
    )
        .prop_map(|(a, b, c, text, n)| NestedIf { a, b, c, text, n })
}

fn view() -> impl Strategy<Value = View> {
    prop_oneof![
        1 => Just(View::Empty),
        1 => text().prop_map(View::One),
        3 => prop::collection::vec(todo(), 0..5).prop_map(View::Many),
        2 => prop::collection::vec(todo(), 0..4).prop_map(View::Boxed),
    ]
}

fn counter() -> impl Strategy<Value = Counter> {
    ("[AB]", -2i64..3).prop_map(|(title, count)| Counter { title, count })
}

// ---- the properties ----------------------------------------------------------------------

proptest! {
    #![proptest_config(config(CASES))]

    /// `data-key="{{ t.key }}"` items whose fields, `if`s and keys change.
    #[test]
    fn keyed_list(states in list_states(todo())) {
        let states: Vec<Todos> = states.into_iter().map(|todos| Todos { todos }).collect();
        check(&states)?;
    }

    /// Keys from `id="row-{{ r.id }}"`.
    #[test]
    fn id_keyed_list(states in list_states(row())) {
        let states: Vec<Rows> = states.into_iter().map(|rows| Rows { rows }).collect();
        check(&states)?;
    }

    /// Items without keys, matched by position.
    #[test]
    fn unkeyed_list(states in list_states(text())) {
        let states: Vec<Unkeyed> = states.into_iter().map(|words| Unkeyed { words }).collect();
        check(&states)?;
    }

    /// Keyed lists and unkeyed lists inside keyed list items.
    #[test]
    fn list_in_list(states in list_states(group())) {
        let states: Vec<NestedList> =
            states.into_iter().map(|groups| NestedList { groups }).collect();
        check(&states)?;
    }

    /// `for … else`: the list node and the `else` node replace each other.
    #[test]
    fn for_else(states in list_states(todo())) {
        let states: Vec<ForElse> = states.into_iter().map(|todos| ForElse { todos }).collect();
        check(&states)?;
    }

    /// Three levels of `if` flipping and flipping back, and a counter.
    #[test]
    fn nested_conditionals(
        states in prop::collection::vec(nested_if(), 3..=6),
        counters in prop::collection::vec(counter(), 3..=6),
    ) {
        check(&states)?;
        check(&counters)?;
    }

    /// `match` arms holding text, a list, and a list inside an `if` (including a list that
    /// becomes a node holding a list; see `legacy_list_becomes_node_holding_list`).
    #[test]
    fn match_arms(states in prop::collection::vec(view(), 3..=6)) {
        let states: Vec<MatchArms> = states.into_iter().map(|view| MatchArms { view }).collect();
        check_for(&BOTH, &states)?;
    }
}

/// Long lists with one or two changes, where the diff skips the items the two renders share
/// at their start and at their end in bulk: changes of the same length at either end or in
/// the middle, changes of length before an equal-length change, a changed item whose key
/// repeats an earlier one, and items without keys.
#[test]
fn long_lists_with_few_changes() {
    let base: Vec<Todo> = (0..300)
        .map(|i| Todo::new(&format!("k{i:03}"), &format!("title-{i:03}")))
        .collect();
    let mut states = vec![base];
    let mut push = |change: &dyn Fn(&mut Vec<Todo>)| {
        let mut next = states.last().expect("a state").clone();
        change(&mut next);
        states.push(next);
    };
    push(&|t| t[150].done = true);
    push(&|t| t[0].title = "TITLE-000".to_owned());
    push(&|t| t[299].title = "TITLE-299".to_owned());
    push(&|t| {
        t[10].title = "TITLE-010".to_owned();
        t[290].title = "TITLE-290".to_owned();
    });
    push(&|_| {});
    push(&|t| t[100].note = "a note".to_owned());
    push(&|t| {
        t[50].title = "a longer title".to_owned();
        t[250].title = "TITLE-250".to_owned();
    });
    push(&|t| t[250].key = "k005".to_owned());
    push(&|t| t[250].done = true);
    push(&|t| t[5].done = true);
    push(&|t| {
        t[120].key = String::new();
        t[121].key = String::new();
    });
    push(&|t| t[121].done = true);
    push(&|t| t[299].note = "last".to_owned());
    push(&|t| t[0].note = "first".to_owned());
    let states: Vec<Todos> = states.into_iter().map(|todos| Todos { todos }).collect();
    check(&states).expect("client matches the server after every step");
}

// ---- the client never panics -------------------------------------------------------------

/// JSON built from the wire format's own keys and ops, nested a few levels.
fn wire_like_json() -> impl Strategy<Value = Value> {
    let word = prop::sample::select(vec![
        "s", "f", "d", "m", "_k", "idKey", "r", "u", "i", "a", "p", "o", "0", "1", "2", "x", "",
        "{{x}}", "<root>",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-2i64..5).prop_map(Value::from),
        word.clone().prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 48, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(word.clone().prop_map(str::to_owned), inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config(1_000))]

    /// Arbitrary frames after a real first tree: errors are fine, panics and hangs are not.
    #[test]
    fn client_survives_arbitrary_frames(
        frames in prop::collection::vec(wire_like_json(), 1..4),
        first in prop::collection::vec(todo(), 0..4),
    ) {
        for client in [ClientKind::Livetemplate, ClientKind::Legacy] {
            let mut tree = ClientTree::new(client);
            let mut encoder = livetemplate::wire::Encoder::new(client);
            let first = LiveTemplate::render_tree(&Todos { todos: first.clone() })
                .map_err(|err| TestCaseError::fail(err.to_string()))?;
            prop_assert!(tree.apply(&encoder.tree(&first)).is_ok());
            for frame in &frames {
                let _ = tree.apply(&frame.to_string());
                let _ = tree.html();
            }
        }
    }
}

/// The existing client renders a text slot that starts with `{{` and ends with `}}` as
/// nothing; our client shows it.
#[test]
fn legacy_blanks_braces() {
    let states = [
        Unkeyed {
            words: vec!["a".to_owned()],
        },
        Unkeyed {
            words: vec!["{{ a }}".to_owned()],
        },
    ];
    let ours = frames(ClientKind::Livetemplate, &states).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(replay(ClientKind::Livetemplate, &ours), Ok(()));
    let legacy = frames(ClientKind::Legacy, &states).unwrap_or_else(|err| panic!("{err}"));
    assert!(replay(ClientKind::Legacy, &legacy).is_err());
}

/// A slot whose list becomes a node holding a list: `@livetemplate/client` 0.25 deep-merges
/// the node into the list (its `shouldFullReplace` sees a list on both sides and no slot
/// missing), so without care the old `"d"` survives and still renders as the old list. The
/// legacy encoder marks replacing nodes with `"d":null`, which this test keeps honest.
#[test]
fn legacy_list_becomes_node_holding_list() {
    let states = [
        MatchArms {
            view: View::Many(vec![Todo::new("a", "A")]),
        },
        MatchArms {
            view: View::Boxed(vec![Todo::new("b", "B"), Todo::new("c", "C")]),
        },
    ];
    let legacy = frames(ClientKind::Legacy, &states).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(replay(ClientKind::Legacy, &legacy), Ok(()));
}

/// The generators reach every list operation, synthetic keys and cached statics: 300
/// deterministic keyed-list and nested-list sequences, counted in our client's frames.
#[test]
fn generators_reach_every_operation() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    let mut count = |frames: &[String]| {
        for frame in frames {
            let value: serde_json::Value =
                serde_json::from_str(frame).unwrap_or_else(|err| panic!("{err}: {frame}"));
            tally(&value, &mut seen);
        }
    };
    for _ in 0..150 {
        let Ok(tree) = list_states(todo()).new_tree(&mut runner) else {
            panic!("no value");
        };
        let states: Vec<Todos> = tree
            .current()
            .into_iter()
            .map(|todos| Todos { todos })
            .collect();
        let out = frames(ClientKind::Livetemplate, &states).unwrap_or_else(|err| panic!("{err}"));
        count(&out.frames);
        let Ok(tree) = list_states(group()).new_tree(&mut runner) else {
            panic!("no value");
        };
        let states: Vec<NestedList> = tree
            .current()
            .into_iter()
            .map(|groups| NestedList { groups })
            .collect();
        let out = frames(ClientKind::Livetemplate, &states).unwrap_or_else(|err| panic!("{err}"));
        count(&out.frames);
    }
    println!("{seen:?}");
    for (name, n) in &seen {
        assert!(*n > 0, "no {name} in 300 sequences: {seen:?}");
    }
}

/// Counts, in one of our client's trees (short forms), each list operation by code, made-up
/// item keys (`_k`), and nodes named by a cached statics id (`[id, slots…]`).
fn tally(value: &serde_json::Value, seen: &mut std::collections::BTreeMap<&'static str, usize>) {
    use serde_json::Value;
    const OPS: [&str; 6] = ["remove", "update", "insert", "append", "prepend", "reorder"];
    match value {
        // List operations: `[[code, args…], …]`.
        Value::Array(ops) if ops.first().is_some_and(Value::is_array) => {
            for op in ops {
                let Some((code, args)) = op.as_array().and_then(|op| op.split_first()) else {
                    continue;
                };
                let code = code.as_u64().and_then(|code| OPS.get(code as usize));
                let Some(&name) = code else { continue };
                *seen.entry(name).or_default() += 1;
                let values: &[Value] = match name {
                    "update" | "insert" => args.get(1..).unwrap_or_default(),
                    "append" | "prepend" => args,
                    _ => &[],
                };
                for value in values {
                    item(value, seen);
                }
            }
        }
        // A node in short form: `[id, slots…]`.
        Value::Array(node) => {
            *seen.entry("cached statics").or_default() += 1;
            for slot in node.iter().skip(1) {
                tally(slot, seen);
            }
        }
        Value::Object(object) => {
            if object.contains_key("_k") {
                *seen.entry("synthetic key").or_default() += 1;
            }
            for (key, value) in object {
                match key.as_str() {
                    "d" => value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .for_each(|v| item(v, seen)),
                    "s" | "f" | "m" | "_k" => {}
                    _ => tally(value, seen),
                }
            }
        }
        _ => {}
    }

    /// A list item: positional slots, or an object of slots.
    fn item(value: &serde_json::Value, seen: &mut std::collections::BTreeMap<&'static str, usize>) {
        match value {
            serde_json::Value::Array(slots) => slots.iter().for_each(|slot| tally(slot, seen)),
            other => tally(other, seen),
        }
    }
}
