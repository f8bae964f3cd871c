//! `#[server_only]` marks actions; a lifecycle hook is called by the runtime alone.

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
    async fn on_connect(&self, _state: &mut Page, _ctx: &mut Context) -> livetemplate::Result {
        Ok(())
    }
}

fn main() {}
