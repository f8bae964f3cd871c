//! The derive needs a `#[template(...)]` attribute to know what to render.

#[derive(livetemplate::LiveTemplate)]
struct Page {
    title: String,
}

fn main() {}
