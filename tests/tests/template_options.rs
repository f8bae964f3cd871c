//! Options of the `#[template(...)]` attribute and of the item: `block = "…"` fragments,
//! lifetimes, type and const generics with `where` clauses.

use std::fmt::Display;

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "options/fragments.html")]
struct Whole<'a> {
    title: &'a str,
    items: Vec<u32>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "options/fragments.html", block = "content")]
struct ContentFragment {
    items: Vec<u32>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "options/fragments.html", block = "footer")]
struct FooterFragment<'a> {
    title: &'a str,
}

#[test]
fn block_fragments() {
    for items in [vec![], vec![1], vec![3, 1, 2]] {
        assert_same(&Whole {
            title: "<t>",
            items: items.clone(),
        });
        assert_same(&ContentFragment { items });
    }
    assert_same(&FooterFragment {
        title: "foot & 🦶"
    });
    assert_same(&FooterFragment { title: "" });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "options/generic.html")]
struct Generic<'a, T, const N: usize, U = &'static str>
where
    T: Display,
    U: Display,
{
    items: [T; N],
    label: &'a str,
    extra: U,
}

#[test]
fn generics_lifetimes_const_generics() {
    assert_same(&Generic {
        items: [1, 2, 3],
        label: "<nums>",
        extra: "x",
    });
    assert_same(&Generic::<&str, 0, char> {
        items: [],
        label: "",
        extra: '&',
    });
    assert_same(&Generic {
        items: ["<a>".to_string(), "b".to_string()],
        label: "strings",
        extra: 1.5,
    });
}
