//! Controllers: the actions a live page answers, and what an action may ask of the runtime.
//!
//! `#[live_controller]` on an `impl` block turns its public methods (`pub` or `pub(crate)`)
//! into actions named after them (`<button name="add">` calls `fn add`), and checks at compile time that every action
//! the page's template names exists (and is not [server-only](#server-only-actions)):
//!
//! ```
//! use askama::Template;
//! use livetemplate::{Context, LiveTemplate, live_controller};
//!
//! #[derive(Clone, Template, LiveTemplate)]
//! #[template(source = "<p>{{ count }}</p><button name=\"increment\">+</button>", ext = "html")]
//! struct Counter { count: i64 }
//!
//! struct CounterController;
//!
//! #[live_controller]
//! impl CounterController {
//!     async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Counter> {
//!         Ok(Counter { count: 0 })
//!     }
//!
//!     pub fn increment(&self, state: &mut Counter, _ctx: &mut Context) -> livetemplate::Result {
//!         state.count += 1;
//!         Ok(())
//!     }
//! }
//! ```
//!
//! An action takes `&self` (the controller holds shared dependencies: a pool, config), the
//! session's state, optionally a typed form (`form: T` binds the action's data into `T`;
//! `form: Valid<T>` also runs `T`'s [`Validate`](crate::Validate)), and the [`Context`]. It may be `async`.
//! It returns `livetemplate::Result` (or nothing). `mount` builds the state; `on_connect` and
//! `on_disconnect` run when a live connection opens and closes; `on_navigate` runs on every page
//! load and when the client reports a new query string (`__navigate__`).
//!
//! # Server-only actions
//!
//! An action meant only for [`Context::broadcast_action`] and
//! [`LiveHandle::push`](crate::server::LiveHandle::push) — a chat's `receive`, a clock's
//! `tick` — is marked `#[server_only]`. The runtime runs it for broadcasts and pushes, and
//! refuses it from clients on every transport exactly as it refuses an unknown action (the
//! same error, so a client cannot tell the names apart), logging a warning. A template that
//! names it fails the build:
//!
//! ```
//! use askama::Template;
//! use livetemplate::FormData;
//! use livetemplate::{Context, LiveController, LiveTemplate, live_controller};
//!
//! #[derive(Clone, Template, LiveTemplate)]
//! #[template(source = "<p>{{ said }}</p><button name=\"say\">Say</button>", ext = "html")]
//! struct Room { said: u32 }
//!
//! struct Rooms;
//!
//! #[live_controller]
//! impl Rooms {
//!     async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Room> {
//!         Ok(Room { said: 0 })
//!     }
//!
//!     pub fn say(&self, _state: &mut Room, ctx: &mut Context) {
//!         ctx.broadcast_action("room", "receive", FormData::new());
//!     }
//!
//!     /// Runs on every page subscribed to the room; no client can call it.
//!     #[server_only]
//!     pub fn receive(&self, state: &mut Room, _ctx: &mut Context) {
//!         state.said += 1;
//!     }
//! }
//!
//! assert_eq!(Rooms::ACTIONS, &["say"]);
//! assert_eq!(Rooms::SERVER_ACTIONS, &["receive"]);
//! ```

pub(crate) mod check;
mod context;
pub(crate) mod error;
pub(crate) mod form;
mod params;
mod runtime;

use std::future::Future;

pub use context::{Context, Effect, FlashKind};
pub use error::{ActionError, Result};
pub use params::{ParamsError, RouteParams};
#[cfg(feature = "testing")]
pub(crate) use runtime::refused;
pub(crate) use runtime::{GENERAL_ERROR, Outcome, Via, act, client_may_run, log_refused};

use crate::LiveTemplate;

/// A controller: what `#[live_controller]` generates from an `impl` block.
///
/// The controller value is shared by every session (it holds dependencies); the state is one
/// per session group. Each method receives the state to change and a [`Context`].
pub trait LiveController: Send + Sync + 'static {
    /// The page state: a template whose render the client sees.
    type State: LiveTemplate + Clone + Send + Sync + 'static;

    /// The actions clients may call: the names of the action methods not marked
    /// `#[server_only]`. A client naming anything else is answered `unknown_action`.
    const ACTIONS: &'static [&'static str];

    /// The server-only actions: the `#[server_only]` methods, which only
    /// [`Context::broadcast_action`] and [`LiveHandle::push`](crate::server::LiveHandle::push)
    /// run. [`dispatch`](Self::dispatch) runs them; the server refuses them from clients.
    /// Default: none.
    const SERVER_ACTIONS: &'static [&'static str] = &[];

    /// The URL literals of the controller's `ctx.push_patch`/`ctx.push_navigate` calls, which
    /// [`LiveRouter::check`](crate::LiveRouter::check) matches against the routes like the
    /// template's `lvt-nav` links. The hook for live navigation (issue 15, item 2): those
    /// calls do not exist yet, so `#[live_controller]` leaves it empty. Not public API.
    #[doc(hidden)]
    const NAV_LITERALS: &'static [crate::__private::NavLink] = &[];

    /// Builds the initial state for a new session from the request (query, user).
    fn mount(&self, ctx: &mut Context) -> impl Future<Output = Result<Self::State>> + Send;

    /// Runs when a live connection opens (subscribe to topics here). A change it makes to the
    /// state is in the tab's first frame.
    fn on_connect(
        &self,
        state: &mut Self::State,
        ctx: &mut Context,
    ) -> impl Future<Output = Result> + Send {
        let _ = (state, ctx);
        std::future::ready(Ok(()))
    }

    /// Whether the controller has an `on_navigate` hook (set by `#[live_controller]`); when it
    /// has none, page loads skip the call.
    const NAVIGATES: bool = false;

    /// Runs when the page's query is (re)read on an existing state: on every page load (`GET`,
    /// after `mount` for a new session) and when the client reports that the query changed
    /// (`__navigate__`, e.g. a filter link followed without reloading). `ctx.query()` holds the
    /// new query. State is shared by a browser's tabs: call `ctx.sync()` to show the change in
    /// the other tabs too.
    fn on_navigate(
        &self,
        state: &mut Self::State,
        ctx: &mut Context,
    ) -> impl Future<Output = Result> + Send {
        let _ = (state, ctx);
        std::future::ready(Ok(()))
    }

    /// Runs when a live connection closes. Its effects are carried out (a broadcast telling
    /// others that this tab left, a `sync` for the remaining tabs).
    fn on_disconnect(
        &self,
        state: &mut Self::State,
        ctx: &mut Context,
    ) -> impl Future<Output = Result> + Send {
        let _ = (state, ctx);
        std::future::ready(Ok(()))
    }

    /// Runs the action named `action` (a client action or a server-only one); an unknown name
    /// is [`ActionError::unknown_action`]. The server checks who may run it before calling.
    fn dispatch(
        &self,
        action: &str,
        state: &mut Self::State,
        ctx: &mut Context,
    ) -> impl Future<Output = Result> + Send;
}

/// A typed form argument that is validated after binding: `form: Valid<SignUp>` binds the
/// action's data into `SignUp` and runs its [`Validate`](crate::Validate) implementation.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid<T>(pub T);

impl<T> std::ops::Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Valid<T> {
    /// The validated form.
    pub fn into_inner(self) -> T {
        self.0
    }
}
