//! Controllers through `LiveTest`: actions by method name, typed and validated forms, failures
//! and panics that roll the state back, effects, and the frames a client receives.

use livetemplate::controller::Effect;
use livetemplate::testing::LiveTest;
use livetemplate::{ActionError, Context, LiveTemplate, Valid, live_controller};
use livetemplate::{FieldErrors, Validate};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq)]
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "controller/todos.html")]
struct Todos {
    draft: String,
    title_error: Option<String>,
    todos: Vec<Todo>,
    next_id: u32,
}

#[derive(Debug, Deserialize)]
struct NewTodo {
    title: String,
}

impl Validate for NewTodo {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("title", !self.title.trim().is_empty(), "must not be empty");
        errors.into_result()
    }
}

struct TodoController {
    /// A shared dependency, as a database pool would be.
    prefix: &'static str,
}

#[live_controller]
impl TodoController {
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Todos> {
        let seeded: u32 = ctx.query_get::<Option<u32>>("seed")?.unwrap_or(0);
        Ok(Todos {
            draft: String::new(),
            title_error: None,
            todos: (0..seeded)
                .map(|id| Todo {
                    id,
                    title: format!("{} {id}", self.prefix),
                    done: false,
                })
                .collect(),
            next_id: seeded,
        })
    }

    pub(crate) fn add(
        &self,
        state: &mut Todos,
        form: Valid<NewTodo>,
        ctx: &mut Context,
    ) -> livetemplate::Result {
        state.todos.push(Todo {
            id: state.next_id,
            title: form.title.trim().to_owned(),
            done: false,
        });
        state.next_id += 1;
        ctx.sync();
        Ok(())
    }

    pub(crate) async fn toggle(
        &self,
        state: &mut Todos,
        ctx: &mut Context,
    ) -> livetemplate::Result {
        let id: u32 = ctx.get("id")?;
        let todo = state
            .todos
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| ActionError::new(format!("no todo {id}")))?;
        todo.done = !todo.done;
        Ok(())
    }

    pub(crate) fn remove(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        let id: u32 = ctx.get("value")?;
        state.todos.retain(|t| t.id != id);
        ctx.broadcast_action("todos", "refresh", Default::default());
        Ok(())
    }

    pub(crate) fn clear_done(&self, state: &mut Todos, _ctx: &mut Context) {
        state.todos.retain(|t| !t.done);
    }

    pub(crate) fn explode(&self, state: &mut Todos, _ctx: &mut Context) {
        state.todos.clear();
        panic!("boom");
    }

    pub(crate) fn fail(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        state.todos.clear();
        ctx.redirect("/elsewhere");
        Err(ActionError::new("the database is down"))
    }

    /// Not an action: a public helper with another shape.
    pub(crate) fn count(&self, state: &Todos) -> usize {
        state.todos.len()
    }
}

fn controller() -> TodoController {
    TodoController { prefix: "task" }
}

