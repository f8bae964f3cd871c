//! A controller must say how a session's state is built.

use livetemplate::{Context, LiveTemplate, live_controller};

#[derive(Clone, LiveTemplate)]
#[template(source = r#"<button name="add">Add</button>"#, ext = "html")]
struct Page {
    count: u32,
}

struct Controller;

#[live_controller]
impl Controller {
    pub fn add(&self, state: &mut Page, _ctx: &mut Context) {
        state.count += 1;
    }
}

fn main() {}
