//! Template inheritance: `extends` over three levels, `block` overrides, `super()` at every
//! level, nested blocks, blocks containing loops and conditions, and whitespace control in blocks.

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "extends/base.html")]
struct Base {
    title: String,
}

#[test]
fn base_alone() {
    assert_same(&Base {
        title: "Home".into(),
    });
    assert_same(&Base {
        title: "<Home & \"Away\">".into(),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "extends/mid.html")]
struct Mid {
    title: String,
}

#[test]
fn two_levels() {
    assert_same(&Mid {
        title: "Mid".into(),
    });
    assert_same(&Mid {
        title: String::new(),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "extends/child.html")]
struct Child {
    title: String,
    page: &'static str,
    entries: Vec<(u32, String)>,
    note: Option<String>,
}

#[test]
fn three_levels_with_super() {
    assert_same(&Child {
        title: "Blog".into(),
        page: "Index",
        entries: vec![],
        note: None,
    });
    assert_same(&Child {
        title: "Blog <b>".into(),
        page: "Post & \"Comments\"",
        entries: vec![(1, "first".into()), (2, "<second>".into())],
        note: Some("note 🦀".into()),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "extends/simple_child.html")]
struct SimpleChild {
    title: String,
}

#[test]
fn partial_override() {
    assert_same(&SimpleChild {
        title: "Simple".into(),
    });
    assert_same(&SimpleChild {
        title: "'quoted'".into(),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "extends/nested_blocks.html")]
struct NestedBlocks {
    title: String,
    flag: bool,
}

#[test]
fn nested_blocks_and_whitespace() {
    assert_same(&NestedBlocks {
        title: "N".into(),
        flag: true,
    });
    assert_same(&NestedBlocks {
        title: "<n>".into(),
        flag: false,
    });
}
