//! `#[server_only]` on a method that is not an action (no state, no context), and with
//! arguments: each is an error on the attribute.

use livetemplate::{Context, LiveTemplate, live_controller};

#[derive(Clone, LiveTemplate)]
#[template(source = r#"<p>{{ count }}</p>"#, ext = "html")]
struct Page {
    count: u32,
}

struct Controller;

#[live_controller]
impl Controller {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Page> {
        Ok(Page { count: 0 })
    }

    #[server_only]
    pub fn helper(&self, count: u32) -> u32 {
        count + 1
    }
}

struct Other;

#[live_controller]
impl Other {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Page> {
        Ok(Page { count: 0 })
    }

    #[server_only(topic = "room")]
    pub fn receive(&self, state: &mut Page, _ctx: &mut Context) {
        state.count += 1;
    }
}

fn main() {}
