//! Frame sizes: the bytes one change costs on the wire, per client, against re-sending the HTML.
//!
//! Rerun and see the tables with
//! `cargo test -p livetemplate-tests --test frame_sizes -- --nocapture`.
//!
//! Three realistic pages (`tests/templates/frames/`): a counter, a TodoMVC-style list of
//! 1,000 todos and a chat room of 500 messages. For each scenario the page is rendered before
//! and after one action, diffed, and encoded for both clients by an [`Encoder`] that has already
//! sent the connection's first frame (so it knows which statics tables the client holds):
//!
//! - our client (`ClientKind::Livetemplate`): the reply the server sends it, `[ref, tree]` in
//!   its short forms (see `livetemplate::wire::Encoder`), no `meta` (our client needs none on
//!   success);
//! - the existing `@livetemplate/client` (`ClientKind::Legacy`): `{"tree":…,"meta":…}`, since it
//!   needs `meta` on the reply to an action, and has no ref.
//!
//! "Full HTML" is the live region's HTML (what `Rendered::to_html` gives, without the layout):
//! what re-sending the page's content would cost.
//!
//! The test prints markdown tables (and the frames themselves) and checks only sanity: every
//! update frame is smaller than the page's HTML, and ours is no larger than the legacy one.
//! The size goals are reported, not asserted.

use std::fmt::Write as _;

use livetemplate::diff::diff;
use livetemplate::render::Slot;
use livetemplate::testing::{ClientTree, ServerFrame};
use livetemplate::wire::frame::{self, Meta};
use livetemplate::wire::{ClientKind, Encoder};
use livetemplate::{LiveTemplate, Rendered};
use livetemplate_tests::assert_same;

/// The ref our client attaches to an action: a session a few dozen actions in.
const REF: u64 = 42;

// ---- pages ---------------------------------------------------------------------------------

#[derive(askama::Template, LiveTemplate)]
#[template(path = "frames/counter.html")]
struct Counter {
    count: i64,
}

#[derive(Clone)]
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

#[derive(Clone, askama::Template, LiveTemplate)]
#[template(path = "frames/todos.html")]
struct Todos {
    todos: Vec<Todo>,
    remaining: usize,
    filter: &'static str,
}

impl Todos {
    /// `n` todos with ids 1..=n; every third is done.
    fn with_items(n: u32) -> Self {
        let todos = (1..=n)
            .map(|id| Todo {
                id,
                title: todo_title(id),
                done: id % 3 == 0,
            })
            .collect();
        let mut page = Todos {
            todos,
            remaining: 0,
            filter: "all",
        };
        page.recount();
        page
    }

    fn recount(&mut self) {
        self.remaining = self.todos.iter().filter(|t| !t.done).count();
    }
}

fn todo_title(id: u32) -> String {
    const TITLES: [&str; 6] = [
        "Buy oat milk",
        "Call the plumber about the kitchen sink",
        "Review Sam's pull request",
        "Book flights for the conference",
        "Renew passport",
        "Write the quarterly report",
    ];
    TITLES[id as usize % TITLES.len()].to_owned()
}

#[derive(Clone)]
struct Message {
    id: u32,
    author: &'static str,
    sent_at: String,
    time: String,
    text: String,
}

#[derive(Clone, askama::Template, LiveTemplate)]
#[template(path = "frames/chat.html")]
struct Chat {
    room: &'static str,
    topic: &'static str,
    me: &'static str,
    messages: Vec<Message>,
}

impl Chat {
    /// A room with `n` messages, one a minute from 09:00.
    fn with_messages(n: u32) -> Self {
        Chat {
            room: "general",
            topic: "Company-wide announcements and work-based matters",
            me: "alice",
            messages: (1..=n).map(message).collect(),
        }
    }
}

fn message(id: u32) -> Message {
    const AUTHORS: [&str; 4] = ["alice", "bob", "carol", "dave"];
    const TEXTS: [&str; 5] = [
        "Morning! Standup in 5?",
        "I pushed the fix for the login redirect, can someone review?",
        "Sounds good, see you at 3",
        "Lunch at the Thai place?",
        "The deploy is green, shipping it now",
    ];
    let minutes = 9 * 60 + id;
    let (h, m) = ((minutes / 60) % 24, minutes % 60);
    Message {
        id,
        author: AUTHORS[id as usize % AUTHORS.len()],
        sent_at: format!("2025-05-14T{h:02}:{m:02}:00Z"),
        time: format!("{h:02}:{m:02}"),
        text: TEXTS[id as usize % TEXTS.len()].to_owned(),
    }
}

