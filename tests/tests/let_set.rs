//! `let`/`set` assignments: shadowing, destructuring, `mut` with compound assignment, block form
//! (`{% let x %}…{% endlet %}`), `decl` then assign in branches, and `let` inside loops.

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "let_set/basic.html")]
struct Basic {
    name: String,
    items: Vec<&'static str>,
    pair: (i32, &'static str),
}

#[test]
fn let_set_shadowing_mut() {
    assert_same(&Basic {
        name: "world".into(),
        items: vec![],
        pair: (1, "a"),
    });
    assert_same(&Basic {
        name: "<Ünï & co>".into(),
        items: vec!["x", "<y>", "z"],
        pair: (-2, "\"b\""),
    });
    assert_same(&Basic {
        name: String::new(),
        items: vec!["solo"],
        pair: (0, ""),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "let_set/block.html")]
struct Block {
    title: String,
    sub: String,
    items: Vec<String>,
}

#[test]
fn let_set_blocks() {
    assert_same(&Block {
        title: "Title".into(),
        sub: String::new(),
        items: vec![],
    });
    assert_same(&Block {
        title: "<T&T>".into(),
        sub: "sub \"s\"".into(),
        items: vec!["a".into(), "<b>".into()],
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "let_set/decl.html")]
struct Decl {
    count: u32,
    name: Option<String>,
}

#[test]
fn declare_then_assign() {
    for count in [0, 1, 2, 100] {
        assert_same(&Decl { count, name: None });
        assert_same(&Decl {
            count,
            name: Some(format!("<n{count}>")),
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "let_set/in_loops.html")]
struct InLoops {
    items: Vec<&'static str>,
}

#[test]
fn let_inside_loops() {
    assert_same(&InLoops { items: vec![] });
    assert_same(&InLoops {
        items: vec!["one", "tw<o>", "ünï"],
    });
}