#[tokio::test]
async fn actions_change_state_and_send_small_patches() -> Result<(), Box<dyn std::error::Error>> {
    let mut page = LiveTest::mount(controller()).await?;
    assert_eq!(page.state().todos.len(), 0);

    page.submit("add", &[("title", "  milk & <eggs>  ")])
        .await?;
    assert!(page.succeeded());
    assert_eq!(page.state().todos[0].title, "milk & <eggs>");
    assert!(page.html().contains("milk &#38; &#60;eggs&#62;"));
    assert_eq!(page.effects(), &[Effect::Sync]);
    assert!(
        // Appended (`3`), the item's slots by position, its key `0` as a number.
        page.last_patch().starts_with(r#"{"2":[[3,[0,"#),
        "{}",
        page.last_patch()
    );

    page.click_with("toggle", &[("id", "0")]).await?;
    assert!(page.state().todos[0].done);
    assert!(page.html().contains("class=\"done\""));
    // Our client needs no meta on success: just the ref and the changed slots.
    assert!(
        page.last_frame().starts_with("[2,{"),
        "{}",
        page.last_frame()
    );
    assert!(!page.last_frame().contains("meta"));

    page.click("clear_done").await?;
    assert!(page.state().todos.is_empty());
    Ok(())
}

#[tokio::test]
async fn mount_reads_the_query_and_the_controller_holds_dependencies()
-> Result<(), Box<dyn std::error::Error>> {
    let page = LiveTest::mount_with_query(controller(), &[("seed", "3")]).await?;
    assert_eq!(page.state().todos.len(), 3);
    assert!(page.html().contains("task 2"));
    assert_eq!(controller().count(page.state()), 3);
    Ok(())
}

#[tokio::test]
async fn invalid_form_reports_field_errors_and_keeps_state()
-> Result<(), Box<dyn std::error::Error>> {
    let mut page = LiveTest::mount_with_query(controller(), &[("seed", "1")]).await?;
    page.submit("add", &[("title", "   ")]).await?;
    assert!(!page.succeeded());
    assert_eq!(
        page.errors().get("title").map(String::as_str),
        Some("must not be empty")
    );
    assert_eq!(page.state().todos.len(), 1);
    assert_eq!(page.last_patch(), "{}");
    assert!(
        page.last_frame().contains(r#""success":false"#),
        "{}",
        page.last_frame()
    );

    page.submit("add", &[]).await?;
    assert!(page.errors().contains_key("title"), "{:?}", page.errors());
    Ok(())
}

#[tokio::test]
async fn failing_action_rolls_back_and_drops_its_effects() -> Result<(), Box<dyn std::error::Error>>
{
    let mut page = LiveTest::mount_with_query(controller(), &[("seed", "2")]).await?;
    page.click("fail").await?;
    assert!(!page.succeeded());
    assert_eq!(page.state().todos.len(), 2, "state rolled back");
    assert!(page.effects().is_empty(), "the redirect is dropped");
    assert_eq!(
        page.errors().get("_").map(String::as_str),
        Some("the database is down")
    );

    page.click_with("toggle", &[("id", "not a number")]).await?;
    assert!(!page.succeeded());
    assert!(page.errors().contains_key("id"), "{:?}", page.errors());
    Ok(())
}

#[tokio::test]
async fn panicking_action_rolls_back_and_the_page_keeps_working()
-> Result<(), Box<dyn std::error::Error>> {
    let mut page = LiveTest::mount_with_query(controller(), &[("seed", "2")]).await?;
    page.click("explode").await?;
    assert!(!page.succeeded());
    assert_eq!(page.state().todos.len(), 2);
    page.click_with("toggle", &[("id", "1")]).await?;
    assert!(page.succeeded());
    assert!(page.state().todos[1].done);
    Ok(())
}

#[tokio::test]
async fn unknown_action_is_an_error_not_a_panic() -> Result<(), Box<dyn std::error::Error>> {
    let mut page = LiveTest::mount(controller()).await?;
    page.click("does_not_exist").await?;
    assert!(!page.succeeded());
    assert!(page.errors()["_"].contains("unknown action"));
    Ok(())
}

#[test]
fn the_controller_lists_its_actions() {
    use livetemplate::LiveController;
    assert_eq!(
        TodoController::ACTIONS,
        &["add", "toggle", "remove", "clear_done", "explode", "fail"]
    );
    assert_eq!(
        <Todos as LiveTemplate>::ACTIONS,
        &["add", "toggle", "remove", "clear_done", "explode", "fail"]
    );
    assert_eq!(<Todos as LiveTemplate>::TEMPLATE, "controller/todos.html");
}

#[tokio::test]
async fn effects_are_recorded_for_the_runtime() -> Result<(), Box<dyn std::error::Error>> {
    let mut page = LiveTest::mount_with_query(controller(), &[("seed", "1")]).await?;
    page.click_with("remove", &[("value", "0")]).await?;
    assert!(matches!(
        page.effects(),
        [Effect::Broadcast { topic, action, .. }] if topic == "todos" && action == "refresh"
    ));
    Ok(())
}
