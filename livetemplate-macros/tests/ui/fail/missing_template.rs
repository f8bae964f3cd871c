//! A `path` that names no file is an error naming the path and where it was looked for.

#[derive(livetemplate::LiveTemplate)]
#[template(path = "does-not-exist.html")]
struct Page;

fn main() {}
