//! A controller with sync and async actions, a typed form, a validated form and lifecycle hooks.

use livetemplate::{FieldErrors, Validate};
use livetemplate::{Context, LiveController, LiveTemplate, Valid, live_controller};

#[derive(Clone, LiveTemplate)]
#[template(
    source = r#"<form name="rename"><input name="name"></form><button name="add">+</button><div lvt-on:click="reset"></div>"#,
    ext = "html"
)]
struct Page {
    count: u32,
    name: String,
}

#[derive(serde::Deserialize)]
struct Rename {
    name: String,
}

impl Validate for Rename {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("name", !self.name.is_empty(), "is required");
        errors.into_result()
    }
}

struct Controller;

#[live_controller]
impl Controller {
    fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Page> {
        Ok(Page { count: 0, name: String::new() })
    }

    async fn on_connect(&self, _state: &mut Page, ctx: &mut Context) -> livetemplate::Result {
        ctx.subscribe("pages");
        Ok(())
    }

    pub async fn add(&self, state: &mut Page, _ctx: &mut Context) -> livetemplate::Result {
        state.count += 1;
        Ok(())
    }

    pub fn rename(&self, state: &mut Page, form: Valid<Rename>, _ctx: &mut Context) {
        state.name = form.into_inner().name;
    }

    pub fn reset(&self, state: &mut Page, _ctx: &mut Context) {
        state.count = 0;
    }
}

fn main() {
    assert_eq!(Controller::ACTIONS, &["add", "rename", "reset"]);
}
