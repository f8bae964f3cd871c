//! The context an action runs in: its input, the session, and what it asks of the runtime.
//!
//! Effects (`sync`, `subscribe`, `broadcast_action`, `redirect`, flash messages,
//! `rotate_session`) are recorded
//! while the action runs and carried out by the runtime after it returns successfully; a
//! failed action's effects are dropped with its state changes.

use serde::de::DeserializeOwned;

use super::form::{self, BindError, Validate};
use super::params::{ParamsError, RouteParams};
use crate::wire::FormData;

/// The kind of a flash message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    /// Something went well.
    Info,
    /// Something went wrong.
    Error,
}

/// Something an action asks the runtime to do once it has succeeded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Effect {
    /// Re-render the other connections of this session group (the user's other tabs).
    Sync,
    /// Receive actions broadcast to `topic`.
    Subscribe(String),
    /// Stop receiving actions broadcast to `topic`.
    Unsubscribe(String),
    /// Run `action` with `data` on every session subscribed to `topic`.
    Broadcast {
        /// The topic.
        topic: String,
        /// The action to run on each subscriber.
        action: String,
        /// The action's data.
        data: FormData,
    },
    /// Send the browser to another URL.
    Redirect(String),
    /// Show a message once.
    Flash {
        /// Info or error.
        kind: FlashKind,
        /// The text.
        message: String,
    },
    /// Give the session a new id and the browser a new cookie for it (a sign-in: the old id
    /// may have been planted by an attacker). See [`Context::rotate_session`].
    RotateSession,
}

/// What an action (or `mount`) gets besides the state: its input and a way to ask for effects.
#[derive(Debug, Clone, Default)]
pub struct Context {
    action: String,
    data: FormData,
    query: FormData,
    params: RouteParams,
    session_id: String,
    user_id: Option<String>,
    /// What the route's guard attached to the request (`Entry::insert`).
    guard_data: http::Extensions,
    effects: Vec<Effect>,
}

impl Context {
    /// A context for one action of the session `session_id`. Used by the runtime and tests.
    pub fn new(session_id: impl Into<String>) -> Self {
        Context {
            session_id: session_id.into(),
            ..Context::default()
        }
    }

    /// Sets the action name and its data.
    pub fn with_action(mut self, action: impl Into<String>, data: FormData) -> Self {
        self.action = action.into();
        self.data = data;
        self
    }

    /// Sets the page's query parameters.
    pub fn with_query(mut self, query: FormData) -> Self {
        self.query = query;
        self
    }

    /// Sets the path parameters of the URL the page was reached at.
    pub fn with_params(mut self, params: RouteParams) -> Self {
        self.params = params;
        self
    }

    /// Sets the signed-in user.
    pub fn with_user(mut self, user_id: Option<String>) -> Self {
        self.user_id = user_id;
        self
    }

