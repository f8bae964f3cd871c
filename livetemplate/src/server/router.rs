//! [`LiveRouter`]: live pages by path, as a hyper/tower service; [`serve`] runs it alone.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};

use super::accept::{self, Backoff, Counted, LogLimit};
use super::access::{self, Entry, Guard, Verdict};
use super::check::CheckError;
use super::config::Config;
use super::endpoint::{Body, Page, Visitor, status, wants_html};
use super::guard::HostError;
use super::not_found;
use super::routes::{Route, Table};
use crate::LiveController;
use crate::pubsub::{Broker, Message};
use crate::session::SessionStore;
use crate::session::census::{Caps, Census};
use crate::wire::FormData;

/// Where the browser client's bundle is served.
pub const CLIENT_PATH: &str = "/_livetemplate/livetemplate.min.js";

/// The browser client, embedded at compile time. The bundle lives inside this crate (so the
/// published package carries it); `livetemplate-client/scripts/build.mjs` writes it.
const CLIENT_JS: &str = include_str!("../../client/livetemplate.min.js");

/// Live pages by path or pattern (`/posts/{id}`). Clone it freely: clones share pages and
/// sessions.
///
/// An address that no route matches is answered `404 Not Found` with the
/// [not-found page](Config::not_found) inside the layout (plain text for WebSocket upgrades,
/// POSTs and JSON requests).
///
/// ```no_run
/// # use askama::Template;
/// # use livetemplate::{Context, LiveTemplate, live_controller};
/// # #[derive(Clone, Template, LiveTemplate)]
/// # #[template(source = "<p>{{ n }}</p>", ext = "html")]
/// # struct Counter { n: i64 }
/// # struct Counters;
/// # #[live_controller]
/// # impl Counters {
/// #     async fn mount(&self, _: &mut Context) -> livetemplate::Result<Counter> { Ok(Counter { n: 0 }) }
/// # }
/// # async fn run() -> std::io::Result<()> {
/// use livetemplate::{LiveRouter, serve};
///
/// let router = LiveRouter::new().route("/", Counters);
/// serve("127.0.0.1:8080".parse().unwrap(), router).await
/// # }
/// ```
#[derive(Clone)]
pub struct LiveRouter {
    routes: Arc<Table>,
    config: Arc<Config>,
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    /// Every page's sessions, counted against the configured caps.
    census: Arc<Census>,
    /// The guard group of the routes being added, inside [`guarded`](Self::guarded).
    guard: Option<Arc<Guard>>,
}

impl std::fmt::Debug for LiveRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveRouter")
            .field("routes", &self.routes.routes())
            .field("config", &self.config)
            .finish()
    }
}

impl Default for LiveRouter {
    fn default() -> Self {
        LiveRouter::new()
    }
}

impl LiveRouter {
    /// A router with the default [`Config`] and the in-memory broker.
    pub fn new() -> Self {
        LiveRouter::with_config(Config::default())
    }

    /// A router with `config`, which every route added afterwards shares.
    pub fn with_config(config: Config) -> Self {
        if !config.key_configured {
            tracing::warn!(
                "no signing key configured; using a random key: sessions do not survive a restart and are not shared between processes"
            );
        }
        if config.host_cookie && !config.secure {
            tracing::warn!(
                "Config::host_cookie needs Config::secure(true) (browsers keep __Host- cookies only over https); the session cookie keeps its plain name"
            );
        }
        if config.allowed_hosts.is_empty() {
            tracing::info!(
                "any Host is answered; set Config::allowed_hosts in production, or a DNS-rebinding page passes the Origin check"
            );
        }
        let census = Census::new(Caps {
            sessions: config.max_sessions,
            per_client: config.max_sessions_per_client,
            memory: config.session_memory,
        });
        LiveRouter {
            routes: Arc::new(Table::default()),
            config: Arc::new(config),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
            census,
            guard: None,
        }
    }