// ---- measuring -------------------------------------------------------------------------------

/// What one scenario costs.
struct Sizes {
    name: &'static str,
    ours: String,
    legacy: String,
    html: usize,
    goal: Option<(usize, usize)>,
}

/// The first frame of a connection, per client, and the page's HTML.
struct First {
    name: &'static str,
    html: usize,
    ours: usize,
    legacy: usize,
}

/// The first frame's `meta` (the protocol also lists `capabilities`, which `Meta` lacks).
fn first_meta() -> Meta {
    Meta {
        success: true,
        ..Meta::default()
    }
}

fn first_frame(client: ClientKind, tree: &Rendered) -> (Encoder, String) {
    let mut encoder = Encoder::new(client);
    let frame = frame::update(&encoder.tree(tree), Some(&first_meta()), None);
    (encoder, frame)
}

/// Renders `before` and `after` (checking both against askama), and encodes the change for both
/// clients after each has received the first frame of `before`.
fn measure<T>(
    name: &'static str,
    action: &str,
    before: &T,
    after: &T,
    goal: Option<(usize, usize)>,
) -> Sizes
where
    T: askama::Template + LiveTemplate,
{
    let old = assert_same(before);
    let new = assert_same(after);
    let patch = diff(&old, &new);
    assert!(!patch.is_empty(), "{name}: the action changed nothing");

    let (mut ours_encoder, ours_first) = first_frame(ClientKind::Livetemplate, &old);
    let ours = frame::reply(
        ClientKind::Livetemplate,
        &ours_encoder.patch(&patch),
        &Meta::ok(action),
        Some(REF),
    );
    // The short forms must still say the same thing: our client's page after the frame is
    // the new render.
    let mut client = ClientTree::new(ClientKind::Livetemplate);
    for text in [&ours_first, &ours] {
        let frame = ServerFrame::parse(text).unwrap_or_else(|error| panic!("{name}: {error}"));
        let ServerFrame::Update { tree, .. } = frame else {
            panic!("{name}: not an update: {text}");
        };
        client
            .apply(&tree.to_string())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
    }
    assert_eq!(
        client.html().ok(),
        Some(new.to_html()),
        "{name}: our client's page"
    );
    let (mut legacy_encoder, _) = first_frame(ClientKind::Legacy, &old);
    let legacy = frame::update(&legacy_encoder.patch(&patch), Some(&Meta::ok(action)), None);

    let html = new.to_html().len();
    assert!(
        ours.len() < html,
        "{name}: our frame is not smaller than the HTML"
    );
    assert!(
        legacy.len() < html,
        "{name}: the legacy frame is not smaller than the HTML"
    );
    assert!(
        ours.len() <= legacy.len(),
        "{name}: our frame is larger than the legacy client's"
    );
    Sizes {
        name,
        ours,
        legacy,
        html,
        goal,
    }
}

