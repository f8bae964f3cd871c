//! `#[server_only]` actions: run by broadcasts and pushes (through `dispatch`), listed apart
//! from the client actions, and free to be private.

use livetemplate::FormData;
use livetemplate::{Context, LiveController, LiveTemplate, live_controller};

#[derive(Clone, LiveTemplate)]
#[template(source = r#"<p>{{ count }}</p><button name="send">Send</button>"#, ext = "html")]
struct Page {
    count: u32,
}

struct Controller;

#[live_controller]
impl Controller {
    fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Page> {
        Ok(Page { count: 0 })
    }

    pub fn send(&self, _state: &mut Page, ctx: &mut Context) {
        ctx.broadcast_action("room", "receive", FormData::new());
    }

    /// Pushed with the number to add.
    #[server_only]
    pub async fn receive(&self, state: &mut Page, ctx: &mut Context) -> livetemplate::Result {
        state.count += ctx.get::<u32>("by").unwrap_or(1);
        Ok(())
    }

    /// Private, yet an action: the marker says so.
    #[server_only]
    fn reset(&self, state: &mut Page, _ctx: &mut Context) {
        state.count = 0;
    }
}

/// Polls a future that never waits (these actions do not).
fn now<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the action waited"),
    }
}

fn main() {
    assert_eq!(Controller::ACTIONS, &["send"]);
    assert_eq!(Controller::SERVER_ACTIONS, &["receive", "reset"]);
    let mut state = Page { count: 0 };
    let mut data = FormData::new();
    data.insert("by", "2");
    let mut ctx = Context::new("s").with_action("receive", data);
    now(Controller.dispatch("receive", &mut state, &mut ctx)).unwrap();
    assert_eq!(state.count, 2);
    let mut ctx = Context::new("s");
    now(Controller.dispatch("reset", &mut state, &mut ctx)).unwrap();
    assert_eq!(state.count, 0);
}
