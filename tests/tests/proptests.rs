//! Property tests: random data (strings with HTML specials and unicode, vectors of every length
//! from 0, booleans, options, enums) rendered both ways must give the same bytes.

use proptest::prelude::*;

use livetemplate_tests::assert_same;

/// Strings rich in HTML specials, whitespace, template-looking text and unicode, plus arbitrary
/// strings.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 <>&\"'/=`{}%#\\n\\t-]{0,16}",
        2 => "[é🦀ß漢\u{200d}\u{a0}İǅ <&>]{0,8}",
        1 => any::<String>(),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------- escaping/page.html

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/page.html")]
struct EscapingPage {
    text: String,
}

// ---------------------------------------------------------------- filters

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/case.html")]
struct Case {
    text: String,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/layout.html")]
struct Layout {
    text: String,
    width: usize,
    block: String,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/lines.html")]
struct Lines {
    text: String,
}

// ---------------------------------------------------------------- attributes/class.html

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "attributes/class.html")]
struct Class {
    x: String,
    y: String,
    id: u32,
    color: String,
    width: f32,
    active: bool,
}

// ---------------------------------------------------------------- loops/keyed.html

#[derive(Debug, Clone)]
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

fn todo() -> impl Strategy<Value = Todo> {
    (any::<u32>(), text(), any::<bool>()).prop_map(|(id, title, done)| Todo { id, title, done })
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/keyed.html")]
struct Keyed {
    todos: Vec<Todo>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/basic.html")]
struct Basic {
    items: Vec<String>,
}

// ---------------------------------------------------------------- if_match/match_enum.html

#[derive(Debug, Clone)]
enum Status {
    Draft,
    Published { at: String, by: String },
    Archived(String),
    Deleted,
    Hidden,
}

#[derive(Debug, Clone)]
enum Shape {
    Circle { r: f32 },
    Rect(u32, u32),
    Point,
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Draft),
        (text(), text()).prop_map(|(at, by)| Status::Published { at, by }),
        text().prop_map(Status::Archived),
        Just(Status::Deleted),
        Just(Status::Hidden),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        any::<f32>().prop_map(|r| Shape::Circle { r }),
        (any::<u32>(), any::<u32>()).prop_map(|(w, h)| Shape::Rect(w, h)),
        Just(Shape::Point),
    ]
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "if_match/match_enum.html")]
struct MatchEnum<'a> {
    status: Status,
    shape: Shape,
    maybe: Option<&'a str>,
}

// ---------------------------------------------------------------- expr/option.html, let_set/decl.html

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/option.html")]
struct OptionPage {
    nick: Option<String>,
    age: Option<u8>,
    pair: Option<(i32, String)>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "let_set/decl.html")]
struct Decl {
    count: u32,
    name: Option<String>,
}

// ---------------------------------------------------------------- whitespace, macros

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/suppress.html", whitespace = "suppress")]
struct Suppress {
    title: String,
    flag: bool,
    items: Vec<u32>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/minimize.html", whitespace = "minimize")]
struct Minimize {
    title: String,
    flag: bool,
    items: Vec<u32>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "macros/caller.html")]
struct Caller {
    title: String,
    who: String,
    entries: Vec<String>,
}

// ---------------------------------------------------------------- apps

#[derive(Debug, Clone, Copy, PartialEq)]
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

    fn shows(&self, todo: &AppTodo) -> bool {
        match self {
            Filter::All => true,
            Filter::Active => !todo.done,
            Filter::Completed => todo.done,
        }
    }
}

#[derive(Debug)]
struct AppTodo {
    id: u32,
    text: String,
    done: bool,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "apps/todos.html")]
struct Todos {
    title: String,
    draft: String,
    todos: Vec<AppTodo>,
    filter: Filter,
    filters: [Filter; 3],
    editing: Option<u32>,
}

impl Todos {
    fn remaining(&self) -> usize {
        self.todos.iter().filter(|t| !t.done).count()
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Me,
    System,
}

#[derive(Debug)]
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
    typing: Vec<String>,
    draft: String,
}

fn message() -> impl Strategy<Value = Message> {
    (
        text(),
        prop_oneof![Just("ann".to_string()), Just("bob".to_string()), text()],
        text(),
        0u32..2000,
        prop_oneof![Just(Kind::Text), Just(Kind::Me), Just(Kind::System)],
    )
        .prop_map(|(id, author, body, minutes, kind)| Message {
            id,
            author,
            body,
            minutes,
            kind,
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn escaping_page(text in text()) {
        assert_same(&EscapingPage { text });
    }

    #[test]
    fn string_filters(text in text(), width in 0usize..24, block in text()) {
        assert_same(&Case { text: text.clone() });
        assert_same(&Lines { text: text.clone() });
        assert_same(&Layout { text, width, block });
    }

    #[test]
    fn attributes(x in text(), y in text(), id in any::<u32>(), color in text(), width in any::<f32>(), active in any::<bool>()) {
        assert_same(&Class { x, y, id, color, width, active });
    }

    #[test]
    fn keyed_and_basic_loops(todos in prop::collection::vec(todo(), 0..8)) {
        let items = todos.iter().map(|t| t.title.clone()).collect();
        assert_same(&Keyed { todos });
        assert_same(&Basic { items });
    }

    #[test]
    fn match_enums(status in status(), shape in shape(), maybe in prop::option::of(prop_oneof![Just("foo".to_string()), text()])) {
        assert_same(&MatchEnum { status, shape, maybe: maybe.as_deref() });
    }

    #[test]
    fn options_and_decl(nick in prop::option::of(text()), age in prop::option::of(any::<u8>()), pair in prop::option::of((any::<i32>(), text())), count in 0u32..4) {
        assert_same(&Decl { count, name: nick.clone() });
        assert_same(&OptionPage { nick, age, pair });
    }

    #[test]
    fn whitespace_modes(title in text(), flag in any::<bool>(), items in prop::collection::vec(any::<u32>(), 0..6)) {
        assert_same(&Suppress { title: title.clone(), flag, items: items.clone() });
        assert_same(&Minimize { title, flag, items });
    }

    #[test]
    fn macros_with_caller(title in text(), who in text(), entries in prop::collection::vec(text(), 0..5)) {
        assert_same(&Caller { title, who, entries });
    }

    #[test]
    fn todo_app(
        title in text(),
        draft in text(),
        todos in prop::collection::vec((any::<bool>(), text()), 0..10),
        filter in prop_oneof![Just(Filter::All), Just(Filter::Active), Just(Filter::Completed)],
        editing in prop::option::of(0u32..12),
    ) {
        let todos = todos
            .into_iter()
            .zip(1..)
            .map(|((done, text), id)| AppTodo { id, text, done })
            .collect();
        assert_same(&Todos {
            title,
            draft,
            todos,
            filter,
            filters: [Filter::All, Filter::Active, Filter::Completed],
            editing,
        });
    }

    #[test]
    fn chat_app(
        room in text(),
        me in prop_oneof![Just("ann".to_string()), text()],
        users in prop::collection::vec(text(), 0..5),
        messages in prop::collection::vec(message(), 0..8),
        typing in prop::collection::vec(text(), 0..3),
        draft in text(),
    ) {
        assert_same(&Chat { room, me, users, messages, typing, draft });
    }
}
