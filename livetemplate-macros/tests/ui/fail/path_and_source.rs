//! `path` and `source` together are ambiguous: exactly one must be given.

#[derive(livetemplate::LiveTemplate)]
#[template(path = "ui_simple.html", source = "<p>hi</p>", ext = "html")]
struct Page;

fn main() {}
