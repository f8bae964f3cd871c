//! A template names an action the controller has no method for: the build fails and says
//! which template, which action, and the closest method.

use livetemplate::{Context, LiveTemplate, live_controller};

#[derive(Clone, LiveTemplate)]
#[template(source = r#"<button name="ad">Add</button><button name="clear">Clear</button>"#, ext = "html")]
struct Page {
    count: u32,
}

struct Controller;

#[live_controller]
impl Controller {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Page> {
        Ok(Page { count: 0 })
    }

    pub fn add(&self, state: &mut Page, _ctx: &mut Context) {
        state.count += 1;
    }

    pub fn clear(&self, state: &mut Page, _ctx: &mut Context) {
        state.count = 0;
    }
}

fn main() {}
