//! Golden wire files: `testdata/wire/*.json` at the workspace root, shared with the JavaScript
//! client's tests.
//!
//! Each file is `{"name", "client", "frames", "html"}`: the `"tree"` value of each frame one
//! connection receives for a sequence of states of a `templates/diff/` template (the first
//! frame's whole tree, then updates), and the page's HTML after each frame. The files are
//! generated from real renders through [`Encoder`](livetemplate::wire::Encoder) and
//! [`diff`](livetemplate::diff::diff).
//!
//! `golden_files_are_current` checks that the files match what the encoder writes today; run
//! with `LIVETEMPLATE_BLESS=1` to rewrite them. `client_tree_reproduces_golden_html` replays
//! every file through [`ClientTree`] and checks each HTML.

mod diff_templates;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use livetemplate::LiveTemplate;
use livetemplate::testing::ClientTree;
use livetemplate::wire::ClientKind;
use serde_json::Value;

use diff_templates::{
    Counter, Entry, ForElse, Group, MatchArms, NestedIf, NestedList, Row, Rows, Todo, Todos,
    Unkeyed, View, frames, replay,
};

/// One golden file before it is written.
struct Golden {
    name: &'static str,
    client: ClientKind,
    frames: Vec<String>,
    html: Vec<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("testdata")
        .join("wire")
}

fn client_name(client: ClientKind) -> &'static str {
    match client {
        ClientKind::Livetemplate => "livetemplate",
        ClientKind::Legacy => "legacy",
    }
}

