//! Server configuration: one setter per option, each with its default.

use std::sync::Arc;
use std::time::Duration;

use super::guard::FrameAncestors;
use super::not_found::{DefaultNotFound, NotFoundPage};
use super::page::{DefaultLayout, PageLayout};
use super::security::{OriginPolicy, SigningKey};
use crate::pubsub::{Broker, MemoryBroker};
use crate::wire::Limits;

/// How a [`LiveRouter`](super::LiveRouter) behaves. Every limit has a default and a setter.
///
/// Everything a router's pages share — the signing key, the broker, the Redis connection —
/// is set here, before [`LiveRouter::with_config`](super::LiveRouter::with_config) takes the
/// configuration, so no route can be added with a setting that a later call changes.
///
/// ```
/// use std::time::Duration;
/// use livetemplate::{Config, LiveRouter};
///
/// let config = Config::new()
///     .title("Todos")
///     .session_idle(Duration::from_secs(10 * 60))
///     .actions_per_second(20);
/// let router = LiveRouter::with_config(config);
/// # drop(router);
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) key: SigningKey,
    /// Whether `key` was set by the app (a random one is logged when the router is built).
    pub(crate) key_configured: bool,
    pub(crate) broker: Arc<dyn Broker>,
    #[cfg(feature = "redis")]
    pub(crate) redis: Option<crate::Redis>,
    pub(crate) origins: OriginPolicy,
    pub(crate) secure: bool,
    pub(crate) host_cookie: bool,
    pub(crate) limits: Limits,
    pub(crate) session_idle: Duration,
    pub(crate) socket_idle: Duration,
    pub(crate) send_timeout: Duration,
    pub(crate) max_body: usize,
    pub(crate) body_read_timeout: Duration,
    pub(crate) actions_per_second: u32,
    pub(crate) connections_per_session: usize,
    pub(crate) max_sessions: usize,
    pub(crate) max_sessions_per_client: usize,
    pub(crate) session_memory: usize,
    pub(crate) broadcast_backlog: usize,
    pub(crate) layout: Arc<dyn PageLayout>,
    pub(crate) not_found: Arc<dyn NotFoundPage>,
    pub(crate) title: String,
    pub(crate) authenticator: Option<Arc<Authenticator>>,
    pub(crate) max_connections: usize,
    pub(crate) header_read_timeout: Duration,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) frame_ancestors: FrameAncestors,
    /// Lower-cased; empty: any host.
    pub(crate) allowed_hosts: Vec<String>,
}

/// Finds the signed-in user of a request (from a cookie, a header…); `None` is anonymous.
pub type Authenticator = dyn Fn(&http::request::Parts) -> Option<String> + Send + Sync;

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("key_configured", &self.key_configured)
            .field("secure", &self.secure)
            .field("host_cookie", &self.host_cookie)
            .field("limits", &self.limits)
            .field("session_idle", &self.session_idle)
            .field("socket_idle", &self.socket_idle)
            .field("send_timeout", &self.send_timeout)
            .field("max_body", &self.max_body)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("actions_per_second", &self.actions_per_second)
            .field("connections_per_session", &self.connections_per_session)
            .field("max_sessions", &self.max_sessions)
            .field("max_sessions_per_client", &self.max_sessions_per_client)
            .field("session_memory", &self.session_memory)
            .field("broadcast_backlog", &self.broadcast_backlog)
            .field("max_connections", &self.max_connections)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("frame_ancestors", &self.frame_ancestors)
            .field("allowed_hosts", &self.allowed_hosts)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            key: SigningKey::random(),
            key_configured: false,
            broker: Arc::new(MemoryBroker::new()),
            #[cfg(feature = "redis")]
            redis: None,
            origins: OriginPolicy::same_host(),
            secure: false,
            host_cookie: false,
            limits: Limits::default(),
            session_idle: Duration::from_secs(30 * 60),
            socket_idle: Duration::from_secs(60),
            send_timeout: Duration::from_secs(10),
            max_body: 64 * 1024,
            body_read_timeout: Duration::from_secs(10),
            actions_per_second: 50,
            connections_per_session: 32,
            max_sessions: 50_000,
            max_sessions_per_client: 500,
            session_memory: 512 * 1024 * 1024,
            broadcast_backlog: crate::session::DEFAULT_BACKLOG,
            layout: Arc::new(DefaultLayout),
            not_found: Arc::new(DefaultNotFound),
            title: String::new(),
            authenticator: None,
            max_connections: 10_000,
            header_read_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
            frame_ancestors: FrameAncestors::none(),
            allowed_hosts: Vec::new(),
        }
    }
}

