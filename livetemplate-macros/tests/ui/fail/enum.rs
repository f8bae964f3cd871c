//! askama's per-variant templates are not supported: one template on the enum is.

#[derive(livetemplate::LiveTemplate)]
#[template(ext = "html")]
enum Page {
    #[template(source = "<p>empty</p>")]
    Empty,
    #[template(source = "<p>{{ self.0 }}</p>")]
    Full(u32),
}

fn main() {}