    /// Serves `controller`'s page at `path`, keeping its session states in the
    /// [configured Redis](Config::redis) when there is one (with the configured session idle
    /// time as the keys' expiry), so a browser can move between processes and survive a
    /// restart; without Redis, like [`route`](LiveRouter::route).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn route_shared<C>(self, path: &str, controller: C) -> Self
    where
        C: LiveController,
        C::State: serde::Serialize + serde::de::DeserializeOwned,
    {
        match &self.config.redis {
            Some(redis) => {
                let store = redis.store::<C::State>().ttl(self.config.session_idle);
                self.add(path, controller, Some(Arc::new(store)))
            }
            None => self.add(path, controller, None),
        }
    }

    /// Serves `controller`'s page at `path`; sessions live in memory.
    ///
    /// `path` is an exact path (`/about`) or a pattern with parameters in braces, one per
    /// segment (`/posts/{id}`, `/posts/{id}/edit`), or a catch-all at the end
    /// (`/files/{*rest}`): [`matchit`](https://docs.rs/matchit)'s syntax, as in axum. An exact
    /// path wins over a pattern (`/posts/new` next to `/posts/{id}`). The controller reads the
    /// parameters with [`ctx.param("id")`](crate::Context::param) or typed with
    /// [`ctx.params::<T>()`](crate::Context::params), in `mount`, the hooks and actions, on
    /// every transport; a parameter that does not bind is a `404`. Each URL of a pattern has
    /// its own state per browser: `/posts/1` and `/posts/2` are two sessions of the page
    /// (each counted by [`Config::max_sessions`]).
    ///
    /// Parameters are percent-decoded; one over [`MAX_PARAM_LEN`](super::MAX_PARAM_LEN)
    /// bytes, not UTF-8 once decoded, empty, or a `.`/`..` segment matches nothing (`404`).
    /// A trailing slash counts: `/posts/7/` is not `/posts/7`.
    ///
    /// # Panics
    ///
    /// When `path` does not start with `/`, is not a valid pattern (`/posts/{}`), or conflicts
    /// with a route added before (the same path again, or `/posts/{slug}` after
    /// `/posts/{id}`); the message names both routes. Routes are code, so this is a
    /// programming error found when the router is built (as axum's `route` does), never a
    /// request-time failure.
    ///
    /// ```
    /// # use askama::Template;
    /// # use livetemplate::{Context, LiveTemplate, live_controller};
    /// # #[derive(Clone, Template, LiveTemplate)]
    /// # #[template(source = "<p>{{ id }}</p>", ext = "html")]
    /// # struct Post { id: u64 }
    /// # struct Posts;
    /// #[derive(serde::Deserialize)]
    /// struct PostParams {
    ///     id: u64,
    /// }
    ///
    /// #[live_controller]
    /// impl Posts {
    ///     async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Post> {
    ///         // `/posts/abc` does not bind: `?` makes it a 404.
    ///         let PostParams { id } = ctx.params()?;
    ///         Ok(Post { id })
    ///     }
    /// }
    ///
    /// let router = livetemplate::LiveRouter::new().route("/posts/{id}", Posts);
    /// assert_eq!(router.routes()[0].pattern, "/posts/{id}");
    /// ```
    pub fn route<C: LiveController>(self, path: &str, controller: C) -> Self {
        self.add(path, controller, None)
    }

    /// Serves `controller`'s page at `path`, keeping session states in `store` too, so other
    /// processes sharing it (or this one after a restart) resume them.
    pub fn route_with_store<C: LiveController>(
        self,
        path: &str,
        controller: C,
        store: impl SessionStore<C::State>,
    ) -> Self {
        self.add(path, controller, Some(Arc::new(store)))
    }

    fn add<C: LiveController>(
        mut self,
        path: &str,
        controller: C,
        store: Option<Arc<dyn SessionStore<C::State>>>,
    ) -> Self {
        let routes = Arc::make_mut(&mut self.routes);
        // Checked before the page exists: a bad route panics with nothing half-built.
        routes.reserve(path);
        let route = Route {
            pattern: path.to_owned(),
            controller: std::any::type_name::<C>(),
            stored: store.is_some(),
            guard: self.guard.as_ref().map(|guard| guard.name().to_owned()),
        };
        let page = Page::new(
            path,
            controller,
            Arc::clone(&self.config),
            Arc::clone(&self.config.broker),
            self.shutdown.subscribe(),
            store,
            &self.census,
        );
        let links = [
            <C::State as crate::LiveTemplate>::NAV_LINKS,
            C::NAV_LITERALS,
        ];
        routes.push(route, page, self.guard.clone(), links);
        self
    }

