//! Server-rendered, interactive web pages from askama templates, with no hand-written JavaScript.
//!
//! A page is an askama template and a state struct that derives [`LiveTemplate`] from the same
//! `#[template(...)]` attribute. A [`live_controller`] `impl` block turns its `pub` methods into
//! actions: `<button name="add">` calls `fn add`, and `cargo build` fails when the template
//! names an action that has no method. A [`LiveRouter`] serves the page; after each action the
//! server re-renders only the template's dynamic slots, diffs them against what that browser
//! holds, and sends a small JSON patch over a WebSocket. Without JavaScript the same page works
//! through plain form POSTs.
//!
//! ```no_run
//! use askama::Template;
//! use livetemplate::{Context, LiveRouter, LiveTemplate, live_controller};
//!
//! #[derive(Clone, Template, LiveTemplate)]
//! #[template(
//!     source = "<p>{{ count }}</p><button name=\"decrement\">-</button><button name=\"increment\">+</button>",
//!     ext = "html"
//! )]
//! struct Counter {
//!     count: i64,
//! }
//!
//! struct Counters;
//!
//! #[live_controller]
//! impl Counters {
//!     async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Counter> {
//!         Ok(Counter { count: 0 })
//!     }
//!
//!     pub fn increment(&self, state: &mut Counter, _ctx: &mut Context) {
//!         state.count += 1;
//!     }
//!
//!     pub fn decrement(&self, state: &mut Counter, _ctx: &mut Context) {
//!         state.count -= 1;
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), livetemplate::ServeError> {
//!     tracing_subscriber::fmt::init(); // the URL and warnings are logged through `tracing`
//!     // Serves http://127.0.0.1:8080/ (or $ADDR) until Ctrl-C.
//!     livetemplate::serve_env(LiveRouter::new().route("/", Counters)).await
//! }
//! ```
//!
//! A controller is tested without a browser by `LiveTest` (feature `testing`), which runs
//! every step through the real pipeline and checks the client's view against a fresh render:
//!
//! ```
//! # use askama::Template;
//! # use livetemplate::{Context, LiveTemplate, live_controller};
//! # #[derive(Clone, Template, LiveTemplate)]
//! # #[template(source = "<p>{{ count }}</p><button name=\"increment\">+</button>", ext = "html")]
//! # struct Counter { count: i64 }
//! # struct Counters;
//! # #[live_controller]
//! # impl Counters {
//! #     async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Counter> { Ok(Counter { count: 0 }) }
//! #     pub fn increment(&self, state: &mut Counter, _ctx: &mut Context) { state.count += 1; }
//! # }
//! # #[cfg(feature = "testing")]
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use livetemplate::LiveTest;
//!
//! let mut page = LiveTest::mount(Counters).await?;
//! page.click("increment").await?;
//! assert_eq!(page.state().count, 1);
//! assert_eq!(page.last_patch(), r#"{"0":1}"#); // the frame the browser received: slot 0 is 1
//! # Ok::<(), livetemplate::testing::TestError>(())
//! # }).unwrap();
//! ```
//!
//! ## What is where
//!
//! The crate root re-exports what an application uses. Each module holds one concept:
//!
//! | module | what it holds |
//! |---|---|
//! | [`controller`] | [`LiveController`], [`Context`] (the request's data, query and path parameters; what an action may ask for: sync, broadcast, flash, redirect), [`ActionError`] |
//! | [`form`] | [`FormData`] (an action's data), binding it to typed structs, [`Validate`] and [`FieldErrors`] |
//! | [`server`] | [`LiveRouter`] (exact paths and patterns such as `/posts/{id}`), [`Config`], [`serve`] and friends, the page layout and not-found page, signing keys and origins |
//! | [`session`] | where session states live: [`SessionStore`](session::SessionStore), in memory or in Redis |
//! | [`pubsub`] | how broadcasts and pushes reach other sessions: [`Broker`](pubsub::Broker), in memory or in Redis |
//! | [`render`] | the [`Rendered`] tree a template renders to: statics tables and slot values |
//! | [`diff`] | comparing two trees into a [`Patch`](diff::Patch) |
//! | [`wire`] | the protocol's frames: the [`Encoder`](wire::Encoder) and the client-message decoder |
//! | `testing` | `LiveTest` and `TestServer` (feature `testing`) |
//!
//! The template syntax, the `templates/` directory and `askama.toml` are askama's; the book
//! (`docs/src/` in the repository) explains how each construct splits into slots, the wire
//! protocol, the server, security and scaling.
//!
//! ## Features
//!
//! - `serde_json`: the `json` / `tojson` template filters (enables askama's `serde_json`).
//! - `redis`: scale-out over a shared Redis — `Redis` (configured from code or from
//!   `REDIS_URL_ENV`) set with `Config::redis`: broadcasts, pushes and syncs reach every
//!   process, and `LiveRouter::route_shared` keeps session states in Redis.
//! - `testing`: the test helpers of the `testing` module (`LiveTest`, `TestServer`,
//!   `Browser`, `Tab`) and the reference client they apply frames with (`ClientTree`). For
//!   `[dev-dependencies]`; see `docs/src/testing.md`.

// docs.rs (`--cfg docsrs`, nightly) marks the items each feature adds.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the derives' `::livetemplate::…` paths resolve inside this crate's own tests.
extern crate self as livetemplate;

pub mod controller;
pub mod diff;
pub mod form;
mod fuzz;
pub mod pubsub;
#[cfg(feature = "redis")]
mod redis_link;
pub mod render;
pub mod server;
pub mod session;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub mod wire;

/// The error a render can return: askama's, since slot values are computed by askama's runtime
/// (filters, escaping, `?` in template expressions).
pub use askama::Error as RenderError;

/// A template whose render is split into compile-time statics and run-time slots.
///
/// Implemented by `#[derive(LiveTemplate)]`, next to askama's `#[derive(Template)]` on the same
/// struct and attribute:
///
/// ```
/// use askama::Template;
/// use livetemplate::LiveTemplate;
///
/// #[derive(Template, LiveTemplate)]
/// #[template(
///     source = "<h1>{{ title }}</h1><ul>{% for t in todos %}<li data-key=\"{{ t.0 }}\">{{ t.1 }}</li>{% endfor %}</ul><button name=\"add\">Add</button>",
///     ext = "html"
/// )]
/// struct Todos {
///     title: String,
///     todos: Vec<(u32, String)>,
/// }
///
/// let page = Todos { title: "Groceries & more".into(), todos: vec![(7, "milk".into())] };
/// let tree = page.render_tree()?;
///
/// // The tree renders to exactly askama's bytes ...
/// assert_eq!(tree.to_html(), page.render()?);
/// // ... but only the slots were computed at run time.
/// assert_eq!(tree.statics().parts(), &["<h1>", "</h1><ul>", "</ul><button name=\"add\">Add</button>"]);
/// // The actions the template names are known at compile time.
/// assert_eq!(Todos::ACTIONS, &["add"]);
/// # Ok::<(), askama::Error>(())
/// ```
pub trait LiveTemplate {
    /// The action names the template uses in static attributes (`<button name="add">`,
    /// `lvt-on:click="toggle"`, …), deduplicated, in order of first use. Names built from
    /// expressions are not listed and cannot be checked at compile time.
    const ACTIONS: &'static [&'static str];

    /// The template's name in messages (its path as written in the attribute), used by the
    /// compile-time action check.
    const TEMPLATE: &'static str = "the template";

    /// The template's static `lvt-nav` links with file and line, which
    /// [`LiveRouter::check`](crate::LiveRouter::check) matches against the routes. Filled by
    /// the derive; not public API.
    #[doc(hidden)]
    const NAV_LINKS: &'static [__private::NavLink] = &[];

    /// Computes the dynamic slots for the current state: the [`Rendered`] tree a connection
    /// diffs. Named apart from askama's `Template::render` (the whole page as a `String`), which
    /// the same struct usually implements too.
    fn render_tree(&self) -> Result<Rendered, RenderError>;
}

