//! A syntax error in a template file names the file, the line and the column.

#[derive(livetemplate::LiveTemplate)]
#[template(path = "ui_syntax_error.html")]
struct Page {
    title: String,
    items: Vec<String>,
}

fn main() {}
