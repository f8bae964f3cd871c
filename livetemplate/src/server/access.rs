//! Route guards: a named group of routes whose checks run on every entry into it — the page
//! load, the socket join, each JSON and form POST — before any controller code.
//!
//! | verdict | page `GET`/`HEAD`, form `POST` | socket join | JSON `GET`/`POST` (our client) | JSON, other clients |
//! |---|---|---|---|---|
//! | [`Continue`](Verdict::Continue) | served | upgraded | served | served |
//! | [`Redirect`](Verdict::Redirect) | `303` + `Location` | `303`, not upgraded | `403` + redirect frame | `403` + error frame `refused` |
//! | [`Halt`](Verdict::Halt) | its status, the message in the layout | its status, plain text | its status + error frame `refused` | the same |
//!
//! A browser's WebSocket fails on any answer but `101`; the client then asks for the page
//! as JSON, gets the redirect frame and follows it (or shows the error).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt as _;
use http::header::{self, HeaderValue};
use http::request::Parts;
use http::{Extensions, Method, Response, StatusCode};
use serde::de::DeserializeOwned;

use super::config::Config;
use super::endpoint::{Body, is_upgrade, json, layout_page, status, wants_html, without_params};
use super::page::push_escaped;
use crate::controller::{ParamsError, RouteParams};
use crate::pubsub::lock;
use crate::wire::frame;
use crate::wire::keys as k;

/// What a guard decides about one entry into its routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Let the request through (to the next check of the guard, then the page).
    Continue,
    /// Send the browser to this URL instead (`/login?next=…`: see
    /// [`Entry::login_redirect`]). Nothing of the page runs.
    Redirect(String),
    /// Refuse with this status (a `4xx` or `5xx`; another is sent as `403`) and message,
    /// which a browser sees inside the layout. Nothing of the page runs.
    Halt(StatusCode, String),
}

impl Verdict {
    /// `Halt` with `403 Forbidden` and `message`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Verdict::Halt(StatusCode::FORBIDDEN, message.into())
    }
}

/// One check of a guard, boxed.
type Check = dyn Fn(Entry) -> Pin<Box<dyn Future<Output = Verdict> + Send>> + Send + Sync;

/// A named group of routes and the checks that run on every entry into them (Phoenix's
/// `live_session` with its `on_mount` hooks). Added with
/// [`LiveRouter::guarded`](super::LiveRouter::guarded); its name shows in
/// [`router.routes()`](super::LiveRouter::routes).
///
/// A check is an `async` function of the [`Entry`] returning a [`Verdict`]; the checks run in
/// the order added and the first verdict other than `Continue` answers the request. A check
/// with nothing to await is an `async fn` all the same.
///
/// ```
/// use livetemplate::server::{Entry, Guard, Verdict};
///
/// #[derive(Clone)]
/// struct Admin {
///     name: String,
/// }
///
/// async fn require_admin(entry: Entry) -> Verdict {
///     match entry.user() {
///         None => entry.login_redirect("/login"),
///         // A real app asks its database here.
///         Some(user) if user.starts_with("admin:") => {
///             entry.insert(Admin { name: user.to_owned() }); // read with ctx.guard_data::<Admin>()
///             Verdict::Continue
///         }
///         Some(_) => Verdict::forbidden("admins only"),
///     }
/// }
///
/// let admin = Guard::new("admin").check(require_admin);
/// assert_eq!(admin.name(), "admin");
/// ```
#[derive(Clone)]
pub struct Guard {
    name: Arc<str>,
    checks: Vec<Arc<Check>>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("name", &self.name)
            .field("checks", &self.checks.len())
            .finish()
    }
}

impl Guard {
    /// A guard group named `name`, with no checks yet (its routes are only grouped).
    pub fn new(name: impl Into<String>) -> Self {
        Guard {
            name: Arc::from(name.into()),
            checks: Vec::new(),
        }
    }