    /// Adds the routes `routes` adds as one group guarded by `guard`: its checks run on
    /// every entry into any of them — the page load, the socket join, each JSON and form
    /// `POST` — before the controller is reached, and `mount` and the actions run only
    /// when every check says [`Continue`](Verdict::Continue). [`routes`](Self::routes)
    /// shows the group's name. See the book's routes page for what a refusal looks like on
    /// each transport.
    ///
    /// ```
    /// # use askama::Template;
    /// # use livetemplate::{Context, LiveTemplate, live_controller};
    /// # #[derive(Clone, Template, LiveTemplate)]
    /// # #[template(source = "<p>{{ n }}</p>", ext = "html")]
    /// # struct Page { n: u32 }
    /// # struct Home; struct Admin; struct AdminPost;
    /// # #[live_controller]
    /// # impl Home { async fn mount(&self, _: &mut Context) -> livetemplate::Result<Page> { Ok(Page { n: 0 }) } }
    /// # #[live_controller]
    /// # impl Admin { async fn mount(&self, _: &mut Context) -> livetemplate::Result<Page> { Ok(Page { n: 1 }) } }
    /// # #[live_controller]
    /// # impl AdminPost { async fn mount(&self, _: &mut Context) -> livetemplate::Result<Page> { Ok(Page { n: 2 }) } }
    /// use livetemplate::LiveRouter;
    /// use livetemplate::server::{Entry, Guard, Verdict};
    ///
    /// async fn signed_in(entry: Entry) -> Verdict {
    ///     match entry.user() {
    ///         Some(_) => Verdict::Continue,
    ///         None => entry.login_redirect("/login"),
    ///     }
    /// }
    ///
    /// let router = LiveRouter::new().route("/", Home).guarded(
    ///     Guard::new("admin").check(signed_in),
    ///     |admin| admin.route("/admin", Admin).route("/admin/{id}", AdminPost),
    /// );
    /// let groups: Vec<_> = router.routes().iter().map(|r| r.guard.as_deref()).collect();
    /// assert_eq!(groups, [None, Some("admin"), Some("admin")]);
    /// ```
    ///
    /// # Panics
    ///
    /// When called inside another `guarded` (groups do not nest: put every check in one
    /// [`Guard`]) or when a group of the same name guards routes already. Like a bad route,
    /// a programming error found when the router is built.
    pub fn guarded(mut self, guard: Guard, routes: impl FnOnce(Self) -> Self) -> Self {
        if let Some(outer) = &self.guard {
            panic!(
                "guard group `{}` inside guard group `{}`: groups do not nest; give one Guard every check",
                guard.name(),
                outer.name()
            );
        }
        assert!(
            !self.routes.has_guard(guard.name()),
            "guard group `{}` is added twice: add its routes in one `guarded` call",
            guard.name()
        );
        self.guard = Some(Arc::new(guard));
        let mut router = routes(self);
        router.guard = None;
        router
    }

    /// The route table, in the order the routes were added: each pattern, its controller's
    /// type name, whether its states are kept in a store, and its guard group.
    pub fn routes(&self) -> &[Route] {
        self.routes.routes()
    }

