//! A union cannot hold a template's state.

#[derive(livetemplate::LiveTemplate)]
#[template(source = "<p>{{ a }}</p>", ext = "html")]
union Page {
    a: u32,
    b: f32,
}

fn main() {}
