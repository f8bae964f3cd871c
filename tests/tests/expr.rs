//! Expressions of every kind: fields, methods, indexing, tuples, operators, literals, casts,
//! ranges, `~`, `Option`s, paths, Rust macros, references, `?` and `is defined`.

use std::collections::BTreeMap;

use livetemplate_tests::{assert_both_fail, assert_same};

/// A constant read from a template as `crate::LIMIT`.
const LIMIT: u32 = 10;

fn shout(s: &str) -> String {
    format!("{}!", s.to_uppercase())
}

struct Point {
    x: u32,
    y: u32,
}

impl Point {
    fn origin() -> Self {
        Point { x: 0, y: 0 }
    }

    fn sum(&self) -> u32 {
        self.x + self.y
    }
}

struct Address {
    city: String,
    zip: &'static str,
}

struct User {
    name: String,
    address: Address,
    tags: Vec<&'static str>,
}

impl User {
    fn display_name(&self) -> String {
        format!("@{}", self.name)
    }

    fn initials(&self, n: usize) -> String {
        self.name.chars().take(n).collect()
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/fields.html")]
struct Fields {
    title: String,
    user: User,
    numbers: Vec<i64>,
    pair: (u8, &'static str),
    nested: ((bool, char), String),
    scores: BTreeMap<&'static str, u32>,
}

fn fields(title: &str, name: &str, city: &str, numbers: Vec<i64>) -> Fields {
    Fields {
        title: title.into(),
        user: User {
            name: name.into(),
            address: Address {
                city: city.into(),
                zip: "75<01>",
            },
            tags: vec!["a&b", "c"],
        },
        numbers,
        pair: (7, "seven"),
        nested: ((true, '<'), "n\"s".into()),
        scores: BTreeMap::from([("alice", 3), ("bob", 9)]),
    }
}

#[test]
fn fields_methods_indexing_tuples() {
    assert_same(&fields("Hello", "alice", "Paris", vec![1, 2, 3]));
    assert_same(&fields(
        "<b>Bold</b> & co",
        "O'Brien \"Ob\"",
        "Zürich 🏔",
        vec![-5],
    ));
    assert_same(&fields("", "", "", vec![0, i64::MAX, i64::MIN]));
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/ops.html")]
struct Ops {
    a: i32,
    b: i32,
    yes: bool,
    no: bool,
    x: f64,
}

#[test]
fn arithmetic_comparison_logic_bits() {
    assert_same(&Ops {
        a: 7,
        b: 3,
        yes: true,
        no: false,
        x: 2.5,
    });
    assert_same(&Ops {
        a: 3,
        b: 3,
        yes: false,
        no: true,
        x: -0.0,
    });
    assert_same(&Ops {
        a: -12,
        b: 5,
        yes: true,
        no: true,
        x: 1e10,
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/literals.html")]
struct Literals {
    name: String,
}

#[test]
fn literals_and_concatenation() {
    assert_same(&Literals { name: "x".into() });
    assert_same(&Literals {
        name: "<&\"'>".into(),
    });
    assert_same(&Literals {
        name: String::new(),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/casts_ranges.html")]
struct CastsRanges {
    n: usize,
    f: f64,
    big: u32,
    flag: bool,
    c: char,
}

#[test]
fn casts_and_ranges() {
    for n in [0, 1, 3, 7] {
        assert_same(&CastsRanges {
            n,
            f: -3.75,
            big: 300,
            flag: n % 2 == 1,
            c: '€',
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/option.html")]
struct OptionPage {
    nick: Option<String>,
    age: Option<u8>,
    pair: Option<(i32, &'static str)>,
}

#[test]
fn options_and_if_let() {
    assert_same(&OptionPage {
        nick: Some("<neo>".into()),
        age: Some(30),
        pair: Some((1, "one")),
    });
    assert_same(&OptionPage {
        nick: None,
        age: Some(1),
        pair: None,
    });
    assert_same(&OptionPage {
        nick: Some(String::new()),
        age: None,
        pair: Some((-1, "<&>")),
    });
    assert_same(&OptionPage {
        nick: None,
        age: None,
        pair: None,
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/calls.html")]
struct Calls {
    name: String,
    count: u32,
    adder: fn(u32) -> u32,
}

impl Calls {
    fn kind() -> &'static str {
        "<calls>"
    }

    fn greet(&self, greeting: &str) -> String {
        format!("{greeting}, {}", self.name)
    }
}

#[test]
fn paths_functions_macros_refs_defined() {
    assert_same(&Calls {
        name: "bob".into(),
        count: 3,
        adder: |n| n + 100,
    });
    assert_same(&Calls {
        name: "<a href='x'>banana</a>".into(),
        count: 0,
        adder: |n| n * 2,
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "expr/result_q.html")]
struct ResultQ {
    input: &'static str,
}

impl ResultQ {
    fn parse(&self) -> Result<i32, std::num::ParseIntError> {
        self.input.parse()
    }
}

#[test]
fn question_mark_operator() {
    assert_same(&ResultQ { input: "21" });
    assert_same(&ResultQ { input: "-4" });
    assert_both_fail(&ResultQ { input: "<nope>" });
    assert_both_fail(&ResultQ { input: "" });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "<i>{{ a }}</i>{{ a ~ \" & \" ~ b }}<b title=\"{{ b }}\">{{ a.len() + b.len() }}</b>",
    ext = "html"
)]
struct Inline {
    a: &'static str,
    b: String,
}

#[test]
fn inline_source() {
    assert_same(&Inline {
        a: "x",
        b: "y".into(),
    });
    assert_same(&Inline {
        a: "\"'",
        b: "<>&".into(),
    });
    assert_same(&Inline {
        a: "",
        b: String::new(),
    });
}
