//! `if` / `else if` / `elif` / `else`, `if let`, and `match` with enum variants, literals,
//! alternatives, `_`, `with`, slices and tuples, nested in each other and in loops.

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "if_match/if_chain.html")]
struct IfChain {
    n: i32,
    even: bool,
    label: String,
}

#[test]
fn if_else_chains() {
    for n in [-3, 0, 1, 4, 6, 11] {
        for label in ["", "<x>", "a \"quoted\" & 'single'"] {
            assert_same(&IfChain {
                n,
                even: n % 2 == 0,
                label: label.into(),
            });
        }
    }
}

struct Person {
    name: String,
    email: Option<String>,
}

enum Shape {
    Circle { r: f32 },
    Rect(u32, u32),
    Point,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "if_match/if_let.html")]
struct IfLet {
    user: Option<Person>,
    guest: Option<u32>,
    parsed: Result<i32, String>,
    shape: Shape,
}

#[test]
fn if_let_chains() {
    assert_same(&IfLet {
        user: Some(Person {
            name: "Ada <admin>".into(),
            email: Some("ada@example.com".into()),
        }),
        guest: Some(3),
        parsed: Ok(5),
        shape: Shape::Circle { r: 1.5 },
    });
    assert_same(&IfLet {
        user: Some(Person {
            name: String::new(),
            email: None,
        }),
        guest: None,
        parsed: Err("bad".into()),
        shape: Shape::Rect(2, 3),
    });
    assert_same(&IfLet {
        user: None,
        guest: Some(0),
        parsed: Ok(-1),
        shape: Shape::Point,
    });
    assert_same(&IfLet {
        user: None,
        guest: None,
        parsed: Err(String::new()),
        shape: Shape::Point,
    });
}

enum Status {
    Draft,
    Published { at: String, by: &'static str },
    Archived(String),
    Deleted,
    Hidden,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "if_match/match_enum.html")]
struct MatchEnum {
    status: Status,
    shape: Shape,
    maybe: Option<&'static str>,
}

#[test]
fn match_enums() {
    let statuses = || {
        vec![
            Status::Draft,
            Status::Published {
                at: "2024-01-01".into(),
                by: "<ed>",
            },
            Status::Archived("old & \"stale\"".into()),
            Status::Deleted,
            Status::Hidden,
        ]
    };
    let shapes = [Shape::Circle { r: 0.5 }, Shape::Rect(4, 5), Shape::Point];
    let maybes = [Some("foo"), Some("bar<"), None];
    for ((status, shape), maybe) in statuses()
        .into_iter()
        .zip(shapes)
        .zip(maybes.iter().cycle())
    {
        assert_same(&MatchEnum {
            status,
            shape,
            maybe: *maybe,
        });
    }
    for status in statuses() {
        assert_same(&MatchEnum {
            status,
            shape: Shape::Point,
            maybe: None,
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "if_match/match_literals.html")]
struct MatchLiterals {
    n: u32,
    word: String,
    flag: bool,
    letter: char,
    pair: (i32, i32),
    list: Vec<&'static str>,
}

#[test]
fn match_literals_tuples_slices() {
    let cases = [
        (0, "hello", true, 'a', (0, 5), vec![]),
        (2, "<b>", false, '<', (3, 0), vec!["x"]),
        (
            42,
            "other & more",
            true,
            '🦀',
            (1, 2),
            vec!["a", "b", "<c>"],
        ),
        (7, "", false, '"', (0, 0), vec!["p", "q"]),
    ];
    for (n, word, flag, letter, pair, list) in cases {
        assert_same(&MatchLiterals {
            n,
            word: word.into(),
            flag,
            letter,
            pair,
            list,
        });
    }
}

enum Priority {
    High,
    Low(String),
}

struct Task {
    done: bool,
    priority: Priority,
    tags: Vec<&'static str>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "if_match/nested.html")]
struct Nested {
    tasks: Vec<Task>,
}

#[test]
fn nested_if_match_for() {
    assert_same(&Nested { tasks: vec![] });
    assert_same(&Nested {
        tasks: vec![
            Task {
                done: true,
                priority: Priority::High,
                tags: vec![],
            },
            Task {
                done: true,
                priority: Priority::Low(String::new()),
                tags: vec!["x"],
            },
            Task {
                done: true,
                priority: Priority::Low("<later>".into()),
                tags: vec![],
            },
            Task {
                done: false,
                priority: Priority::High,
                tags: vec!["a", "b&c", "d"],
            },
            Task {
                done: false,
                priority: Priority::High,
                tags: vec![],
            },
        ],
    });
}