fn first<T>(name: &'static str, page: &T) -> First
where
    T: askama::Template + LiveTemplate,
{
    let tree = assert_same(page);
    let html = tree.to_html().len();
    let (_, ours) = first_frame(ClientKind::Livetemplate, &tree);
    let (_, legacy) = first_frame(ClientKind::Legacy, &tree);
    First {
        name,
        html,
        ours: ours.len(),
        legacy: legacy.len(),
    }
}

/// Whether the page's `for` loop has a key slot (so list operations name items by key).
fn keyed(tree: &Rendered) -> bool {
    fn walk(mut slots: livetemplate::render::Slots<'_>) -> bool {
        slots.any(|slot| match slot {
            Slot::List(list) => list.key_slot().is_some(),
            Slot::Node(node) => walk(node.slots()),
            Slot::Text(_) => false,
        })
    }
    walk(tree.slots())
}

// ---- the scenarios -------------------------------------------------------------------------

fn scenarios() -> (Vec<Sizes>, Vec<First>) {
    let mut sizes = Vec::new();

    // Counter: 5 → 6.
    let counter = Counter { count: 5 };
    sizes.push(measure(
        "counter: increment",
        "increment",
        &counter,
        &Counter { count: 6 },
        Some((32, 53)),
    ));

    // Todos: 1,000 items, one action each.
    let todos = Todos::with_items(1000);
    assert!(keyed(&assert_same(&todos)), "the todo list must be keyed");

    let mut toggled = todos.clone();
    toggled.todos[499].done = !toggled.todos[499].done;
    toggled.recount();
    sizes.push(measure(
        "todos (1,000): toggle one",
        "toggle",
        &todos,
        &toggled,
        Some((48, 56)),
    ));

    let mut appended = todos.clone();
    appended.todos.push(Todo {
        id: 1001,
        title: "Pick up the dry cleaning".to_owned(),
        done: false,
    });
    appended.recount();
    sizes.push(measure(
        "todos (1,000): append one",
        "add",
        &todos,
        &appended,
        Some((80, 93)),
    ));

    let mut removed = todos.clone();
    removed.todos.remove(499);
    removed.recount();
    sizes.push(measure(
        "todos (1,000): remove one",
        "remove",
        &todos,
        &removed,
        None,
    ));

    let mut moved = todos.clone();
    let item = moved.todos.remove(699);
    moved.todos.insert(0, item);
    sizes.push(measure(
        "todos (1,000): move one to the top",
        "move",
        &todos,
        &moved,
        None,
    ));

    // Chat: 500 messages, one more.
    let chat = Chat::with_messages(500);
    assert!(keyed(&assert_same(&chat)), "the chat must be keyed");
    let mut sent = chat.clone();
    sent.messages.push(Message {
        id: 501,
        author: "alice",
        sent_at: "2025-05-14T17:21:00Z".to_owned(),
        time: "17:21".to_owned(),
        text: "On my way, 5 minutes".to_owned(),
    });
    sizes.push(measure(
        "chat (500): append one message",
        "send",
        &chat,
        &sent,
        None,
    ));

    let firsts = vec![
        first("counter", &counter),
        first("todos (1,000)", &todos),
        first("chat (500)", &chat),
    ];
    (sizes, firsts)
}

fn report(sizes: &[Sizes], firsts: &[First]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nRerun: cargo test -p livetemplate-tests --test frame_sizes -- --nocapture\n"
    );
    let _ = writeln!(out, "Update frames (whole frame bytes, ref = {REF}):\n");
    let _ = writeln!(
        out,
        "| scenario | ours (B) | goal (B) | met | dioxus-liveview (B) | @livetemplate/client (B) | full HTML (B) |"
    );
    let _ = writeln!(out, "|---|---:|---:|:---:|---:|---:|---:|");
    for s in sizes {
        let (goal, met, dioxus) = match s.goal {
            Some((goal, dioxus)) => (
                goal.to_string(),
                if s.ours.len() <= goal {
                    "yes"
                } else {
                    "**no**"
                }
                .to_owned(),
                dioxus.to_string(),
            ),
            None => ("–".to_owned(), "–".to_owned(), "–".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {goal} | {met} | {dioxus} | {} | {} |",
            s.name,
            s.ours.len(),
            s.legacy.len(),
            s.html
        );
    }
    let _ = writeln!(out, "\nFirst frame (full tree, statics included):\n");
    let _ = writeln!(
        out,
        "| page | HTML (B) | ours (B) | ours / HTML | @livetemplate/client (B) | legacy / HTML |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for f in firsts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2} | {} | {:.2} |",
            f.name,
            f.html,
            f.ours,
            f.ours as f64 / f.html as f64,
            f.legacy,
            f.legacy as f64 / f.html as f64
        );
    }
    let _ = writeln!(out, "\nThe frames:\n");
    for s in sizes {
        let _ = writeln!(out, "{}:", s.name);
        let _ = writeln!(out, "- ours ({} B): `{}`", s.ours.len(), s.ours);
        let _ = writeln!(out, "- legacy ({} B): `{}`", s.legacy.len(), s.legacy);
    }
    out
}

#[test]
fn frame_sizes() {
    let (sizes, firsts) = scenarios();
    println!("{}", report(&sizes, &firsts));
}

/// The diff bench measures the same TodoMVC page as this test (docs/src/performance.md says
/// so); the two crates each need their own copy of the template, so keep them identical.
#[test]
fn the_diff_bench_uses_this_todos_page() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ours = std::fs::read_to_string(dir.join("templates/frames/todos.html"));
    let bench = std::fs::read_to_string(dir.join("../livetemplate/templates/bench_todomvc.html"));
    assert!(
        ours.is_ok() && ours.ok() == bench.ok(),
        "the two copies differ"
    );
}