    /// Adds a check, run after those added before it.
    pub fn check<F, Fut>(mut self, check: F) -> Self
    where
        F: Fn(Entry) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Verdict> + Send + 'static,
    {
        self.checks
            .push(Arc::new(move |entry| Box::pin(check(entry))));
        self
    }

    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the checks on `entry` in order and returns the first verdict that is not
    /// `Continue` (made safe to send: a `Halt` whose status is not an error is sent as `403`,
    /// a redirect that is not a valid `Location` as `500`), or `Continue`. A check that
    /// panics refuses the request (`500`) and is logged; nothing panics here.
    ///
    /// The one entry point of guards: the router calls it for every request to a guarded
    /// route (page, socket join, JSON and form POST), and live navigation over an open socket
    /// (issue 15, item 2) is to call it on each navigation into the group, with an `Entry`
    /// built from the socket's request and the new path.
    pub(crate) async fn admit(&self, entry: &Entry) -> Verdict {
        for check in &self.checks {
            let verdict = std::panic::AssertUnwindSafe(check(entry.clone()))
                .catch_unwind()
                .await;
            match verdict {
                Ok(Verdict::Continue) => {}
                Ok(Verdict::Halt(code, message)) => {
                    if code.is_client_error() || code.is_server_error() {
                        return Verdict::Halt(code, message);
                    }
                    tracing::warn!(guard = %self.name, %code, "a guard halted with a status that is not an error; sent as 403");
                    return Verdict::Halt(StatusCode::FORBIDDEN, message);
                }
                Ok(Verdict::Redirect(to)) => {
                    if HeaderValue::from_str(&to).is_ok() {
                        return Verdict::Redirect(to);
                    }
                    tracing::error!(guard = %self.name, "a guard redirected to an invalid URL; refused");
                    return internal_error();
                }
                Err(_) => {
                    tracing::error!(guard = %self.name, "a guard check panicked; the request is refused");
                    return internal_error();
                }
            }
        }
        Verdict::Continue
    }
}

fn internal_error() -> Verdict {
    Verdict::Halt(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the page could not be loaded".to_owned(),
    )
}

/// One entry into a guarded route, as a guard's check sees it: the request, the user the
/// [authenticator](super::Config::authenticator) found, the route and its parameters. Cheap
/// to clone (the checks of one guard share it).
///
/// A check may [`insert`](Self::insert) typed data; `mount`, the hooks and the actions of
/// that request read it with [`Context::guard_data`](crate::Context::guard_data).
#[derive(Clone)]
pub struct Entry {
    inner: Arc<EntryInner>,
}

struct EntryInner {
    parts: Parts,
    user: Option<String>,
    route: Arc<str>,
    guard: Arc<str>,
    params: RouteParams,
    data: Mutex<Extensions>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("method", &self.inner.parts.method)
            .field("path", &self.inner.parts.uri.path())
            .field("user", &self.inner.user)
            .field("route", &self.inner.route)
            .field("guard", &self.inner.guard)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// An entry of `parts` (the request) into `route` of `guard`.
    pub(crate) fn new(
        parts: Parts,
        user: Option<String>,
        route: Arc<str>,
        guard: &Guard,
        params: RouteParams,
    ) -> Self {
        Entry {
            inner: Arc::new(EntryInner {
                parts,
                user,
                route,
                guard: Arc::clone(&guard.name),
                params,
                data: Mutex::new(Extensions::new()),
            }),
        }
    }

