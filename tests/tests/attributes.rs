//! Attributes built from several expressions and literal text, conditional attributes, and form
//! controls whose values come from data.

use livetemplate_tests::{TRICKY_STRINGS, assert_same};

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "attributes/class.html")]
struct Class<'a> {
    x: &'a str,
    y: &'a str,
    id: u32,
    color: &'a str,
    width: f32,
    active: bool,
}

#[test]
fn attributes_from_several_expressions() {
    for (i, x) in TRICKY_STRINGS.iter().enumerate() {
        let y = TRICKY_STRINGS[(i + 3) % TRICKY_STRINGS.len()];
        assert_same(&Class {
            x,
            y,
            id: i as u32,
            color: "red",
            width: i as f32 * 10.5,
            active: i % 2 == 0,
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "attributes/form.html")]
struct Form<'a> {
    id: u32,
    title: &'a str,
    required: bool,
    rows: u8,
    body: &'a str,
    colors: Vec<&'a str>,
    selected: &'a str,
    tags: Vec<String>,
}

#[test]
fn form_controls() {
    assert_same(&Form {
        id: 1,
        title: "",
        required: false,
        rows: 3,
        body: "",
        colors: vec![],
        selected: "",
        tags: vec![],
    });
    assert_same(&Form {
        id: 42,
        title: "A \"quoted\" <title> & 'more'",
        required: true,
        rows: 10,
        body: "line 1\n<line 2>\n",
        colors: vec!["red", "green", "<blue>"],
        selected: "green",
        tags: vec!["x".into(), "y&z".into()],
    });
}
