//! A TodoMVC-like list: add (a validated form), toggle, edit in place, remove, clear the
//! completed ones, and filter by query string (`?filter=active`). Each browser has its own
//! list, shared by its tabs: every action calls `ctx.sync()`.
//!
//! Everything works without JavaScript too: each control is a button in a `method="post"`
//! form (the server runs the action and redirects back), and the filters are plain links read
//! by `on_navigate` on every page load. With the client, double-clicking a title
//! (`lvt-on:dblclick`) also opens it for editing.

use askama::Template;
use livetemplate::{Config, LiveRouter};
use livetemplate::{Context, LiveTemplate, live_controller};
use livetemplate::{FieldErrors, Validate};
use serde::Deserialize;

/// The longest title accepted, in characters.
pub const MAX_TITLE: usize = 80;

/// Which items the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    /// Every item.
    #[default]
    All,
    /// Items not done yet.
    Active,
    /// Done items.
    Completed,
}

impl Filter {
    /// The filter named in a query (`all`, `active`, `completed`); anything else is `All`.
    pub fn parse(name: &str) -> Self {
        match name {
            "active" => Filter::Active,
            "completed" => Filter::Completed,
            _ => Filter::All,
        }
    }

    /// Its name in the query string.
    pub fn name(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Active => "active",
            Filter::Completed => "completed",
        }
    }

    fn shows(self, todo: &Todo) -> bool {
        match self {
            Filter::All => true,
            Filter::Active => !todo.done,
            Filter::Completed => todo.done,
        }
    }
}

/// One item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    /// Unique within the list; the list item's `data-key`.
    pub id: u64,
    /// What to do.
    pub title: String,
    /// Whether it is done.
    pub done: bool,
}

/// The page's state.
#[derive(Debug, Clone, Default, Template, LiveTemplate)]
#[template(path = "todos.html")]
pub struct Todos {
    /// Every item, in order of creation.
    pub items: Vec<Todo>,
    /// The filter of the page's URL.
    pub filter: Filter,
    /// The item being edited (0: none).
    pub editing: u64,
    /// What the new-item field holds after a refused title.
    pub draft: String,
    /// Why the last title was refused, shown next to its field.
    pub error: Option<String>,
    next_id: u64,
}

impl Todos {
    /// The items the filter shows.
    pub fn visible(&self) -> Vec<&Todo> {
        self.items
            .iter()
            .filter(|todo| self.filter.shows(todo))
            .collect()
    }

    /// How many items are not done.
    pub fn left(&self) -> usize {
        self.items.iter().filter(|todo| !todo.done).count()
    }

    /// Whether any item is done.
    pub fn any_done(&self) -> bool {
        self.items.iter().any(|todo| todo.done)
    }
}

/// The new-item and edit forms.
#[derive(Debug, Deserialize)]
pub struct TitleForm {
    /// The title typed.
    #[serde(default)]
    pub title: String,
}

impl Validate for TitleForm {
    fn validate(&self) -> Result<(), FieldErrors> {
        let title = self.title.trim();
        let mut errors = FieldErrors::new();
        errors
            .check("title", !title.is_empty(), "a todo needs a title")
            .check(
                "title",
                title.chars().count() <= MAX_TITLE,
                format!("at most {MAX_TITLE} characters"),
            );
        errors.into_result()
    }
}

/// The item an action is about (a hidden field, or a `data-id` attribute).
#[derive(Debug, Deserialize)]
pub struct Item {
    /// Its id.
    pub id: u64,
}

/// The list's actions.
#[derive(Debug, Default)]
pub struct TodoController;

#[live_controller]
impl TodoController {
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Todos> {
        Ok(Todos {
            filter: filter_of(ctx),
            next_id: 1,
            ..Todos::default()
        })
    }

    /// Every page load and every query change: the filter follows the URL.
    async fn on_navigate(&self, state: &mut Todos, ctx: &mut Context) -> livetemplate::Result {
        let filter = filter_of(ctx);
        if filter != state.filter {
            state.filter = filter;
            ctx.sync();
        }
        Ok(())
    }

    /// Adds an item; a refused title stays in the field with the reason next to it.
    pub fn add(&self, state: &mut Todos, ctx: &mut Context) {
        match ctx.bind_valid::<TitleForm>() {
            Ok(form) => {
                state.items.push(Todo {
                    id: state.next_id,
                    title: form.title.trim().to_owned(),
                    done: false,
                });
                state.next_id += 1;
                state.draft.clear();
                state.error = None;
            }
            Err(error) => {
                state.draft = ctx.get::<String>("title").unwrap_or_default();
                state.error = first_error(error.field_errors());
            }
        }
        ctx.sync();
    }

    /// Marks an item done, or not done again.
    pub fn toggle(&self, state: &mut Todos, form: Item, ctx: &mut Context) {
        if let Some(todo) = state.items.iter_mut().find(|todo| todo.id == form.id) {
            todo.done = !todo.done;
        }
        ctx.sync();
    }

    /// Opens an item for editing.
    pub fn edit(&self, state: &mut Todos, form: Item, ctx: &mut Context) {
        state.editing = form.id;
        state.error = None;
        ctx.sync();
    }

    /// Saves the edited title (an empty one removes the item, as in TodoMVC).
    pub fn save(&self, state: &mut Todos, form: Item, ctx: &mut Context) {
        let title: String = ctx.get("title").unwrap_or_default();
        if title.trim().is_empty() {
            state.items.retain(|todo| todo.id != form.id);
        } else {
            match ctx.bind_valid::<TitleForm>() {
                Ok(valid) => {
                    if let Some(todo) = state.items.iter_mut().find(|todo| todo.id == form.id) {
                        todo.title = valid.title.trim().to_owned();
                    }
                }
                Err(error) => {
                    state.error = first_error(error.field_errors());
                    ctx.sync();
                    return;
                }
            }
        }
        state.editing = 0;
        state.error = None;
        ctx.sync();
    }

    /// Closes the editor without saving.
    pub fn cancel(&self, state: &mut Todos, ctx: &mut Context) {
        state.editing = 0;
        state.error = None;
        ctx.sync();
    }

    /// Removes an item.
    pub fn remove(&self, state: &mut Todos, form: Item, ctx: &mut Context) {
        state.items.retain(|todo| todo.id != form.id);
        ctx.sync();
    }

    /// Removes every done item.
    pub fn clear_completed(&self, state: &mut Todos, ctx: &mut Context) {
        state.items.retain(|todo| !todo.done);
        ctx.sync();
    }
}

fn filter_of(ctx: &Context) -> Filter {
    Filter::parse(&ctx.query_get::<String>("filter").unwrap_or_default())
}

fn first_error(errors: &FieldErrors) -> Option<String> {
    errors.iter().next().map(|(_, message)| message.to_owned())
}

/// The app: the list at `/`.
pub fn app() -> LiveRouter {
    LiveRouter::with_config(Config::new().title("Todos")).route("/", TodoController)
}