    /// The request's parts back, and the data the checks inserted. The parts are moved
    /// out when no check kept the entry (the usual case), cloned otherwise.
    pub(crate) fn into_parts(self) -> (Parts, Extensions) {
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => {
                let data = inner
                    .data
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                (inner.parts, data)
            }
            Err(shared) => (shared.parts.clone(), lock(&shared.data).clone()),
        }
    }

    /// The request: method, URI, headers, and extensions a layer in front set.
    pub fn parts(&self) -> &Parts {
        &self.inner.parts
    }

    /// The path asked for, as sent (percent-encoded).
    pub fn path(&self) -> &str {
        self.inner.parts.uri.path()
    }

    /// The signed-in user, when the [authenticator](super::Config::authenticator) found one.
    pub fn user(&self) -> Option<&str> {
        self.inner.user.as_deref()
    }

    /// The route's pattern (`/admin/{id}`).
    pub fn route(&self) -> &str {
        &self.inner.route
    }

    /// The guard group's name.
    pub fn guard(&self) -> &str {
        &self.inner.guard
    }

    /// One path parameter, percent-decoded, as [`Context::param`](crate::Context::param).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.inner.params.get(name)
    }

    /// The path parameters bound into `T`, as [`Context::params`](crate::Context::params).
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, ParamsError> {
        self.inner.params.bind()
    }

    /// Attaches `value` to this request: later checks read it with [`get`](Self::get), and
    /// `mount`, the hooks and the actions of the request with
    /// [`Context::guard_data`](crate::Context::guard_data). One value per type; a second
    /// replaces the first.
    pub fn insert<T: Clone + Send + Sync + 'static>(&self, value: T) {
        lock(&self.inner.data).insert(value);
    }

    /// A copy of the value of type `T` an earlier check [inserted](Self::insert).
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        lock(&self.inner.data).get::<T>().cloned()
    }

    /// `Redirect` to `login` with `next` set to the path and query asked for (encoded, our
    /// own `_lvt…` parameters left out): `/login?next=%2Fadmin%3Ftab%3D2`. `next` is always a
    /// path on this site (see [`local_path`]), never another origin, so a login page that
    /// sends the browser on to it cannot be made an open redirect.
    pub fn login_redirect(&self, login: &str) -> Verdict {
        let next = requested(&self.inner.parts);
        let next = local_path(&next).unwrap_or("/");
        let separator = if login.contains('?') { '&' } else { '?' };
        let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        Verdict::Redirect(format!("{login}{separator}next={next}"))
    }
}

/// `target` when it is a path on this site — it starts with one `/`, has no `\` and no
/// control character — so that sending a browser to it (a login page's `?next=`) stays on
/// this site; `None` for `//evil.example`, `/\evil.example`, `https://…`, `javascript:…` and
/// relative paths.
///
/// ```
/// use livetemplate::server::local_path;
///
/// assert_eq!(local_path("/admin?tab=2"), Some("/admin?tab=2"));
/// for foreign in ["//evil.example/", "/\\evil.example", "https://evil.example/", "admin", "/a\nb"] {
///     assert_eq!(local_path(foreign), None, "{foreign}");
/// }
/// ```
pub fn local_path(target: &str) -> Option<&str> {
    let ok = target.starts_with('/')
        && !target.starts_with("//")
        && !target.contains('\\')
        && !target.chars().any(char::is_control);
    ok.then_some(target)
}

/// The path and query of the request without our own parameters (`_lvt=1`, `_lvt_rotate`).
fn requested(parts: &Parts) -> String {
    without_params(
        parts.uri.path(),
        parts.uri.query(),
        &[k::CLIENT_PARAM, k::ROTATE_PARAM],
    )
}

