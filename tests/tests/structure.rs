//! The shape of the `Rendered` tree: `{{ x }}` is a text slot, `if`/`match` a node slot, `for` a
//! list slot keyed by `data-key`/`id` on the item's root element; statics tables are shared
//! between renders and differ between branches.

use livetemplate::render::{List, Node, Slot, Slots};
use livetemplate_tests::{assert_same, shape, slot_kinds};

/// askama's HTML escaping of `s`, as a slot value holds it.
fn escaped(s: &str) -> String {
    match askama::filters::escape(s, askama::filters::Html) {
        Ok(safe) => safe.to_string(),
        Err(never) => match never {},
    }
}

/// Slot `i` of `slots`, panicking when there is none.
fn slot(mut slots: Slots<'_>, i: usize) -> Slot<'_> {
    match slots.nth(i) {
        Some(slot) => slot,
        None => panic!("expected a slot at index {i}"),
    }
}

fn text(d: Slot<'_>) -> &str {
    match d {
        Slot::Text(t) => t,
        other => panic!("expected a text slot, got {other:?}"),
    }
}

fn node(d: Slot<'_>) -> Node<'_> {
    match d {
        Slot::Node(n) => n,
        other => panic!("expected a node slot, got {other:?}"),
    }
}

fn list(d: Slot<'_>) -> List<'_> {
    match d {
        Slot::List(l) => l,
        other => panic!("expected a list slot, got {other:?}"),
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/text.html")]
struct Text<'a> {
    x: &'a str,
}

#[test]
fn expression_is_a_text_slot() {
    for x in ["plain", "<b>&\"'", ""] {
        let tree = assert_same(&Text { x });
        assert_eq!(tree.statics().parts(), &["<p>", "</p>"], "{}", shape(&tree));
        assert_eq!(slot_kinds(&tree), ["text"]);
        assert_eq!(text(slot(tree.slots(), 0)), escaped(x));
    }
}

#[test]
fn renders_share_one_statics_table() {
    let a = assert_same(&Text { x: "a" });
    let b = assert_same(&Text {
        x: "<something else>",
    });
    assert!(std::ptr::eq(a.statics(), b.statics()));
    assert_eq!(a.statics().fingerprint(), b.statics().fingerprint());
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/attrs.html")]
struct Attrs<'a> {
    x: &'a str,
    y: &'a str,
}

#[test]
fn attribute_with_several_expressions() {
    let tree = assert_same(&Attrs {
        x: "one",
        y: "<two>",
    });
    assert_eq!(
        tree.statics().parts(),
        &["<div class=\"a ", " b ", "\">", "</div>"],
        "{}",
        shape(&tree)
    );
    assert_eq!(slot_kinds(&tree), ["text", "text", "text"]);
    assert_eq!(text(slot(tree.slots(), 1)), escaped("<two>"));
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/branch.html")]
struct Branch<'a> {
    flag: bool,
    x: &'a str,
}

#[test]
fn if_is_a_node_slot_with_a_table_per_branch() {
    let on = assert_same(&Branch {
        flag: true,
        x: "<x>",
    });
    let on2 = assert_same(&Branch { flag: true, x: "y" });
    let off = assert_same(&Branch {
        flag: false,
        x: "<x>",
    });
    assert_eq!(on.statics().parts(), &["<div>", "</div>"], "{}", shape(&on));
    assert_eq!(slot_kinds(&on), ["node"]);
    assert_eq!(slot_kinds(&off), ["node"]);
    assert!(std::ptr::eq(on.statics(), off.statics()));

    let (on, on2, off) = (
        node(slot(on.slots(), 0)),
        node(slot(on2.slots(), 0)),
        node(slot(off.slots(), 0)),
    );
    assert_eq!(on.statics().parts(), &["<b>", "</b>"]);
    assert_eq!(text(slot(on.slots(), 0)), escaped("<x>"));
    assert_eq!(off.statics().parts(), &["<i>no</i>"]);
    assert!(off.slots().next().is_none());
    assert!(std::ptr::eq(on.statics(), on2.statics()));
    assert_eq!(on.statics().fingerprint(), on2.statics().fingerprint());
    assert_ne!(on.statics().fingerprint(), off.statics().fingerprint());
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/match.html")]
struct Match<'a> {
    m: Option<&'a str>,
}

#[test]
fn match_is_a_node_slot_with_a_table_per_arm() {
    let some = assert_same(&Match { m: Some("<v>") });
    let none = assert_same(&Match { m: None });
    assert_eq!(slot_kinds(&some), ["node"]);
    assert_eq!(slot_kinds(&none), ["node"]);
    let (some, none) = (node(slot(some.slots(), 0)), node(slot(none.slots(), 0)));
    assert_eq!(some.statics().parts(), &["<b>", "</b>"]);
    assert_eq!(none.statics().parts(), &["<i>none</i>"]);
    assert_ne!(some.statics().fingerprint(), none.statics().fingerprint());
}

struct Item {
    id: String,
    name: String,
}

fn items(ids: &[&str]) -> Vec<Item> {
    ids.iter()
        .map(|id| Item {
            id: id.to_string(),
            name: format!("name of {id}"),
        })
        .collect()
}

const IDS: &[&str] = &["1", "b<2>", "c&\"3\""];

/// Renders a single-loop template for no items and for [`IDS`], checks the list slot and its
/// key slot, and that both renders share the list's statics table.
macro_rules! check_list {
    ($ty:ident, $key_slot:expr) => {{
        let empty = assert_same(&$ty { items: items(&[]) });
        let full = assert_same(&$ty { items: items(IDS) });
        assert_eq!(slot_kinds(&full), ["list"], "{}", shape(&full));
        let (empty, full_list) = (list(slot(empty.slots(), 0)), list(slot(full.slots(), 0)));
        assert!(empty.is_empty());
        assert_eq!(full_list.items().count(), IDS.len());
        assert!(std::ptr::eq(empty.statics(), full_list.statics()));
        assert_eq!(full_list.key_slot(), $key_slot, "{}", shape(&full));
        let keys: Vec<_> = full_list
            .items()
            .map(|item| item.key().map(str::to_owned))
            .collect();
        let expected: Vec<_> = IDS
            .iter()
            .map(|id| $key_slot.map(|_: usize| escaped(id)))
            .collect();
        assert_eq!(keys, expected);
        full
    }};
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/keyed_data_key.html")]
struct KeyedDataKey {
    items: Vec<Item>,
}

#[test]
fn for_is_a_list_keyed_by_data_key() {
    let tree = check_list!(KeyedDataKey, Some(0));
    assert_eq!(tree.statics().parts(), &["<ul>", "</ul>"]);
    let l = list(slot(tree.slots(), 0));
    assert_eq!(
        l.statics().parts(),
        &["<li data-key=\"", "\">", "</li>"],
        "{}",
        shape(&tree)
    );
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/keyed_id.html")]
struct KeyedId {
    items: Vec<Item>,
}

#[test]
fn for_is_a_list_keyed_by_id() {
    check_list!(KeyedId, Some(0));
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/keyed_second_slot.html")]
struct KeyedSecondSlot {
    items: Vec<Item>,
}

#[test]
fn key_slot_is_the_data_key_slot_not_the_first() {
    check_list!(KeyedSecondSlot, Some(1));
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/keyed_whitespace.html")]
struct KeyedWhitespace {
    items: Vec<Item>,
}

#[test]
fn key_on_root_element_after_leading_whitespace() {
    check_list!(KeyedWhitespace, Some(0));
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/unkeyed.html")]
struct Unkeyed {
    items: Vec<Item>,
}

#[test]
fn for_without_key_attribute_has_no_key_slot() {
    check_list!(Unkeyed, None);
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/key_not_on_root.html")]
struct KeyNotOnRoot {
    items: Vec<Item>,
}

#[test]
fn data_key_below_the_root_element_is_not_a_key() {
    check_list!(KeyNotOnRoot, None);
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/nested.html")]
struct Nested {
    show: bool,
    items: Vec<Item>,
}

#[test]
fn list_inside_a_branch() {
    let tree = assert_same(&Nested {
        show: true,
        items: items(IDS),
    });
    let inner = node(slot(tree.slots(), 0));
    assert_eq!(
        inner.statics().parts(),
        &["<ul>", "</ul>"],
        "{}",
        shape(&tree)
    );
    let l = list(slot(inner.slots(), 0));
    assert_eq!(l.key_slot(), Some(0));
    assert_eq!(l.items().count(), IDS.len());
    let hidden = assert_same(&Nested {
        show: false,
        items: items(IDS),
    });
    assert!(std::ptr::eq(tree.statics(), hidden.statics()));
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/static.html")]
struct Static;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "structure/static_include.html")]
struct StaticInclude;

#[test]
fn static_text_is_one_part() {
    let tree = assert_same(&Static);
    assert_eq!(
        tree.statics().parts(),
        &["<header>static only &amp; no slots</header>"]
    );
    assert!(tree.slots().next().is_none());
    let tree = assert_same(&StaticInclude);
    assert_eq!(
        tree.statics().parts(),
        &["<main><header>static only &amp; no slots</header></main>"],
        "an include is flattened and its text merged with the surrounding statics"
    );
    assert!(tree.slots().next().is_none());
}

#[test]
fn different_templates_have_different_fingerprints() {
    let a = assert_same(&Static).statics().fingerprint();
    let b = assert_same(&StaticInclude).statics().fingerprint();
    let c = assert_same(&Text { x: "" }).statics().fingerprint();
    assert_ne!(a, b);
    assert_ne!(a, c);
    assert_ne!(b, c);
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(source = "{{ a }}{{ b }}", ext = "html")]
struct Adjacent<'a> {
    a: &'a str,
    b: &'a str,
}

#[test]
fn adjacent_slots_have_empty_parts_between() {
    for (a, b) in [("x", "y"), ("", ""), ("<", ">")] {
        let tree = assert_same(&Adjacent { a, b });
        assert_eq!(tree.statics().parts(), &["", "", ""], "{}", shape(&tree));
        assert_eq!(slot_kinds(&tree), ["text", "text"]);
    }
}
