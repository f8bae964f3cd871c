//! `include`: at top level, nested (an included template including another), inside loops with
//! access to loop variables, inside `if` branches, relative paths, and with whitespace control.

use livetemplate_tests::assert_same;

struct Item {
    id: u32,
    name: String,
    urgent: bool,
}

fn items(n: u32) -> Vec<Item> {
    (0..n)
        .map(|i| Item {
            id: 100 + i,
            name: format!("item <{i}> & co"),
            urgent: i % 3 == 0,
        })
        .collect()
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "include/page.html")]
struct Page {
    title: String,
    items: Vec<Item>,
    show_footer: bool,
}

#[test]
fn includes_everywhere() {
    assert_same(&Page {
        title: "Empty".into(),
        items: items(0),
        show_footer: false,
    });
    assert_same(&Page {
        title: "<Some> & \"Things\"".into(),
        items: items(4),
        show_footer: true,
    });
    assert_same(&Page {
        title: String::new(),
        items: items(1),
        show_footer: true,
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "include/ws.html")]
struct IncludeWs {
    items: Vec<Item>,
}

#[test]
fn include_with_whitespace_control() {
    assert_same(&IncludeWs { items: items(0) });
    assert_same(&IncludeWs { items: items(3) });
}
