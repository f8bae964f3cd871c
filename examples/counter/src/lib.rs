//! The smallest live page: a counter with increment, decrement and reset.
//!
//! The state is one struct deriving both askama's `Template` and `LiveTemplate`; the actions
//! are the controller's methods, named like the buttons. Each browser (session) has its own
//! count, shared by its tabs (`ctx.sync()`). The page works without JavaScript too: the buttons
//! sit in a plain form that posts and is redirected back.

use askama::Template;
use livetemplate::LiveRouter;
use livetemplate::{Context, LiveTemplate, live_controller};

/// The page's state.
#[derive(Debug, Clone, Template, LiveTemplate)]
#[template(path = "counter.html")]
pub struct Counter {
    /// The current count.
    pub count: i64,
}

/// The counter's actions.
#[derive(Debug, Default)]
pub struct CounterController;

#[live_controller]
impl CounterController {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Counter> {
        Ok(Counter { count: 0 })
    }

    /// Adds one; the browser's other tabs follow.
    pub fn increment(&self, state: &mut Counter, ctx: &mut Context) {
        state.count += 1;
        ctx.sync();
    }

    /// Subtracts one.
    pub fn decrement(&self, state: &mut Counter, ctx: &mut Context) {
        state.count -= 1;
        ctx.sync();
    }

    /// Back to zero.
    pub fn reset(&self, state: &mut Counter, ctx: &mut Context) {
        state.count = 0;
        ctx.sync();
    }
}

/// The app: the counter at `/`.
pub fn router() -> LiveRouter {
    LiveRouter::with_config(livetemplate::Config::new().title("Counter"))
        .route("/", CounterController)
}
