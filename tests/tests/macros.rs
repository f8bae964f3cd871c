//! Macros: definitions with default arguments, positional and named arguments, calls in loops,
//! `import` from another file, `call` blocks with `caller()`, `caller` arguments and
//! `caller is defined`.

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "macros/basic.html")]
struct Basic {
    title: String,
    items: Vec<(u32, &'static str)>,
}

#[test]
fn macros_with_defaults_and_named_args() {
    assert_same(&Basic {
        title: "Hi".into(),
        items: vec![],
    });
    assert_same(&Basic {
        title: "<T> & \"t\"".into(),
        items: vec![(1, "one"), (2, "<two>")],
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "macros/imported.html")]
struct Imported {
    value: String,
    count: i32,
    entries: Vec<String>,
}

#[test]
fn imported_macros() {
    assert_same(&Imported {
        value: "v".into(),
        count: 3,
        entries: vec![],
    });
    assert_same(&Imported {
        value: "\"quoted\" <v>".into(),
        count: -7,
        entries: vec!["a".into(), "b&c".into()],
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "macros/caller.html")]
struct Caller {
    title: String,
    who: &'static str,
    entries: Vec<&'static str>,
}

#[test]
fn call_blocks_and_caller() {
    assert_same(&Caller {
        title: "T".into(),
        who: "you",
        entries: vec![],
    });
    assert_same(&Caller {
        title: "<Title>".into(),
        who: "O'Neil & co",
        entries: vec!["x", "<y>", "z"],
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "macros/in_loops.html")]
struct InLoops {
    rows: Vec<Vec<String>>,
}

#[test]
fn macros_in_loops() {
    assert_same(&InLoops { rows: vec![] });
    assert_same(&InLoops {
        rows: vec![
            vec!["a".into(), "b".into()],
            vec!["<c>".into(), "d".into(), "e".into()],
            vec![],
        ],
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "macros/advanced.html")]
struct Advanced {
    title: String,
    items: Vec<&'static str>,
}

#[test]
fn defaults_from_expressions_and_nested_calls() {
    assert_same(&Advanced {
        title: "t".into(),
        items: vec![],
    });
    assert_same(&Advanced {
        title: "<T & t>".into(),
        items: vec!["a", "", "<c>"],
    });
}
