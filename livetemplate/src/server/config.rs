//! Server configuration: one setter per option, each with its default.

use std::sync::Arc;
use std::time::Duration;

use super::page::{DefaultLayout, PageLayout};
use super::security::{OriginPolicy, SigningKey};
use crate::wire::Limits;

/// How a [`LiveRouter`](super::LiveRouter) behaves. Every limit has a default and a setter.
#[derive(Clone)]
pub struct Config {
    pub(crate) key: SigningKey,
    pub(crate) origins: OriginPolicy,
    pub(crate) secure: bool,
    pub(crate) limits: Limits,
    pub(crate) session_idle: Duration,
    pub(crate) socket_idle: Duration,
    pub(crate) tab_queue: usize,
    pub(crate) max_body: usize,
    pub(crate) actions_per_second: u32,
    pub(crate) connections_per_session: usize,
    pub(crate) layout: Arc<dyn PageLayout>,
    pub(crate) title: String,
    pub(crate) authenticator: Option<Arc<Authenticator>>,
}

/// Finds the signed-in user of a request (from a cookie, a header…); `None` is anonymous.
pub type Authenticator = dyn Fn(&http::request::Parts) -> Option<String> + Send + Sync;

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("secure", &self.secure)
            .field("limits", &self.limits)
            .field("session_idle", &self.session_idle)
            .field("socket_idle", &self.socket_idle)
            .field("tab_queue", &self.tab_queue)
            .field("max_body", &self.max_body)
            .field("actions_per_second", &self.actions_per_second)
            .field("connections_per_session", &self.connections_per_session)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            key: SigningKey::random(),
            origins: OriginPolicy::same_host(),
            secure: false,
            limits: Limits::default(),
            session_idle: Duration::from_secs(30 * 60),
            socket_idle: Duration::from_secs(60),
            tab_queue: 32,
            max_body: 64 * 1024,
            actions_per_second: 50,
            connections_per_session: 32,
            layout: Arc::new(DefaultLayout),
            title: String::new(),
            authenticator: None,
        }
    }
}

impl Config {
    /// The defaults (a random signing key, logged as such).
    pub fn new() -> Self {
        Config::default()
    }

    /// The key that signs session cookies and CSRF tokens. Default: random per process, so
    /// sessions do not survive a restart.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.key = key;
        self
    }

    /// Which pages may open live connections. Default: the page's own host only.
    pub fn origins(mut self, origins: OriginPolicy) -> Self {
        self.origins = origins;
        self
    }

    /// Whether the site is served over https (cookies get `Secure`, origins `https://`).
    /// Default: `false`.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Limits on client messages (frame size, depth, fields). Default: [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How long a session with no connected tab is kept. Default: 30 minutes.
    pub fn session_idle(mut self, idle: Duration) -> Self {
        self.session_idle = idle;
        self
    }

    /// How long a live connection may stay silent (the client pings every few seconds)
    /// before it is closed. Default: 60 seconds.
    pub fn socket_idle(mut self, idle: Duration) -> Self {
        self.socket_idle = idle;
        self
    }

    /// How many updates may wait for one slow tab before it is disconnected. Default: 32.
    pub fn tab_queue(mut self, updates: usize) -> Self {
        self.tab_queue = updates.max(1);
        self
    }

    /// The largest POST body accepted. Default: 64 KiB.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Actions one connection may send per second before it gets an error. Default: 50.
    pub fn actions_per_second(mut self, actions: u32) -> Self {
        self.actions_per_second = actions.max(1);
        self
    }

    /// Live connections one session may hold at once (tabs). Default: 32.
    pub fn connections_per_session(mut self, connections: usize) -> Self {
        self.connections_per_session = connections.max(1);
        self
    }

    /// The document around the live region. Default: a minimal HTML5 page.
    pub fn layout(mut self, layout: impl PageLayout) -> Self {
        self.layout = Arc::new(layout);
        self
    }

    /// How to find the signed-in user of a request; actions read it as `ctx.user_id()`.
    /// Default: none — every browser is anonymous, told apart by its session.
    pub fn authenticator(
        mut self,
        authenticate: impl Fn(&http::request::Parts) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.authenticator = Some(Arc::new(authenticate));
        self
    }

    /// The user of a request, per the authenticator.
    pub(crate) fn user(&self, parts: &http::request::Parts) -> Option<String> {
        self.authenticator
            .as_ref()
            .and_then(|authenticate| authenticate(parts))
    }

    /// The page title used by the default layout. Default: empty.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }
}
