//! With per-variant templates, a variant without one needs a template on the enum (askama's rule).

#[derive(livetemplate::LiveTemplate)]
#[template(ext = "html")]
enum Page {
    #[template(source = "<p>{{ self.0 }}</p>")]
    Full(u32),
    Empty,
}

fn main() {}
