//! The templates of `templates/diff/` and their data, shared by the golden wire files
//! (`golden.rs`) and the diff property tests (`diff_props.rs`).

use livetemplate::testing::ClientTree;
use livetemplate::wire::ClientKind;
use livetemplate::wire::Encoder;
use livetemplate::{LiveTemplate, Rendered};

/// `diff/counter.html`: two text slots.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/counter.html")]
pub(crate) struct Counter {
    pub(crate) title: String,
    pub(crate) count: i64,
}

/// One row of the keyed lists: `data-key="{{ t.key }}"`; keys may be empty or repeat.
#[derive(Debug, Clone)]
pub(crate) struct Todo {
    pub(crate) key: String,
    pub(crate) title: String,
    pub(crate) done: bool,
    pub(crate) note: String,
}

impl Todo {
    /// A todo that is not done and has no note.
    pub(crate) fn new(key: &str, title: &str) -> Self {
        Todo {
            key: key.to_owned(),
            title: title.to_owned(),
            done: false,
            note: String::new(),
        }
    }
}

/// `diff/todos.html`: a keyed list whose items hold two `if`s.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/todos.html")]
pub(crate) struct Todos {
    pub(crate) todos: Vec<Todo>,
}

/// One row of `diff/rows.html`, keyed by `id="row-{{ id }}"`.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) id: u8,
    pub(crate) name: String,
    pub(crate) n: u32,
}

/// `diff/rows.html`: a list keyed by the `id` attribute.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/rows.html")]
pub(crate) struct Rows {
    pub(crate) rows: Vec<Row>,
}

/// `diff/unkeyed.html`: a list without keys, matched by position.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/unkeyed.html")]
pub(crate) struct Unkeyed {
    pub(crate) words: Vec<String>,
}

/// `diff/nested_if.html`: three levels of `if`.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/nested_if.html")]
pub(crate) struct NestedIf {
    pub(crate) a: bool,
    pub(crate) b: bool,
    pub(crate) c: bool,
    pub(crate) text: String,
    pub(crate) n: u32,
}

/// One item of a group's inner list.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: u8,
    pub(crate) label: String,
}

/// A group: a keyed item holding a keyed list and an unkeyed one.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) id: u8,
    pub(crate) name: String,
    pub(crate) items: Vec<Entry>,
    pub(crate) tags: Vec<String>,
}

/// `diff/nested_list.html`: lists inside list items.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/nested_list.html")]
pub(crate) struct NestedList {
    pub(crate) groups: Vec<Group>,
}

/// `diff/for_else.html`: `{% for %} … {% else %}`.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/for_else.html")]
pub(crate) struct ForElse {
    pub(crate) todos: Vec<Todo>,
}

/// What `diff/match_arms.html` shows.
#[derive(Debug, Clone)]
pub(crate) enum View {
    Empty,
    One(String),
    Many(Vec<Todo>),
    /// A list inside an `if` inside the arm (the arm's slot holds a node, not a list).
    Boxed(Vec<Todo>),
}

/// `diff/match_arms.html`: `match` arms with text, a list, and a list inside an `if`.
#[derive(Debug, Clone, askama::Template, livetemplate::LiveTemplate)]
#[template(path = "diff/match_arms.html")]
pub(crate) struct MatchArms {
    pub(crate) view: View,
}

/// One connection's frames for a sequence of states: the first frame's whole tree, then one
/// update per state, with the server's HTML after each.
#[derive(Debug, Clone)]
pub(crate) struct Frames {
    /// The `"tree"` value of each frame.
    pub(crate) frames: Vec<String>,
    /// The server's render after each frame.
    pub(crate) html: Vec<String>,
}

/// Renders each state, diffs it against the one before and encodes the frames for `client`.
pub(crate) fn frames<T: LiveTemplate>(client: ClientKind, states: &[T]) -> Result<Frames, String> {
    let mut encoder = Encoder::new(client);
    let mut out = Frames {
        frames: Vec::new(),
        html: Vec::new(),
    };
    let mut previous: Option<Rendered> = None;
    for state in states {
        let next = LiveTemplate::render_tree(state).map_err(|err| err.to_string())?;
        let frame = match &previous {
            None => encoder.tree(&next),
            Some(previous) => encoder.patch(&livetemplate::diff::diff(previous, &next)),
        };
        out.frames.push(frame);
        out.html.push(next.to_html());
        previous = Some(next);
    }
    Ok(out)
}

/// Applies each frame to a fresh [`ClientTree`] and checks its HTML after every one.
pub(crate) fn replay(client: ClientKind, frames: &Frames) -> Result<(), String> {
    let mut tree = ClientTree::new(client);
    for (step, (frame, expected)) in frames.frames.iter().zip(&frames.html).enumerate() {
        let context = || {
            let mut text = format!("client {client:?}, frame {step}\n");
            for (i, (frame, html)) in frames.frames.iter().zip(&frames.html).enumerate() {
                text.push_str(&format!("  frame {i}: {frame}\n  html  {i}: {html}\n"));
            }
            text
        };
        tree.apply(frame)
            .map_err(|err| format!("apply failed: {err}\n{}", context()))?;
        let got = tree
            .html()
            .map_err(|err| format!("html failed: {err}\n{}", context()))?;
        if &got != expected {
            return Err(format!(
                "client HTML differs\n  expected {expected}\n  got      {got}\n{}",
                context()
            ));
        }
    }
    Ok(())
}
