//! A template names a `#[server_only]` action: the build fails and says that clients cannot
//! call it.

use livetemplate::{Context, LiveTemplate, live_controller};

#[derive(Clone, LiveTemplate)]
#[template(source = r#"<button name="send">Send</button><button name="receive">Refresh</button>"#, ext = "html")]
struct Page {
    count: u32,
}

struct Chat;

#[live_controller]
impl Chat {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Page> {
        Ok(Page { count: 0 })
    }

    pub fn send(&self, _state: &mut Page, _ctx: &mut Context) {}

    #[server_only]
    pub fn receive(&self, state: &mut Page, _ctx: &mut Context) {
        state.count += 1;
    }
}

fn main() {}
