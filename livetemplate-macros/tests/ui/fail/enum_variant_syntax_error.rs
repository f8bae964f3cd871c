//! An error in a variant's template points at that variant's attribute.

#[derive(livetemplate::LiveTemplate)]
#[template(ext = "html")]
enum Page {
    #[template(source = "<p>{{ self.0 }}</p>")]
    Full(u32),
    #[template(source = "<p>{% if %}</p>")]
    Broken,
}

fn main() {}
