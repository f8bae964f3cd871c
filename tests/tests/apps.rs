//! Whole pages: a todo list and a chat room, each extending a layout and combining loops, keyed
//! items, conditions, `match`, macros, filters and actions; rendered for several states.

use livetemplate::LiveTemplate;
use livetemplate_tests::{assert_same, kind, lists};

#[derive(Clone, Copy, PartialEq)]
enum Filter {
    All,
    Active,
    Completed,
}

impl Filter {
    fn name(&self) -> &'static str {
        match self {
            Filter::All => "All",
            Filter::Active => "Active",
            Filter::Completed => "Completed",
        }
    }

    fn shows(&self, todo: &Todo) -> bool {
        match self {
            Filter::All => true,
            Filter::Active => !todo.done,
            Filter::Completed => todo.done,
        }
    }
}

struct Todo {
    id: u32,
    text: String,
    done: bool,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "apps/todos.html")]
struct Todos {
    title: String,
    draft: String,
    todos: Vec<Todo>,
    filter: Filter,
    filters: [Filter; 3],
    editing: Option<u32>,
}

impl Todos {
    fn remaining(&self) -> usize {
        self.todos.iter().filter(|t| !t.done).count()
    }
}

fn todos(texts: &[&str], filter: Filter, editing: Option<u32>) -> Todos {
    Todos {
        title: "todos".into(),
        draft: texts.first().map(|s| s.to_string()).unwrap_or_default(),
        todos: texts
            .iter()
            .enumerate()
            .map(|(i, text)| Todo {
                id: i as u32 + 1,
                text: text.to_string(),
                done: i % 2 == 1,
            })
            .collect(),
        filter,
        filters: [Filter::All, Filter::Active, Filter::Completed],
        editing,
    }
}

#[test]
fn todo_page() {
    let texts = ["milk", "<eggs> & \"ham\"", "🦀 rust", "", "call O'Neil"];
    for filter in [Filter::All, Filter::Active, Filter::Completed] {
        assert_same(&todos(&[], filter, None));
        assert_same(&todos(&texts[..1], filter, Some(1)));
        assert_same(&todos(&texts, filter, Some(2)));
        assert_same(&todos(&texts[1..3], filter, Some(99)));
    }
}

#[test]
fn todo_actions() {
    assert_eq!(
        Todos::ACTIONS,
        &[
            "add",
            "toggle",
            "edit",
            "delete",
            "filter",
            "clear_completed"
        ]
    );
}

#[test]
fn todo_page_structure_is_stable() {
    let a = assert_same(&todos(&["a", "b"], Filter::All, None));
    let b = assert_same(&todos(&["c", "d", "e"], Filter::Active, Some(3)));
    assert!(std::ptr::eq(a.statics(), b.statics()));
    let kinds = |t: &livetemplate::Rendered| t.slots().map(kind).collect::<Vec<_>>();
    assert_eq!(kinds(&a), kinds(&b));
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Me,
    System,
}

struct Message {
    id: String,
    author: String,
    body: String,
    minutes: u32,
    kind: Kind,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "apps/chat.html")]
struct Chat {
    room: String,
    me: String,
    users: Vec<String>,
    messages: Vec<Message>,
    typing: Vec<&'static str>,
    draft: String,
}

fn message(n: usize, author: &str, body: &str, kind: Kind) -> Message {
    Message {
        id: format!("m{n}"),
        author: author.into(),
        body: body.into(),
        minutes: (n as u32 * 37) % 1440,
        kind,
    }
}

#[test]
fn chat_page() {
    assert_same(&Chat {
        room: "general".into(),
        me: "ann".into(),
        users: vec![],
        messages: vec![],
        typing: vec![],
        draft: String::new(),
    });
    assert_same(&Chat {
        room: "rust & <friends>".into(),
        me: "ann".into(),
        users: vec!["ann".into(), "bob".into(), "<script>".into()],
        messages: vec![
            message(1, "ann", "hi all\nsecond line", Kind::Text),
            message(2, "ann", "again", Kind::Text),
            message(3, "bob", "waves", Kind::Me),
            message(4, "system", "bob joined", Kind::System),
            message(5, "<script>", "<img src=x onerror=alert(1)>", Kind::Text),
            message(6, "ann", "🦀 \"quoted\" 'single'", Kind::Text),
        ],
        typing: vec!["bob"],
        draft: "half-typed <msg".into(),
    });
    assert_same(&Chat {
        room: String::new(),
        me: String::new(),
        users: vec![String::new()],
        messages: vec![message(0, "", "", Kind::Me)],
        typing: vec!["a", "b"],
        draft: "\"".into(),
    });
}

#[test]
fn chat_actions() {
    assert_eq!(Chat::ACTIONS, &["send", "typing"]);
}

#[test]
fn chat_messages_are_keyed_by_their_id_attribute() {
    let chat = Chat {
        room: "r".into(),
        me: "ann".into(),
        users: vec!["ann".into()],
        messages: vec![
            message(1, "ann", "a", Kind::Text),
            message(2, "bob", "b", Kind::Me),
            message(3, "bob", "c", Kind::System),
        ],
        typing: vec![],
        draft: String::new(),
    };
    let tree = assert_same(&chat);
    let messages = lists(&tree)
        .into_iter()
        .find(|l| l.items().count() == 3)
        .expect("the messages list");
    assert!(messages.key_slot().is_some());
    let keys: Vec<_> = messages.items().map(|item| item.key()).collect();
    assert_eq!(keys, [Some("m1"), Some("m2"), Some("m3")]);
}