    /// Attaches `value` as a route guard would ([`Entry::insert`](crate::server::Entry::insert)),
    /// for tests of code that reads [`guard_data`](Self::guard_data).
    pub fn with_guard_data<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.guard_data.insert(value);
        self
    }

    /// Sets everything the route's guard attached to the request.
    pub(crate) fn with_guard_extensions(mut self, data: &http::Extensions) -> Self {
        self.guard_data = data.clone();
        self
    }

    // ---- input ----------------------------------------------------------------------------

    /// The action being run (empty in `mount`).
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The action's data: form fields, or an element's `value` and `data-*`.
    pub fn data(&self) -> &FormData {
        &self.data
    }

    /// One field of the action's data, converted leniently (`"42"` binds to `42`).
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T, BindError> {
        form::get(&self.data, name)
    }

    /// The action's data bound into a form type.
    pub fn bind<T: DeserializeOwned>(&self) -> Result<T, BindError> {
        form::bind(&self.data)
    }

    /// The action's data bound into a form type, then validated.
    pub fn bind_valid<T: DeserializeOwned + Validate>(&self) -> Result<T, BindError> {
        form::bind_valid(&self.data)
    }

    /// The page's query parameters.
    pub fn query(&self) -> &FormData {
        &self.query
    }

    /// One query parameter, converted leniently.
    pub fn query_get<T: DeserializeOwned>(&self, name: &str) -> Result<T, BindError> {
        form::get(&self.query, name)
    }

    /// One path parameter, percent-decoded: `ctx.param("id")` is `Some("7")` for
    /// `/posts/{id}` served at `/posts/7`. `None` on an exact route or for a name the
    /// route's pattern does not have.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name)
    }

    /// The path parameters bound into `T`, leniently as [`bind`](Self::bind) binds a form.
    /// A parameter that does not bind is a [`ParamsError`], which `?` turns into
    /// [`ActionError::not_found`](super::ActionError::not_found): returned from `mount` (or
    /// from `on_navigate` on a page load), the request is answered `404 Not Found`.
    ///
    /// ```
    /// # use livetemplate::Context;
    /// # use livetemplate::controller::RouteParams;
    /// #[derive(serde::Deserialize)]
    /// struct PostParams {
    ///     id: u64,
    /// }
    ///
    /// let ctx = Context::new("session").with_params(RouteParams::new([("id", "7")]));
    /// assert_eq!(ctx.params::<PostParams>()?.id, 7);
    /// let ctx = Context::new("session").with_params(RouteParams::new([("id", "seven")]));
    /// assert!(ctx.params::<PostParams>().is_err());
    /// # Ok::<(), livetemplate::controller::ParamsError>(())
    /// ```
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, ParamsError> {
        self.params.bind()
    }

    /// Every path parameter.
    pub fn route_params(&self) -> &RouteParams {
        &self.params
    }

    /// The session group: every tab of one browser shares it.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The signed-in user, when an authenticator is configured.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The value of type `T` the route's [guard](crate::server::Guard) attached to this
    /// request with [`Entry::insert`](crate::server::Entry::insert) (Phoenix's `on_mount`
    /// assigns): in `mount`, the hooks and the actions of a request to a guarded route, on
    /// every transport. `None` on an unguarded route, when no check inserted a `T`, and in
    /// actions run by a broadcast or a push (no request of theirs passed a guard).
    ///
    /// ```
    /// # use livetemplate::Context;
    /// #[derive(Clone)]
    /// struct Admin(String);
    ///
    /// let ctx = Context::new("session").with_guard_data(Admin("ann".into()));
    /// assert_eq!(ctx.guard_data::<Admin>().map(|a| a.0.as_str()), Some("ann"));
    /// assert!(ctx.guard_data::<u32>().is_none());
    /// ```
    pub fn guard_data<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.guard_data.get::<T>()
    }

    // ---- effects --------------------------------------------------------------------------

    /// Re-renders the session group's other connections after this action (other tabs).
    pub fn sync(&mut self) {
        if !self.effects.contains(&Effect::Sync) {
            self.effects.push(Effect::Sync);
        }
    }

    /// Subscribes this connection to `topic`.
    pub fn subscribe(&mut self, topic: impl Into<String>) {
        self.effects.push(Effect::Subscribe(topic.into()));
    }

    /// Unsubscribes this connection from `topic`.
    pub fn unsubscribe(&mut self, topic: impl Into<String>) {
        self.effects.push(Effect::Unsubscribe(topic.into()));
    }

    /// Runs `action` with `data` on every session subscribed to `topic` (this one included).
    pub fn broadcast_action(
        &mut self,
        topic: impl Into<String>,
        action: impl Into<String>,
        data: FormData,
    ) {
        self.effects.push(Effect::Broadcast {
            topic: topic.into(),
            action: action.into(),
            data,
        });
    }

    /// Sends the browser to `url` after this action.
    pub fn redirect(&mut self, url: impl Into<String>) {
        self.effects.push(Effect::Redirect(url.into()));
    }

    /// Gives the session a new id once this action has succeeded, and the browser a new
    /// session cookie naming it; call it when the action signs a user in.
    ///
    /// An attacker who planted a session cookie in a victim's browser (session fixation)
    /// knows the old id; after the rotation it names nothing (a request with it starts a
    /// fresh session), the state lives under an id only the victim's browser learns, and the
    /// session's other open tabs are closed (they reconnect with the browser's cookie). On a
    /// plain form or JSON `POST` the new cookie comes on the answer; on a live connection the
    /// acting tab is sent to a one-time URL that sets it (see the book's security page).
    /// Asked more than once in an action, it rotates once.
    pub fn rotate_session(&mut self) {
        if !self.effects.contains(&Effect::RotateSession) {
            self.effects.push(Effect::RotateSession);
        }
    }

    /// Shows `message` once.
    pub fn flash(&mut self, kind: FlashKind, message: impl Into<String>) {
        self.effects.push(Effect::Flash {
            kind,
            message: message.into(),
        });
    }

    /// The effects asked for so far.
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// Takes the effects, leaving none.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }
}
