//! Server-rendered, interactive web pages from askama templates, with no hand-written JavaScript.
//!
//! A state struct derives [`LiveTemplate`] from the same `#[template(...)]` attribute askama
//! uses. At compile time the template is split into literal text (`&'static` statics tables) and
//! dynamic slots; at run time [`LiveTemplate::render`] computes only the slots, giving a
//! [`Rendered`] tree that a connection can diff against what the browser already has.
//!
//! ```
//! use askama::Template;
//! use livetemplate::LiveTemplate;
//!
//! #[derive(Template, LiveTemplate)]
//! #[template(
//!     source = "<h1>{{ title }}</h1><ul>{% for t in todos %}<li data-key=\"{{ t.0 }}\">{{ t.1 }}</li>{% endfor %}</ul><button name=\"add\">Add</button>",
//!     ext = "html"
//! )]
//! struct Todos {
//!     title: String,
//!     todos: Vec<(u32, String)>,
//! }
//!
//! let page = Todos { title: "Groceries & more".into(), todos: vec![(7, "milk".into())] };
//! let tree = LiveTemplate::render(&page)?;
//!
//! // The tree renders to exactly askama's bytes ...
//! assert_eq!(tree.to_html(), Template::render(&page)?);
//! // ... but only the slots were computed at run time.
//! assert_eq!(tree.statics().parts(), &["<h1>", "</h1><ul>", "</ul><button name=\"add\">Add</button>"]);
//! // The actions the template names are known at compile time.
//! assert_eq!(Todos::ACTIONS, &["add"]);
//! # Ok::<(), askama::Error>(())
//! ```
//!
//! The template syntax, the `templates/` directory and `askama.toml` are askama's; see
//! `docs/src/template-support.md` (in the book) for how each construct splits into slots.
//!
//! After an action, [`diff()`] compares the tree a connection last saw with a new render, and a
//! per-connection [`Encoder`] turns the [`Patch`] into the JSON frame of the wire protocol —
//! only the slots that changed, with each statics table sent once:
//!
//! ```
//! # use askama::Template;
//! use livetemplate::{ClientKind, Encoder, LiveTemplate, diff};
//!
//! #[derive(Template, LiveTemplate)]
//! #[template(source = "<p>{{ count }}</p><button name=\"increment\">+</button>", ext = "html")]
//! struct Counter { count: u32 }
//!
//! let mut encoder = Encoder::new(ClientKind::Livetemplate);
//! let before = LiveTemplate::render(&Counter { count: 1 })?;
//! let first = encoder.tree(&before); // the first frame: statics and values
//! assert!(first.starts_with(r#"{"s":["<p>","</p><button name=\"increment\">+</button>"]"#));
//! let after = LiveTemplate::render(&Counter { count: 2 })?;
//! // Only slot 0 changed (our client takes whole numbers as JSON numbers).
//! assert_eq!(encoder.patch(&diff(&before, &after)), r#"{"0":2}"#);
//! # Ok::<(), askama::Error>(())
//! ```
//!
//! ## Features
//!
//! - `serde_json`: the `json` / `tojson` template filters (enables askama's `serde_json`).
//! - `redis`: scale-out over a shared Redis — [`Redis`] (configured from code or from
//!   [`REDIS_URL_ENV`]), [`RedisBroker`] (broadcasts, pushes and syncs reach every process)
//!   and [`RedisSessionStore`] (session states any process can resume). See `docs/src/scaling.md`.
//! - `testing`: the test helpers of the `testing` module (`LiveTest`, `TestServer`, `Browser`,
//!   `Tab`) and the reference client they apply frames with (`ClientTree`). For
//!   dev-dependencies; see `docs/src/testing.md`.

#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the derives' `::livetemplate::…` paths resolve inside this crate's own tests.
extern crate self as livetemplate;

pub mod controller;
pub mod diff;
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
/// Implemented by `#[derive(LiveTemplate)]`; see the [crate docs](crate) for an example.
pub trait LiveTemplate {
    /// The action names the template uses in static attributes (`<button name="add">`,
    /// `lvt-on:click="toggle"`, …), deduplicated, in order of first use. Names built from
    /// expressions are not listed and cannot be checked at compile time.
    const ACTIONS: &'static [&'static str];

    /// The template's name in messages (its path as written in the attribute), used by the
    /// compile-time action check.
    const TEMPLATE: &'static str = "the template";

    /// Computes the dynamic slots for the current state.
    fn render(&self) -> Result<Rendered, RenderError>;
}

/// Items used by the code `#[derive(LiveTemplate)]` generates. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::controller::{IntoActionResult, check_actions};
    pub use crate::render::{Builder, SizeHint};
    pub use askama;
}

pub use controller::{ActionError, Context, LiveController, Result, Valid};
pub use diff::{Patch, diff};
pub use livetemplate_macros::{LiveTemplate, live_controller};
pub use render::{Item, Items, List, Node, Rendered, Slot, Slots, Statics};
pub use wire::{ClientKind, ClientMessage, Encoder, Limits, ProtocolError};

#[cfg(feature = "redis")]
pub use pubsub::{BrokerStats, RedisBroker};
#[cfg(feature = "redis")]
pub use redis_link::{REDIS_URL_ENV, Redis, RedisError};
#[cfg(feature = "redis")]
pub use session::RedisSessionStore;