impl Config {
    /// The defaults: a random signing key (the router logs a warning when it is built with
    /// one), the in-memory broker, no Redis.
    pub fn new() -> Self {
        Config::default()
    }

    /// The key that signs session cookies and CSRF tokens. Default: random per process, so
    /// sessions do not survive a restart.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.key = key;
        self.key_configured = true;
        self
    }

    /// Carries broadcasts, pushes and syncs between sessions (implement [`Broker`] to use your
    /// own transport). Default: [`MemoryBroker`], which reaches the sessions of this process.
    pub fn broker(mut self, broker: impl Broker) -> Self {
        self.broker = Arc::new(broker);
        self
    }

    /// Shares broadcasts, pushes and syncs with every process connected to `redis` (its
    /// [`RedisBroker`](crate::pubsub::RedisBroker) replaces the [broker](Config::broker)), and keeps the
    /// states of pages added with [`route_shared`](super::LiveRouter::route_shared) there, with
    /// the [session idle time](Config::session_idle) as the keys' expiry. The processes must
    /// share a [signing key](Config::signing_key) too, or their session cookies differ.
    /// Default: no Redis.
    ///
    /// ```no_run
    /// # use askama::Template;
    /// # use livetemplate::{Context, LiveTemplate, live_controller};
    /// # #[derive(Clone, Template, LiveTemplate, serde::Serialize, serde::Deserialize)]
    /// # #[template(source = "<p>{{ n }}</p>", ext = "html")]
    /// # struct Counter { n: i64 }
    /// # struct Counters;
    /// # #[live_controller]
    /// # impl Counters {
    /// #     async fn mount(&self, _: &mut Context) -> livetemplate::Result<Counter> { Ok(Counter { n: 0 }) }
    /// # }
    /// # async fn run(key: livetemplate::SigningKey) -> Result<(), Box<dyn std::error::Error>> {
    /// use livetemplate::{Config, LiveRouter, Redis, serve};
    ///
    /// let mut config = Config::new().signing_key(key);
    /// // LIVETEMPLATE_REDIS_URL=redis://… shares sessions; unset, everything stays in memory.
    /// if let Some(redis) = Redis::from_env().await? {
    ///     config = config.redis(&redis);
    /// }
    /// let router = LiveRouter::with_config(config).route_shared("/", Counters);
    /// serve("127.0.0.1:8080".parse()?, router).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis(mut self, redis: &crate::Redis) -> Self {
        self.broker = Arc::new(redis.broker());
        self.redis = Some(redis.clone());
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

    /// Names the session cookie `__Host-livetemplate-id` instead of `livetemplate-id`.
    /// Browsers keep a `__Host-` cookie only when it was set over https with `Secure`,
    /// `Path=/` and no `Domain`, so neither a sibling subdomain nor a plain-http man in the
    /// middle can plant a session cookie in a visitor's browser (session fixation); with the
    /// prefix, a cookie of the plain name is ignored.
    ///
    /// Requires [`secure(true)`](Config::secure): without it the plain name stays (a browser
    /// would refuse the cookie over http) and the router logs a warning. Changing it logs
    /// every browser out of its current session once. Default: `false`.
    pub fn host_cookie(mut self, host_cookie: bool) -> Self {
        self.host_cookie = host_cookie;
        self
    }

    /// The session cookie's name: `__Host-livetemplate-id` with
    /// [`host_cookie`](Config::host_cookie) and [`secure`](Config::secure), else
    /// `livetemplate-id`.
    pub(crate) fn session_cookie_name(&self) -> &'static str {
        if self.host_cookie && self.secure {
            crate::wire::keys::SESSION_COOKIE_HOST
        } else {
            crate::wire::keys::SESSION_COOKIE
        }
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

    /// How long a live connection may take to accept one frame (a reply, a push, a close).
    /// A tab that does not read fills its socket's buffers; when a frame cannot be written
    /// within this time the tab is closed with code 1013 (`"too slow"`, if the close frame
    /// still fits) and its socket dropped, freeing its slot in
    /// [`connections_per_session`](Config::connections_per_session). Until then the bytes
    /// queued for it are at most one frame in the server's write buffer plus the kernel's
    /// socket buffer. Default: 10 seconds.
    pub fn send_timeout(mut self, timeout: Duration) -> Self {
        self.send_timeout = timeout;
        self
    }

    /// The largest POST body accepted. Default: 64 KiB.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How long a `POST` body may take to arrive whole, counted once its headers are in. A
    /// client that trickles a body (a byte every few seconds) would otherwise hold its
    /// connection and a task for ever, since the
    /// [header-read timeout](Config::header_read_timeout) covers only the headers. Past it the
    /// request is answered `408 Request Timeout` ("request body too slow") and its connection
    /// closed. Default: 10 seconds.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Actions one session may send per second, over all its transports together: its
    /// tabs' sockets, its JSON `POST`s and its plain form `POST`s draw from one token bucket
    /// that holds a second's worth (so a burst of this many is served at once) and refills at
    /// this rate. Past it, a socket gets a `rate_limited` error frame and stays open; a `POST`
    /// gets `429 Too Many Requests` with `Retry-After`. Other sessions are unaffected.
    /// Default: 50.
    pub fn actions_per_second(mut self, actions: u32) -> Self {
        self.actions_per_second = actions.max(1);
        self
    }

    /// Live connections one session may hold at once (tabs). A tab counts from its handshake
    /// until its socket is closed, also after it was dropped for falling behind. Over the
    /// limit the upgrade is refused with `429 Too Many Requests`. Default: 32.
    pub fn connections_per_session(mut self, connections: usize) -> Self {
        self.connections_per_session = connections.max(1);
        self
    }

    /// Sessions the router holds at once, over all its pages (a browser's session counts once
    /// per live page it has loaded). A session is made by a browser's first request to a page
    /// and lives while it has a tab open, then for [`session_idle`](Config::session_idle).
    ///
    /// At the limit, sessions with no open tab are evicted, oldest first (a sixteenth of the
    /// limit at a time), and a browser coming back to one mounts afresh, as after expiry;
    /// only when every session has a tab open is a new one refused, with
    /// `503 Service Unavailable` and `Retry-After`. Default: 50,000.
    pub fn max_sessions(mut self, sessions: usize) -> Self {
        self.max_sessions = sessions.max(1);
        self
    }

    /// Sessions one client address may hold at once; an IPv6 address counts by its /64
    /// network. At the limit, that address's own sessions with no open tab are evicted first,
    /// then new ones refused with `503`, so one client cannot crowd the others out.
    ///
    /// The address is the [`ClientAddr`](super::ClientAddr) of the request, which
    /// [`serve`](super::serve) and [`serve_listener`](super::serve_listener) set from the TCP
    /// peer; in your own server, insert it yourself (from the proxy's header behind a reverse
    /// proxy), or only [`max_sessions`](Config::max_sessions) applies. Behind a proxy that you
    /// do not tell it about, every client shares the proxy's address: raise this limit, or
    /// set the real address. Default: 500.
    pub fn max_sessions_per_client(mut self, sessions: usize) -> Self {
        self.max_sessions_per_client = sessions.max(1);
        self
    }

    /// The memory all sessions together may hold, in bytes, as estimated: a session counts
    /// its latest render twice (the render, and the state it came from) and 1 KiB. At the
    /// limit, sessions with no open tab are evicted as at
    /// [`max_sessions`](Config::max_sessions), then new ones refused with `503`. An estimate, not an allocator count: a state holding much that its page does
    /// not show is under-counted. Default: 512 MiB.
    pub fn session_memory(mut self, bytes: usize) -> Self {
        self.session_memory = bytes;
        self
    }

    /// Messages each topic keeps for sessions with no open tab. Such a session runs no
    /// broadcast (nobody would see the result): it is parked on its topics, which costs a
    /// broadcast nothing, and when a tab or a request of its browser comes back it first runs
    /// what it missed, in the order it was sent. A session that missed more than this many
    /// messages of a topic mounts afresh instead, as after
    /// [`session_idle`](Config::session_idle). The page follows each topic once, so this is
    /// memory per topic, not per session. Default: 64.
    pub fn broadcast_backlog(mut self, messages: usize) -> Self {
        self.broadcast_backlog = messages;
        self
    }

    /// The document around the live region. Default: a minimal HTML5 page.
    pub fn layout(mut self, layout: impl PageLayout) -> Self {
        self.layout = Arc::new(layout);
        self
    }

    /// What a browser's page load gets, inside the [layout](Config::layout), with
    /// `404 Not Found`: when no route matches its path, when a path parameter is over
    /// [`MAX_PARAM_LEN`](super::MAX_PARAM_LEN) or malformed, or when the controller says so
    /// ([`ActionError::not_found`](crate::ActionError::not_found) from `mount`, e.g. a
    /// `ctx.params()` that did not bind). HTML, or a closure of the path; see
    /// [`NotFoundPage`]. WebSocket upgrades, POSTs and JSON requests get a plain-text
    /// `not found` instead. Default: a heading and a sentence ([`DefaultNotFound`]).
    pub fn not_found(mut self, page: impl NotFoundPage) -> Self {
        self.not_found = Arc::new(page);
        self
    }

    /// How to find the signed-in user of a request; actions read it as `ctx.user_id()`.
    ///
    /// The session cookie is bound to the user found when it was set. When a browser that
    /// has a cookie from before is first seen signed in, its session id is rotated (against
    /// session fixation): the page's state moves to a new id, the old id stops naming it,
    /// the CSRF token changes, and the new cookie goes on that response. A cookie bound to a
    /// user names no session for a request with another user or none. See the security page
    /// of the book. Default: none — every browser is anonymous, told apart by its session.
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

    /// Connections [`serve`](super::serve) and [`serve_listener`](super::serve_listener) hold
    /// open at once, live connections included. One over the limit is accepted, answered
    /// `503 Service Unavailable` and closed at once, so the process keeps file descriptors
    /// for the clients it serves and a client retrying is served as soon as a slot frees.
    /// Default: 10,000 (raise the process's `ulimit -n` above it). Not applied when you run the
    /// router in your own server.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// How long a connection may take to send a request's headers, counted from when it is
    /// ready for one: when it opens, and after each response while it is kept alive. So this
    /// is also the idle keep-alive timeout (hyper 1 runs one timer for both): a socket that
    /// sends nothing, half a request, or nothing after its last response is closed when it
    /// runs out. Live connections are not affected (see [`socket_idle`](Config::socket_idle)).
    /// Default: 10 seconds. Applies to [`serve`](super::serve) and
    /// [`serve_listener`](super::serve_listener).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long [`serve`](super::serve) and [`serve_listener`](super::serve_listener) wait,
    /// once shutdown starts, for open requests to finish; then they close the connections
    /// left and return. Default: 10 seconds.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Which sites may show the pages in a frame (a page in a foreign frame can be
    /// clickjacked). Sent as CSP `frame-ancestors` and, where it can say the same,
    /// `X-Frame-Options`. Default: [`FrameAncestors::none`] — no site, not even this one.
    pub fn frame_ancestors(mut self, ancestors: FrameAncestors) -> Self {
        self.frame_ancestors = ancestors;
        self
    }

    /// The hosts (`Host` header values, e.g. `app.example.com` or `app.example.com:8080`) this
    /// server answers; any other gets `421 Misdirected Request`. An entry without a port
    /// matches that host on any port; names compare case-insensitively.
    ///
    /// Default: any host, so the examples work on any address. Set it in production: the
    /// [origin check](Config::origins) compares a request's `Origin` with its `Host`, and a
    /// DNS-rebinding page controls both (its name resolves to your server), so only this
    /// list refuses it. The router logs a hint at `info` level when it is unset.
    pub fn allowed_hosts<I>(mut self, hosts: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.allowed_hosts = hosts
            .into_iter()
            .map(|host| host.as_ref().trim().to_ascii_lowercase())
            .filter(|host| !host.is_empty())
            .collect();
        self
    }
}