/// Items used by the code `#[derive(LiveTemplate)]` and `#[live_controller]` generate. Not
/// public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::controller::check::check_actions;
    pub use crate::controller::error::IntoActionResult;
    pub use crate::render::{Builder, SizeHint};
    pub use crate::server::NavLink;
    pub use askama;
}

/// The checks of the fuzz targets in the repository's `fuzz/` folder, as functions of
/// arbitrary bytes that panic when an invariant of the code under test breaks; the corpus
/// replay test (`tests/tests/fuzz_corpus.rs`) calls them too. Not public API: it changes
/// without notice.
#[doc(hidden)]
pub mod __fuzz {
    #[cfg(feature = "testing")]
    pub use crate::fuzz::apply;
    pub use crate::fuzz::{cookie_origin, decode, form_body};
}

pub use controller::{ActionError, Context, LiveController, Result, Valid};
pub use form::{FieldErrors, FormData, Validate};
pub use livetemplate_macros::{LiveTemplate, live_controller};
pub use render::Rendered;
pub use server::{
    Config, LiveHandle, LiveRouter, ServeError, SigningKey, serve, serve_env, serve_listener,
};
#[cfg(feature = "testing")]
pub use testing::{LiveTest, TestServer};

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis_link::{REDIS_URL_ENV, Redis, RedisError};
