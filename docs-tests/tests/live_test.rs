//! Testing a controller with `LiveTest`: no browser and no socket, but every step is rendered,
//! diffed, encoded and applied by the reference client.

use livetemplate::controller::Effect;
use livetemplate::testing::{LiveTest, TestError};
use livetemplate::{ActionError, Context, LiveTemplate, live_controller};

#[derive(Clone, LiveTemplate)]
#[template(path = "counter.html")]
struct Counter {
    count: i64,
}

struct CounterController;

#[live_controller]
impl CounterController {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Counter> {
        Ok(Counter { count: 0 })
    }

    pub(crate) fn increment(&self, state: &mut Counter, ctx: &mut Context) {
        state.count += 1;
        ctx.sync();
    }

    pub(crate) fn decrement(&self, state: &mut Counter, ctx: &mut Context) -> livetemplate::Result {
        if state.count == 0 {
            return Err(ActionError::new("the count cannot go below zero"));
        }
        state.count -= 1;
        ctx.sync();
        Ok(())
    }
}

#[tokio::test]
async fn a_click_sends_only_the_changed_slot() -> Result<(), TestError> {
    let mut page = LiveTest::mount(CounterController).await?;
    assert!(page.html().starts_with("<h1>Count: 0</h1>"));

    page.click("increment").await?;
    assert!(page.succeeded());
    assert_eq!(page.state().count, 1);
    assert!(page.html().starts_with("<h1>Count: 1</h1>"));
    // What went over the wire: only slot 0 (a whole number travels as a JSON number).
    assert_eq!(page.last_patch(), r#"{"0":1}"#);
    // The other tabs are asked to follow.
    assert_eq!(page.effects(), &[Effect::Sync]);
    Ok(())
}

#[tokio::test]
async fn a_failing_action_changes_nothing() -> Result<(), TestError> {
    let mut page = LiveTest::mount(CounterController).await?;
    page.click("decrement").await?;
    assert!(!page.succeeded());
    let message = page.errors().get("_").map(String::as_str);
    assert_eq!(message, Some("the count cannot go below zero"));
    assert_eq!(page.state().count, 0);
    assert_eq!(page.last_patch(), "{}");
    assert!(page.effects().is_empty());
    Ok(())
}