    /// Checks that every static `lvt-nav` link of the routes' templates names a route; the
    /// error lists each link that does not, with its template file, line and the nearest
    /// route. Call it at startup (before serving) and in a test, so a mistyped link fails
    /// there rather than when someone clicks it:
    ///
    /// ```
    /// # use askama::Template;
    /// # use livetemplate::{Context, LiveTemplate, live_controller};
    /// #[derive(Clone, Template, LiveTemplate)]
    /// #[template(source = "<a href=\"/post/2\" lvt-nav>Post 2</a>", ext = "html")]
    /// struct Home;
    /// # struct Homes; struct Posts;
    /// # #[live_controller]
    /// # impl Homes { async fn mount(&self, _: &mut Context) -> livetemplate::Result<Home> { Ok(Home) } }
    /// # #[live_controller]
    /// # impl Posts { async fn mount(&self, _: &mut Context) -> livetemplate::Result<Home> { Ok(Home) } }
    ///
    /// let router = livetemplate::LiveRouter::new()
    ///     .route("/", Homes)
    ///     .route("/posts/{id}", Posts);
    /// let error = router.check().unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "1 link(s) name no route:\n  <inline template>:1: lvt-nav link `/post/2` names no route; nearest route: `/posts/{id}`"
    /// );
    /// ```
    ///
    /// A link is checked when its `href` is written out in the template (`href="/posts/2"`);
    /// one holding template output (`href="/posts/{{ id }}"`) cannot be, and is skipped. An
    /// `lvt-nav` link must be a path on this site (`/…`); the query and fragment are not
    /// checked. Once live navigation has `ctx.push_patch`/`ctx.push_navigate`, their literal
    /// URLs are to be checked here too.
    pub fn check(&self) -> Result<(), CheckError> {
        let patterns: Vec<&str> = self
            .routes
            .routes()
            .iter()
            .map(|route| route.pattern.as_str())
            .collect();
        super::check::check(
            self.routes.links(),
            |path| self.routes.find(path).is_some(),
            &patterns,
        )
    }

    /// Closes every live connection (code 1001, "going away"), as `serve` does on shutdown;
    /// call it when embedding the router in your own server's shutdown.
    pub fn close_live_connections(&self) {
        self.shutdown.send_replace(true);
    }

    /// A handle for background tasks to push actions to subscribers.
    pub fn handle(&self) -> LiveHandle {
        LiveHandle {
            broker: Arc::clone(&self.config.broker),
        }
    }

    /// Answers one request. Bodies of any type are accepted (hyper's, axum's).
    pub async fn respond<B>(&self, request: Request<B>) -> Response<Body>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        if let Err(error) = super::guard::check_host(&self.config.allowed_hosts, &parts.headers) {
            let code = match error {
                HostError::Missing => StatusCode::BAD_REQUEST,
                HostError::NotAllowed(_) => StatusCode::MISDIRECTED_REQUEST,
            };
            let mut response = status(code, &error.to_string());
            // The host is the client's: never let a browser read the text as HTML.
            response.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            return response;
        }
        if parts.uri.path() == CLIENT_PATH && matches!(parts.method, Method::GET | Method::HEAD) {
            return client_bundle();
        }
        let Some(found) = self.routes.find(parts.uri.path()) else {
            return not_found::response(&self.config, wants_html(&parts), parts.uri.path());
        };
        let page = Arc::clone(found.page);
        let params = found.params;
        let user = self.config.user(&parts);
        // The guard runs before the body is read and before the page sees the request.
        let (parts, data) = match found.guard {
            None => (parts, http::Extensions::new()),
            Some(guard) => {
                let entry = Entry::new(
                    parts,
                    user.clone(),
                    Arc::from(found.pattern),
                    guard,
                    params.clone(),
                );
                let verdict = guard.admit(&entry).await;
                let (parts, data) = entry.into_parts();
                if verdict != Verdict::Continue {
                    tracing::debug!(
                        guard = guard.name(),
                        route = found.pattern,
                        ?verdict,
                        "refused by the route's guard"
                    );
                    return access::refusal(verdict, &parts, &self.config);
                }
                (parts, data)
            }
        };
        let body = if parts.method == Method::POST {
            let deadline = self.config.body_read_timeout;
            match super::body::read_body(body, self.config.max_body, deadline).await {
                Ok(bytes) => Some(bytes),
                Err(error) => {
                    let mut response = status(error.status(), &error.to_string());
                    if error.status() == StatusCode::REQUEST_TIMEOUT {
                        // The rest of the body may still trickle in: do not wait for it.
                        tracing::info!(%error, "POST body refused");
                        response
                            .headers_mut()
                            .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    }
                    return response;
                }
            }
        } else {
            None
        };
        page.handle(parts, body, params, Visitor { user, data })
            .await
    }
}