/// The answer to a request a guard refused, shaped for its transport (see the module's
/// table).
pub(crate) fn refusal(verdict: Verdict, parts: &Parts, config: &Config) -> Response<Body> {
    let upgrade = is_upgrade(parts);
    let json = !upgrade && !wants_html(parts) && !is_form_post(parts);
    let ours = parts.uri.query().is_some_and(|query| {
        form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == k::CLIENT_PARAM)
    });
    let mut response = match verdict {
        Verdict::Continue => status(StatusCode::INTERNAL_SERVER_ERROR, "not refused"),
        Verdict::Redirect(to) if json => {
            let body = if ours {
                frame::redirect(&to)
            } else {
                frame::error(k::ERR_REFUSED, &format!("not allowed here; go to {to}"))
            };
            json_response(StatusCode::FORBIDDEN, body)
        }
        Verdict::Redirect(to) => {
            let mut response = status(StatusCode::SEE_OTHER, "");
            if let Ok(location) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Verdict::Halt(code, message) if json => {
            json_response(code, frame::error(k::ERR_REFUSED, &message))
        }
        Verdict::Halt(code, message) if upgrade => status(code, &message),
        Verdict::Halt(code, message) => page(config, code, &message),
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The message in the layout, escaped, titled with the status's reason.
fn page(config: &Config, code: StatusCode, message: &str) -> Response<Body> {
    let mut region = String::from("<p>");
    push_escaped(&mut region, message);
    region.push_str("</p>");
    layout_page(
        config,
        code,
        code.canonical_reason().unwrap_or("Refused"),
        &region,
    )
}

fn json_response(code: StatusCode, body: String) -> Response<Body> {
    let mut response = json(body);
    *response.status_mut() = code;
    response
}

/// A POST that is not JSON: a browser's plain form.
fn is_form_post(parts: &Parts) -> bool {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    parts.method == Method::POST
        && super::body::body_kind(content_type) != super::body::BodyKind::Json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .body(())
            .unwrap_or_else(|e| panic!("{e}"))
            .into_parts()
            .0
    }

    fn entry(uri: &str, user: Option<&str>) -> Entry {
        Entry::new(
            parts("GET", uri, &[]),
            user.map(str::to_owned),
            Arc::from("/admin/{id}"),
            &Guard::new("admin"),
            RouteParams::new([("id", "7")]),
        )
    }

    #[test]
    fn login_redirect_encodes_next_and_drops_our_parameters() {
        let cases = [
            ("/admin/7", "/login?next=%2Fadmin%2F7"),
            (
                "/admin/7?tab=2&_lvt=1&q=a%20b",
                "/login?next=%2Fadmin%2F7%3Ftab%3D2%26q%3Da%2Bb",
            ),
            // Never another origin, even from a path a catch-all route matched.
            ("//evil.example/x", "/login?next=%2F"),
        ];
        for (uri, expected) in cases {
            assert_eq!(
                entry(uri, None).login_redirect("/login"),
                Verdict::Redirect(expected.to_owned()),
                "{uri}"
            );
        }
        assert_eq!(
            entry("/admin/7", None).login_redirect("/login?lang=en"),
            Verdict::Redirect("/login?lang=en&next=%2Fadmin%2F7".to_owned())
        );
    }

    #[tokio::test]
    async fn checks_run_in_order_share_data_and_stop_at_the_first_refusal() {
        #[derive(Clone, Debug, PartialEq)]
        struct Seen(u32);
        let guard = Guard::new("admin")
            .check(|entry: Entry| async move {
                entry.insert(Seen(1));
                Verdict::Continue
            })
            .check(|entry: Entry| async move {
                match (entry.get::<Seen>(), entry.user()) {
                    (Some(Seen(1)), Some(_)) => {
                        entry.insert(Seen(2));
                        Verdict::Continue
                    }
                    _ => entry.login_redirect("/login"),
                }
            })
            .check(|entry: Entry| async move {
                if entry.param("id") == Some("7") {
                    Verdict::Continue
                } else {
                    Verdict::forbidden("no")
                }
            });
        let signed_in = entry("/admin/7", Some("ann"));
        assert_eq!(guard.admit(&signed_in).await, Verdict::Continue);
        let (parts, data) = signed_in.into_parts();
        assert_eq!(parts.uri.path(), "/admin/7");
        assert_eq!(data.get::<Seen>(), Some(&Seen(2)));
        let anonymous = entry("/admin/7", None);
        assert_eq!(
            guard.admit(&anonymous).await,
            Verdict::Redirect("/login?next=%2Fadmin%2F7".to_owned())
        );
    }

    #[tokio::test]
    async fn odd_verdicts_and_panics_are_refusals() {
        let not_an_error =
            Guard::new("g").check(|_| async { Verdict::Halt(StatusCode::OK, "x".into()) });
        assert_eq!(
            not_an_error.admit(&entry("/", None)).await,
            Verdict::Halt(StatusCode::FORBIDDEN, "x".to_owned())
        );
        let bad_location = Guard::new("g").check(|_| async { Verdict::Redirect("/a\nb".into()) });
        assert!(matches!(
            bad_location.admit(&entry("/", None)).await,
            Verdict::Halt(StatusCode::INTERNAL_SERVER_ERROR, _)
        ));
        let panics = Guard::new("g").check(|entry: Entry| async move {
            assert!(entry.user().is_some(), "a check that panics");
            Verdict::Continue
        });
        assert!(matches!(
            panics.admit(&entry("/", None)).await,
            Verdict::Halt(StatusCode::INTERNAL_SERVER_ERROR, _)
        ));
        // A check that keeps the entry: the parts are cloned back.
        let kept = Arc::new(Mutex::new(None));
        let keeper = Arc::clone(&kept);
        let keeps = Guard::new("g").check(move |entry: Entry| {
            *lock(&keeper) = Some(entry);
            async { Verdict::Continue }
        });
        let e = entry("/admin/7?x=1", None);
        assert_eq!(keeps.admit(&e).await, Verdict::Continue);
        assert_eq!(e.into_parts().0.uri.query(), Some("x=1"));
    }

    /// Not a check (no timing assertions here): what a guard adds to a request — the entry
    /// built, one `async` check run, the parts taken back — printed. Run with
    /// `cargo test --release -p livetemplate --lib access::tests::guard_cost -- --ignored --nocapture`.
    #[tokio::test]
    #[ignore]
    async fn guard_cost() {
        let guard = Guard::new("admin").check(|entry: Entry| async move {
            match entry.user() {
                Some(user) => {
                    entry.insert(user.to_owned());
                    Verdict::Continue
                }
                None => entry.login_redirect("/login"),
            }
        });
        let template = parts(
            "GET",
            "/admin/7?tab=2",
            &[
                ("host", "127.0.0.1:8080"),
                ("accept", "text/html"),
                ("cookie", "livetemplate-id=abc.def; who=ann"),
                ("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
            ],
        );
        let rounds = 200_000_u32;
        for user in [Some("ann"), None] {
            for _ in 0..3 {
                let start = std::time::Instant::now();
                let mut admitted = 0_u32;
                for _ in 0..rounds {
                    let request = std::hint::black_box(template.clone());
                    let entry = Entry::new(
                        request,
                        user.map(str::to_owned),
                        Arc::from("/admin/{id}"),
                        &guard,
                        RouteParams::new([("id", "7")]),
                    );
                    let verdict = guard.admit(&entry).await;
                    let (_parts, _data) = entry.into_parts();
                    admitted += u32::from(verdict == Verdict::Continue);
                }
                let ns = start.elapsed().as_nanos() as f64 / f64::from(rounds);
                println!("user {user:?}: {ns:.0} ns an entry ({admitted} admitted)");
            }
        }
        // What the loop pays besides the guard: cloning the request it starts from.
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            drop(std::hint::black_box(template.clone()));
        }
        let ns = start.elapsed().as_nanos() as f64 / f64::from(rounds);
        println!("the request's clone alone: {ns:.0} ns");
    }

    async fn text(response: Response<Body>) -> String {
        use http_body_util::BodyExt as _;
        match response.into_body().collect().await {
            Ok(body) => String::from_utf8_lossy(&body.to_bytes()).into_owned(),
            Err(never) => match never {},
        }
    }

    #[tokio::test]
    async fn refusals_per_transport() {
        let config = Config::default();
        let to = || Verdict::Redirect("/login?next=%2Fa".to_owned());
        let page = refusal(
            to(),
            &parts("GET", "/a", &[("accept", "text/html")]),
            &config,
        );
        assert_eq!(page.status(), StatusCode::SEE_OTHER);
        assert_eq!(page.headers()["location"], "/login?next=%2Fa");
        let socket = refusal(
            to(),
            &parts("GET", "/a?_lvt=1", &[("upgrade", "websocket")]),
            &config,
        );
        assert_eq!(socket.status(), StatusCode::SEE_OTHER);
        let json = refusal(
            to(),
            &parts("GET", "/a?_lvt=1", &[("accept", "application/json")]),
            &config,
        );
        assert_eq!(json.status(), StatusCode::FORBIDDEN);
        assert_eq!(text(json).await, frame::redirect("/login?next=%2Fa"));
        let form = refusal(
            Verdict::forbidden("<admins> only"),
            &parts(
                "POST",
                "/a",
                &[("content-type", "application/x-www-form-urlencoded")],
            ),
            &config,
        );
        assert_eq!(form.status(), StatusCode::FORBIDDEN);
        let body = text(form).await;
        assert!(body.contains("<p>&lt;admins&gt; only</p>"), "{body}");
        let posted = refusal(
            Verdict::forbidden("no"),
            &parts("POST", "/a", &[("content-type", "application/json")]),
            &config,
        );
        assert_eq!(posted.status(), StatusCode::FORBIDDEN);
        assert_eq!(text(posted).await, frame::error(k::ERR_REFUSED, "no"));
    }
}
