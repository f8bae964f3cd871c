//! askama's per-variant enum templates: each variant renders its own template, with `self` a
//! struct borrowing the variant's fields (and `Self` the enum); variants without a template use
//! the enum's.

use askama::Template;
use livetemplate::LiveTemplate;

#[derive(Template, LiveTemplate)]
#[template(source = "{% match self %}{% when Self::Unit %}<hr>{% else %}?{% endmatch %}", ext = "html")]
enum Page {
    #[template(source = "<b>{{ self.0 }}</b><button name=\"bold\">b</button>")]
    Bold(String),
    #[template(source = "<a href=\"{{ href }}\">{{ text }}</a>")]
    Link { href: &'static str, text: String },
    Unit,
}

/// A recursive enum naming itself `Self` in a field: only livetemplate (askama's variant structs
/// take `Self` there as themselves).
#[derive(LiveTemplate)]
#[template(ext = "html")]
enum Tree {
    #[template(source = "<li>{{ self.0 }}</li>")]
    Leaf(u32),
    #[template(source = "<ul>{% for child in self.0 %}{{ child.render_tree()?.to_html()|safe }}{% endfor %}</ul>")]
    Node(Vec<Self>),
}

/// A `where` clause and an unsized parameter (askama's variant structs drop the `where` clause).
#[derive(LiveTemplate)]
#[template(ext = "html")]
enum Wrapped<'a, T>
where
    T: std::fmt::Display + ?Sized,
{
    #[template(source = "<p>{{ self.0 }}</p>")]
    Value(&'a T),
    #[template(source = "<p>{{ first }}, {{ rest.len() }} more</p>")]
    List { first: &'a T, rest: Vec<&'a T> },
}

fn main() {
    for page in [
        Page::Bold("<fish & chips>".into()),
        Page::Link { href: "/a?b=1&c=2", text: "link".into() },
        Page::Unit,
    ] {
        let tree = LiveTemplate::render_tree(&page).expect("live render");
        assert_eq!(tree.to_html(), Template::render(&page).expect("askama render"));
    }
    assert_eq!(Page::ACTIONS, &["bold"]);

    let tree = Tree::Node(vec![Tree::Leaf(1), Tree::Node(vec![Tree::Leaf(2)])]);
    let html = LiveTemplate::render_tree(&tree).expect("live render").to_html();
    assert_eq!(html, "<ul><li>1</li><ul><li>2</li></ul></ul>");

    let value = Wrapped::<str>::Value("<str>");
    let html = LiveTemplate::render_tree(&value).expect("live render").to_html();
    assert_eq!(html, "<p>&#60;str&#62;</p>");
    let list: Wrapped<'_, str> = Wrapped::List { first: "a", rest: vec!["b", "c"] };
    let html = LiveTemplate::render_tree(&list).expect("live render").to_html();
    assert_eq!(html, "<p>a, 2 more</p>");
}
