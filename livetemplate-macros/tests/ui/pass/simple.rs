//! A plain struct with a file template: the live tree renders askama's bytes.

use askama::Template;
use livetemplate::LiveTemplate;

#[derive(Template, LiveTemplate)]
#[template(path = "ui_simple.html")]
struct Page {
    title: &'static str,
    items: Vec<&'static str>,
}

fn main() {
    let page = Page { title: "Fish & chips", items: vec!["cod", "<haddock>"] };
    let tree = LiveTemplate::render_tree(&page).expect("live render");
    assert_eq!(tree.to_html(), Template::render(&page).expect("askama render"));
    assert_eq!(Page::ACTIONS, &["add"]);
}