fn client_bundle() -> Response<Body> {
    let mut response = Response::new(Body::from(Bytes::from_static(CLIENT_JS.as_bytes())));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

impl<B> tower_service::Service<Request<B>> for LiveRouter
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let router = self.clone();
        Box::pin(async move { Ok(router.respond(request).await) })
    }
}

impl hyper::service::Service<Request<hyper::body::Incoming>> for LiveRouter {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, request: Request<hyper::body::Incoming>) -> Self::Future {
        let router = self.clone();
        Box::pin(async move { Ok(router.respond(request).await) })
    }
}

/// Sends actions to subscribers from anywhere (a background task, another request).
#[derive(Clone)]
pub struct LiveHandle {
    broker: Arc<dyn Broker>,
}

impl std::fmt::Debug for LiveHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHandle").finish_non_exhaustive()
    }
}

impl LiveHandle {
    /// Runs `action` with `data` on every session subscribed to `topic`.
    pub fn push(&self, topic: &str, action: &str, data: FormData) {
        self.broker.publish(topic, Message::new(action, data));
    }
}

/// Serves `router` on `addr` until Ctrl-C (or SIGTERM), then drains open connections. The
/// URL served is logged, and printed to stderr when no `tracing` subscriber is installed.
///
/// [`serve_env`](super::serve_env) does the same on the address in `ADDR`.
pub async fn serve(addr: SocketAddr, router: LiveRouter) -> std::io::Result<()> {
    let shutdown = super::run::shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    super::run::announce(&listener);
    serve_listener(listener, router, shutdown).await
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains open connections for
/// up to [`Config::shutdown_timeout`] and closes the rest.
///
/// The router's [`Config`] sets the limits: [`max_connections`](Config::max_connections)
/// (a connection over it gets `503` and is closed), the
/// [`header_read_timeout`](Config::header_read_timeout) (which also ends idle keep-alive
/// connections) and the shutdown deadline. When `accept` fails (out of file descriptors, for
/// one), the next try waits 5 ms, doubling to 1 s until one succeeds, and at most one line per
/// second is logged.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    router: LiveRouter,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!("serving live pages on http://{addr}/");
    let config = Arc::clone(&router.config);
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    // Every connection task holds a receiver: on shutdown each finishes its requests.
    let (stop, _) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut backoff = Backoff::new();
    let mut accept_log = LogLimit::new(accept::LOG_INTERVAL);
    let mut refuse_log = LogLimit::new(accept::LOG_INTERVAL);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            (stream, peer) = accept::accept_with_backoff(
                || listener.accept(),
                &mut backoff,
                &mut accept_log,
            ) => {
                let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                    accept::refuse(stream, &mut refuse_log);
                    continue;
                };
                // One small frame per action: do not let Nagle hold a reply back.
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "cannot set TCP_NODELAY");
                }
                let io = TokioIo::new(Counted { io: stream, _permit: slot });
                let client = super::ClientAddr(peer.ip());
                let service = router.clone();
                let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                    // Sessions are counted per client address.
                    request.extensions_mut().insert(client);
                    let router = service.clone();
                    async move { Ok::<_, Infallible>(router.respond(request).await) }
                });
                let connection = http.serve_connection(io, service).with_upgrades();
                let mut stopping = stop.subscribe();
                connections.spawn(async move {
                    let mut connection = std::pin::pin!(connection);
                    let result = tokio::select! {
                        result = connection.as_mut() => result,
                        _ = stopping.changed() => {
                            connection.as_mut().graceful_shutdown();
                            connection.await
                        }
                    };
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut shutdown => break,
        }
    }
    // New connections are refused from here on.
    drop(listener);
    tracing::info!("shutting down: draining open connections");
    router.close_live_connections();
    let _ = stop.send(true);
    let drained = tokio::time::timeout(config.shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "shutdown deadline passed; closing the connections left (Config::shutdown_timeout)"
        );
        connections.shutdown().await;
    }
    Ok(())
}

#[allow(dead_code)]
fn _assert_send(
    router: LiveRouter,
    addr: SocketAddr,
) -> impl Future<Output = std::io::Result<()>> + Send {
    serve(addr, router)
}