/// Renders every state with askama too (the bytes must agree), then encodes the frames.
fn scenario<T>(name: &'static str, client: ClientKind, states: &[T]) -> Golden
where
    T: askama::Template + LiveTemplate,
{
    for state in states {
        livetemplate_tests::assert_same(state);
    }
    let out = match frames(client, states) {
        Ok(out) => out,
        Err(err) => panic!("{name}: {err}"),
    };
    Golden {
        name,
        client,
        frames: out.frames,
        html: out.html,
    }
}

fn todo(key: &str) -> Todo {
    Todo::new(key, &format!("Task {}", key.to_uppercase()))
}

fn todos(keys: &[&str]) -> Vec<Todo> {
    keys.iter().map(|key| todo(key)).collect()
}

fn list(keys: &[&str]) -> Todos {
    Todos { todos: todos(keys) }
}

fn words(words: &[&str]) -> Unkeyed {
    Unkeyed {
        words: words.iter().map(|w| (*w).to_owned()).collect(),
    }
}

fn rows(rows: &[(u8, &str, u32)]) -> Rows {
    Rows {
        rows: rows
            .iter()
            .map(|&(id, name, n)| Row {
                id,
                name: name.to_owned(),
                n,
            })
            .collect(),
    }
}

fn group(id: u8, name: &str, items: &[(u8, &str)], tags: &[&str]) -> Group {
    Group {
        id,
        name: name.to_owned(),
        items: items
            .iter()
            .map(|&(id, label)| Entry {
                id,
                label: label.to_owned(),
            })
            .collect(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn nested_if(a: bool, b: bool, c: bool, text: &str, n: u32) -> NestedIf {
    NestedIf {
        a,
        b,
        c,
        text: text.to_owned(),
        n,
    }
}

fn counter(title: &str, count: i64) -> Counter {
    Counter {
        title: title.to_owned(),
        count,
    }
}

fn counters() -> Vec<Counter> {
    vec![
        counter("Counter", 0),
        counter("Counter", 1),
        counter("Counter", 2),
        counter("Clicks", 2),
        counter("Clicks", 2),
    ]
}

fn flips() -> Vec<NestedIf> {
    vec![
        nested_if(true, true, false, "x", 1),
        nested_if(true, false, false, "x", 1),
        nested_if(true, true, false, "x", 1),
        nested_if(false, true, false, "y", 1),
        nested_if(true, true, true, "y", 2),
    ]
}

fn shuffles() -> Vec<Todos> {
    let mut changed = list(&["f", "d", "a", "c", "b", "e"]);
    changed.todos[1].title = "Task D (edited)".to_owned();
    vec![
        list(&["a", "b", "c", "d", "e", "f"]),
        list(&["c", "a", "f", "b", "e", "d"]),
        changed,
        list(&["d", "a", "g"]),
    ]
}

fn groups() -> Vec<NestedList> {
    vec![
        NestedList {
            groups: vec![
                group(1, "Fruit", &[(1, "apple"), (2, "pear")], &["sweet"]),
                group(2, "Veg", &[(3, "leek")], &[]),
            ],
        },
        NestedList {
            groups: vec![
                group(
                    1,
                    "Fruit",
                    &[(2, "pear"), (1, "apple"), (4, "fig")],
                    &["sweet"],
                ),
                group(2, "Veg", &[(3, "leek")], &["green", "fresh"]),
            ],
        },
        NestedList {
            groups: vec![
                group(2, "Vegetables", &[], &["green"]),
                group(1, "Fruit", &[(4, "fig")], &["sweet"]),
                group(3, "Nuts", &[(5, "pecan")], &[]),
            ],
        },
    ]
}

fn for_else() -> Vec<ForElse> {
    let states: [&[&str]; 5] = [&[], &["a"], &["a", "b"], &[], &["b"]];
    states
        .iter()
        .map(|keys| ForElse { todos: todos(keys) })
        .collect()
}

fn unkeyed() -> Vec<Unkeyed> {
    vec![
        words(&["one", "two"]),
        words(&["one", "TWO"]),
        words(&["one", "TWO", "three", "four"]),
        words(&["zero"]),
        words(&[]),
        words(&["x & y"]),
    ]
}

fn goldens() -> Vec<Golden> {
    use ClientKind::{Legacy, Livetemplate as Ours};
    let mut updated = list(&["a", "b", "c"]);
    let mut out = vec![
        scenario("counter", Ours, &counters()),
        scenario(
            "nested_if_text",
            Ours,
            &[
                nested_if(true, true, true, "hello", 1),
                nested_if(true, true, true, "world", 1),
                nested_if(true, true, true, "world", 2),
                nested_if(true, true, true, "<world & co>", 2),
            ],
        ),
        scenario("branch_flip", Ours, &flips()),
        scenario(
            "list_append",
            Ours,
            &[
                list(&["a", "b"]),
                list(&["a", "b", "c"]),
                list(&["a", "b", "c", "d", "e"]),
            ],
        ),
        scenario(
            "list_prepend",
            Ours,
            &[
                list(&["c", "d"]),
                list(&["b", "c", "d"]),
                list(&["a", "b", "c", "d"]),
            ],
        ),
        scenario(
            "list_insert",
            Ours,
            &[
                list(&["a", "d"]),
                list(&["a", "b", "d"]),
                list(&["a", "b", "c", "d"]),
            ],
        ),
        scenario(
            "list_remove",
            Ours,
            &[
                list(&["a", "b", "c", "d", "e"]),
                list(&["a", "c", "d", "e"]),
                list(&["e"]),
            ],
        ),
        scenario("list_update", Ours, &{
            let first = updated.clone();
            updated.todos[1].done = true;
            let second = updated.clone();
            updated.todos[0].title = "Buy milk".to_owned();
            updated.todos[2].note = "soon".to_owned();
            let third = updated.clone();
            updated.todos[2].note = String::new();
            [first, second, third, updated.clone()]
        }),
        scenario(
            "list_move_to_top",
            Ours,
            &[
                list(&["a", "b", "c", "d", "e"]),
                list(&["e", "a", "b", "c", "d"]),
                list(&["c", "e", "a", "b", "d"]),
            ],
        ),
        scenario(
            "list_reverse",
            Ours,
            &[
                list(&["a", "b", "c", "d", "e", "f"]),
                list(&["f", "e", "d", "c", "b", "a"]),
            ],
        ),
        scenario("list_shuffle", Ours, &shuffles()),
        scenario(
            "list_empty_refill",
            Ours,
            &[list(&["a", "b"]), list(&[]), list(&["c", "a"]), list(&[])],
        ),
        scenario(
            "list_duplicate_keys",
            Ours,
            &[
                list(&["a", "a", "b"]),
                list(&["a", "b", "a"]),
                list(&["", "b", "a"]),
                list(&["", "", "b"]),
                list(&["a", "a", "a"]),
            ],
        ),
        scenario("unkeyed_list", Ours, &unkeyed()),
        scenario(
            "rows_id_keys",
            Ours,
            &[
                rows(&[(1, "one", 1), (2, "two", 2), (3, "three", 3)]),
                rows(&[(3, "three", 30), (1, "one", 1), (2, "two", 2)]),
                rows(&[(2, "two", 2)]),
                rows(&[(2, "two", 2), (4, "four", 4)]),
            ],
        ),
        scenario("nested_list", Ours, &groups()),
        scenario("for_else", Ours, &for_else()),
        scenario(
            "match_arms",
            Ours,
            &[
                MatchArms { view: View::Empty },
                MatchArms {
                    view: View::One("hi".to_owned()),
                },
                MatchArms {
                    view: View::One("ho".to_owned()),
                },
                MatchArms {
                    view: View::Many(todos(&["a", "b"])),
                },
                MatchArms {
                    view: View::Many(todos(&["b", "c"])),
                },
                MatchArms {
                    view: View::Boxed(todos(&["a", "b"])),
                },
                MatchArms {
                    view: View::Boxed(todos(&["a"])),
                },
                MatchArms { view: View::Empty },
                MatchArms {
                    view: View::Many(todos(&["a"])),
                },
            ],
        ),
    ];
    out.extend([
        scenario("legacy_counter", Legacy, &counters()),
        scenario("legacy_branch_flip", Legacy, &flips()),
        scenario("legacy_list_shuffle", Legacy, &shuffles()),
        scenario("legacy_nested_list", Legacy, &groups()),
        scenario("legacy_for_else", Legacy, &for_else()),
        scenario("legacy_unkeyed_list", Legacy, &unkeyed()),
    ]);
    out
}

/// The widest line the printer keeps a value on.
const WIDTH: usize = 100;

/// Writes `value` pretty-printed but compact: a value that fits on the rest of its line (from
/// `column` on) stays on it. Object keys come in the encoder's order: `s`, `f`, the slots by
/// number, then the rest.
fn pretty(value: &Value, indent: usize, column: usize, out: &mut String) {
    let mut inline = String::new();
    compact(value, &mut inline);
    if column + inline.len() <= WIDTH {
        out.push_str(&inline);
        return;
    }
    let pad = " ".repeat(indent + 2);
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                pretty(item, indent + 2, indent + 2, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        Value::Object(object) if !object.is_empty() => {
            let keys = ordered_keys(object);
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                let name = Value::String((*key).to_owned()).to_string();
                out.push_str(&pad);
                out.push_str(&name);
                out.push_str(": ");
                let column = indent + 2 + name.len() + 2;
                pretty(&object[*key], indent + 2, column, out);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        _ => out.push_str(&inline),
    }
}

/// One-line JSON with keys in the encoder's order.
fn compact(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                compact(item, out);
            }
            out.push(']');
        }
        Value::Object(object) => {
            out.push('{');
            for (i, key) in ordered_keys(object).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.to_owned()).to_string());
                out.push(':');
                compact(&object[key], out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn ordered_keys(object: &serde_json::Map<String, Value>) -> Vec<&str> {
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_by_key(|key| key_order(key));
    keys
}

fn key_order(key: &str) -> (u8, usize, String) {
    match key {
        "s" => (0, 0, String::new()),
        "f" => (1, 0, String::new()),
        _ => match key.parse::<usize>() {
            Ok(slot) => (2, slot, String::new()),
            Err(_) => (3, 0, key.to_owned()),
        },
    }
}

/// The file's text: keys in the order `name`, `client`, `frames`, `html`.
fn file_text(golden: &Golden) -> String {
    let frames: Vec<Value> = golden
        .frames
        .iter()
        .map(|frame| match serde_json::from_str(frame) {
            Ok(value) => value,
            Err(err) => panic!(
                "{}: the encoder wrote invalid JSON {frame}: {err}",
                golden.name
            ),
        })
        .collect();
    let html: Vec<Value> = golden.html.iter().cloned().map(Value::String).collect();
    let mut out = String::from("{\n");
    out.push_str(&format!(
        "  \"name\": {},\n",
        Value::String(golden.name.to_owned())
    ));
    out.push_str(&format!(
        "  \"client\": {},\n",
        Value::String(client_name(golden.client).to_owned())
    ));
    out.push_str("  \"frames\": ");
    pretty(&Value::Array(frames), 2, 12, &mut out);
    out.push_str(",\n  \"html\": ");
    pretty(&Value::Array(html), 2, 10, &mut out);
    out.push_str("\n}\n");
    out
}

fn json_files() -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(dir()) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect()
}

#[test]
fn golden_files_are_current() {
    let bless = std::env::var("LIVETEMPLATE_BLESS").is_ok_and(|v| v == "1");
    let goldens = goldens();
    assert!(
        (15..=25).contains(&goldens.len()),
        "{} golden files",
        goldens.len()
    );
    let mut problems = Vec::new();
    let mut expected_files = BTreeSet::new();
    if bless && let Err(err) = std::fs::create_dir_all(dir()) {
        panic!("cannot create {}: {err}", dir().display());
    }
    for golden in &goldens {
        // The frames must reproduce the server's HTML before they become a reference.
        if let Err(err) = replay(
            golden.client,
            &diff_templates::Frames {
                frames: golden.frames.clone(),
                html: golden.html.clone(),
            },
        ) {
            problems.push(format!("{}: {err}", golden.name));
        }
        let file = format!("{}.json", golden.name);
        let path = dir().join(&file);
        let text = file_text(golden);
        expected_files.insert(file.clone());
        if bless {
            // Written aside and renamed, so that the replay test never reads half a file.
            let aside = path.with_extension("json.new");
            if let Err(err) =
                std::fs::write(&aside, &text).and_then(|()| std::fs::rename(&aside, &path))
            {
                problems.push(format!("cannot write {}: {err}", path.display()));
            }
        } else {
            match std::fs::read_to_string(&path) {
                Ok(current) if current == text => {}
                Ok(_) => problems.push(format!("{file} is out of date")),
                Err(err) => problems.push(format!("{file}: {err}")),
            }
        }
    }
    for stale in json_files().difference(&expected_files) {
        if bless {
            if let Err(err) = std::fs::remove_file(dir().join(stale)) {
                problems.push(format!("cannot remove {stale}: {err}"));
            }
        } else {
            problems.push(format!("{stale} is not generated by any scenario"));
        }
    }
    assert!(
        problems.is_empty(),
        "golden files (rerun with LIVETEMPLATE_BLESS=1 to regenerate):\n{}",
        problems.join("\n")
    );
}

#[test]
fn client_tree_reproduces_golden_html() {
    let files = json_files();
    assert!(!files.is_empty(), "no golden files in {}", dir().display());
    for file in files {
        let path = dir().join(&file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            // Removed as stale by a concurrent bless.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => panic!("{}: {err}", path.display()),
        };
        let golden: Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(err) => panic!("{file}: {err}"),
        };
        let client = match golden["client"].as_str() {
            Some("livetemplate") => ClientKind::Livetemplate,
            Some("legacy") => ClientKind::Legacy,
            other => panic!("{file}: unknown client {other:?}"),
        };
        assert_eq!(
            golden["name"].as_str().map(|name| format!("{name}.json")),
            Some(file.clone()),
            "{file}: the name must match the file name"
        );
        let (Some(frames), Some(html)) = (golden["frames"].as_array(), golden["html"].as_array())
        else {
            panic!("{file}: \"frames\" and \"html\" must be arrays");
        };
        assert_eq!(frames.len(), html.len(), "{file}: one HTML per frame");
        let mut tree = ClientTree::new(client);
        for (step, (frame, expected)) in frames.iter().zip(html).enumerate() {
            if let Err(err) = tree.apply(&frame.to_string()) {
                panic!("{file}, frame {step}: {err}");
            }
            match tree.html() {
                Ok(got) => assert_eq!(
                    Some(got.as_str()),
                    expected.as_str(),
                    "{file}, after frame {step}"
                ),
                Err(err) => panic!("{file}, frame {step}: {err}"),
            }
        }
    }
}
