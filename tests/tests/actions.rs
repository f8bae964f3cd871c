//! `ACTIONS`: the action names a template uses in static attributes, deduplicated, in order of
//! first appearance; dynamic names, plain form fields and `lvt-mod:*` are not actions.

use livetemplate::LiveTemplate;
use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "actions/buttons.html")]
struct Buttons {
    title: String,
    id: u32,
    dynamic: String,
    todos: Vec<u32>,
    flag: bool,
}

#[test]
fn actions_are_listed_in_order_without_duplicates() {
    assert_eq!(
        Buttons::ACTIONS,
        &[
            "create",
            "update",
            "save",
            "add",
            "publish",
            "preview",
            "toggle",
            "search",
            "filter_list",
            "delete",
            "archive",
        ]
    );
}

#[test]
fn buttons_render_the_same() {
    assert_same(&Buttons {
        title: "t".into(),
        id: 1,
        dynamic: "dyn".into(),
        todos: vec![],
        flag: false,
    });
    assert_same(&Buttons {
        title: "<\"t\">".into(),
        id: 2,
        dynamic: "not_listed".into(),
        todos: vec![1, 2],
        flag: true,
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "actions/composed.html")]
struct Composed;

#[test]
fn actions_from_includes_and_macros() {
    assert_same(&Composed);
    assert_eq!(
        Composed::ACTIONS,
        &["first", "from_include", "from_macro", "last"]
    );
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "actions/none.html")]
struct NoActions {
    title: String,
}

#[test]
fn form_fields_are_not_actions() {
    assert_same(&NoActions {
        title: "<x>".into(),
    });
    assert!(
        NoActions::ACTIONS.is_empty(),
        "unexpected actions: {:?}",
        NoActions::ACTIONS
    );
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "<button name=\"inc\">+</button>{{ n }}<button name=\"dec\">-</button><button lvt-on:click=\"inc\">again</button>",
    ext = "html"
)]
struct Counter {
    n: i64,
}

#[test]
fn inline_source_actions() {
    assert_eq!(Counter::ACTIONS, &["inc", "dec"]);
    for n in [0, -1, i64::MAX] {
        assert_same(&Counter { n });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "actions/edge.html")]
struct Edge {
    id: u32,
    action: &'static str,
}

#[test]
fn attribute_syntax_edge_cases() {
    assert_same(&Edge {
        id: 1,
        action: "dynamic",
    });
    assert_same(&Edge {
        id: 0,
        action: "<x>",
    });
    assert_eq!(Edge::ACTIONS, &["single", "multi", "save2"]);
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "actions/unquoted.html")]
struct Unquoted;

#[test]
fn unquoted_attribute_values_name_actions() {
    assert_same(&Unquoted);
    assert_eq!(Unquoted::ACTIONS, &["bare", "bare2"]);
}
