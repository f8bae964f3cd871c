//! A template naming a field the struct lacks is an error pointing at the template expression.

#[derive(livetemplate::LiveTemplate)]
#[template(source = "<h1>{{ titel }}</h1>", ext = "html")]
struct Page {
    title: String,
}

fn main() {}
