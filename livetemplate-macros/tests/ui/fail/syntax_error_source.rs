//! A syntax error in an inline `source` (an `if` never closed) points into the source.

#[derive(livetemplate::LiveTemplate)]
#[template(source = "<p>{% if ready %}ready</p>", ext = "html")]
struct Page {
    ready: bool,
}

fn main() {}
