//! Route guards over real sockets: a guarded group (`/admin`, `/admin/{id}`) behind an axum
//! sign-in cookie, checked on the page load, the socket join, the JSON POST and the form POST
//! of every request (not only the first); redirects to `/login?next=…` that stay on the site,
//! `403` halts, typed data a guard attaches read by `mount` and actions; and
//! `LiveRouter::check` over templates' `lvt-nav` links. Each refusal is followed by a normal
//! request that is still served.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use livetemplate::server::{Entry, Guard, Verdict, local_path};
use livetemplate::testing::{Browser, Response, TestError};
use livetemplate::{Config, Context, LiveRouter, LiveTemplate, live_controller};
use tokio::net::TcpListener;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(
    source = "<form method=\"post\"><p>admin page {{ id }} for {{ admin }}</p><p>bumps {{ bumps }} by {{ by }}</p><button name=\"bump\">Bump</button></form>",
    ext = "html"
)]
struct AdminPage {
    id: String,
    /// Who the guard let in, as `mount` read it from `ctx.guard_data`.
    admin: String,
    bumps: u32,
    /// Who the guard let in, as the last action read it.
    by: String,
}

/// What the admin guard attaches for the page.
#[derive(Debug, Clone)]
struct Admin(String);

struct Admins;

#[live_controller]
impl Admins {
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<AdminPage> {
        Ok(AdminPage {
            id: ctx.param("id").unwrap_or("index").to_owned(),
            admin: ctx
                .guard_data::<Admin>()
                .map_or("nobody", |a| &a.0)
                .to_owned(),
            bumps: 0,
            by: String::new(),
        })
    }

    /// Shown in the page's other tabs too (`sync`).
    pub(crate) fn bump(&self, state: &mut AdminPage, ctx: &mut Context) {
        state.bumps += 1;
        state.by = ctx
            .guard_data::<Admin>()
            .map_or("nobody", |a| &a.0)
            .to_owned();
        ctx.sync();
    }
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "guards/nav.html")]
struct Nav {
    id: u32,
}

struct Home;

#[live_controller]
impl Home {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Nav> {
        Ok(Nav { id: 7 })
    }
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "guards/bad_nav.html")]
struct BadNav;

struct Broken;

#[live_controller]
impl Broken {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<BadNav> {
        Ok(BadNav)
    }
}

/// The app's sign-in cookie, which the authenticator reads: `who=<user>`.
fn user_of(parts: &http::request::Parts) -> Option<String> {
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("who="))
        .filter(|user| !user.is_empty())
        .map(str::to_owned)
}

/// Admins are users named `admin…`; anyone else signed in is refused, nobody is sent to sign
/// in. Counts its runs.
fn admin_guard(runs: Arc<AtomicUsize>) -> Guard {
    Guard::new("admin").check(move |entry: Entry| {
        runs.fetch_add(1, Ordering::SeqCst);
        async move {
            match entry.user() {
                None => entry.login_redirect("/login"),
                Some(user) if user.starts_with("admin") => {
                    entry.insert(Admin(user.to_owned()));
                    Verdict::Continue
                }
                Some(_) => Verdict::forbidden("admins only <here>"),
            }
        }
    })
}

fn router(runs: Arc<AtomicUsize>) -> LiveRouter {
    LiveRouter::with_config(Config::new().authenticator(user_of))
        .route("/", Home)
        .guarded(admin_guard(runs), |admin| {
            admin.route("/admin", Admins).route("/admin/{id}", Admins)
        })
}

/// The live router inside axum, with `/signin?as=<user>` and `/signout` setting the cookie.
struct App {
    addr: SocketAddr,
    runs: Arc<AtomicUsize>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl App {
    async fn start() -> Result<App, Box<dyn std::error::Error + Send + Sync>> {
        use axum::extract::RawQuery;
        use axum::response::IntoResponse;

        let runs = Arc::new(AtomicUsize::new(0));
        let sign_in = |RawQuery(query): RawQuery| async move {
            let who = query
                .as_deref()
                .and_then(|query| query.strip_prefix("as="))
                .unwrap_or_default()
                .to_owned();
            ([("set-cookie", format!("who={who}; Path=/"))], "signed in").into_response()
        };
        let sign_out = || async {
            ([("set-cookie", "who=; Path=/; Max-Age=0")], "signed out").into_response()
        };
        let app = axum::Router::new()
            .route("/signin", axum::routing::get(sign_in))
            .route("/signout", axum::routing::get(sign_out))
            .fallback_service(router(Arc::clone(&runs)));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(App { addr, runs, stop })
    }

    fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A JSON POST of `action` to `path`, as a script of the page would.
    async fn post_json(
        &self,
        browser: &mut Browser,
        path: &str,
        action: &str,
    ) -> Result<Response, TestError> {
        browser
            .request(
                "POST",
                path,
                &[
                    ("Content-Type", "application/json"),
                    ("Origin", &self.origin()),
                ],
                &format!(r#"{{"action":"{action}","data":{{}}}}"#),
            )
            .await
    }
}

/// The status and `Location` of a WebSocket handshake the server refused.
fn refused(result: Result<livetemplate::testing::Tab, TestError>) -> (u16, Option<String>) {
    match result {
        Err(TestError::WebSocket(tokio_tungstenite::tungstenite::Error::Http(response))) => (
            response.status().as_u16(),
            response
                .headers()
                .get("location")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        ),
        Err(other) => panic!("the handshake failed otherwise: {other}"),
        Ok(_) => panic!("the handshake was accepted"),
    }
}

fn assert_served(response: &Response, text: &str) {
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        response.body.contains(text),
        "no {text:?} in {}",
        response.body
    );
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_with_next_on_every_transport() -> TestResult {
    let app = App::start().await?;
    let mut anonymous = app.browser();

    let page = anonymous.get("/admin/7?tab=2&_lvt=1").await?;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.header("location").ok_or("no Location")?;
    // `next` is the path asked for, encoded, without our `_lvt` parameter.
    assert_eq!(location, "/login?next=%2Fadmin%2F7%3Ftab%3D2");
    // Decoded, `next` is a path on this site (what a login page should check before using it).
    assert_eq!(local_path("/admin/7?tab=2"), Some("/admin/7?tab=2"));
    assert_eq!(local_path("//evil.example/admin"), None);
    // Nothing of the page ran: no session was started.
    assert_eq!(anonymous.cookie(), None);

    // The JSON GET (our client after a refused socket) gets a redirect frame, never a 3xx.
    let json = anonymous
        .request(
            "GET",
            "/admin?_lvt=1",
            &[("Accept", "application/json")],
            "",
        )
        .await?;
    assert_eq!(json.status, 403, "{}", json.body);
    assert_eq!(
        json.body,
        r#"{"type":"redirect","to":"/login?next=%2Fadmin"}"#
    );
    // The existing client reads no redirect frame: an error frame.
    let legacy = anonymous
        .request("GET", "/admin", &[("Accept", "application/json")], "")
        .await?;
    assert_eq!(legacy.status, 403, "{}", legacy.body);
    assert!(
        legacy.body.contains(r#""code":"refused""#),
        "{}",
        legacy.body
    );

    // The socket is not upgraded; the form POST is sent to sign in too.
    let (code, location) = refused(anonymous.connect("/admin").await);
    assert_eq!(
        (code, location.as_deref()),
        (303, Some("/login?next=%2Fadmin"))
    );
    let form = anonymous
        .request(
            "POST",
            "/admin",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "bump=",
        )
        .await?;
    assert_eq!(form.status, 303, "{}", form.body);
    assert_eq!(form.header("location"), Some("/login?next=%2Fadmin"));
    let posted = app
        .post_json(&mut anonymous, "/admin?_lvt=1", "bump")
        .await?;
    assert_eq!(posted.status, 403, "{}", posted.body);
    assert!(
        posted.body.contains(r#""type":"redirect""#),
        "{}",
        posted.body
    );

    // An unguarded page is still served to the same browser.
    assert_served(&anonymous.get("/").await?, "<p>7</p>");
    let _ = app.stop.send(());
    Ok(())
}

#[tokio::test]
async fn a_signed_in_user_who_is_not_an_admin_is_halted_with_403() -> TestResult {
    let app = App::start().await?;
    let mut mallory = app.browser();
    mallory.get("/signin?as=mallory").await?;
    let page = mallory.get("/admin").await?;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        page.body.contains("<p>admins only &lt;here&gt;</p>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<title>Forbidden</title>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("livetemplate.min.js"), "{}", page.body);
    let posted = app.post_json(&mut mallory, "/admin?_lvt=1", "bump").await?;
    assert_eq!(posted.status, 403, "{}", posted.body);
    assert_eq!(
        posted.body,
        r#"{"type":"error","code":"refused","message":"admins only <here>"}"#
    );
    assert_eq!(refused(mallory.connect("/admin/1").await).0, 403);
    assert_served(&mallory.get("/").await?, "<p>7</p>");
    let _ = app.stop.send(());
    Ok(())
}

#[tokio::test]
async fn an_admin_is_let_in_everywhere_and_the_guard_data_reaches_mount_and_actions() -> TestResult
{
    let app = App::start().await?;
    let mut ann = app.browser();
    ann.get("/signin?as=admin-ann").await?;
    assert_served(&ann.get("/admin/3").await?, "admin page 3 for admin-ann");

    let mut tab = ann.connect("/admin/3").await?;
    tab.click("bump").await?;
    assert!(tab.succeeded(), "{:?}", tab.errors());
    assert!(
        tab.html().contains("bumps 1 by admin-ann"),
        "{}",
        tab.html()
    );

    let json = app.post_json(&mut ann, "/admin/3?_lvt=1", "bump").await?;
    assert_eq!(json.status, 200, "{}", json.body);
    tab.wait_until("the JSON bump", |html| {
        html.contains("bumps 2 by admin-ann")
    })
    .await?;
    let form = ann.post_form("/admin/3", &[("bump", "")]).await?;
    assert_eq!(form.status, 303, "{}", form.body);
    assert_eq!(form.header("location"), Some("/admin/3"));
    tab.wait_until("the form bump", |html| html.contains("bumps 3"))
        .await?;
    tab.close().await?;
    let _ = app.stop.send(());
    Ok(())
}

#[tokio::test]
async fn the_guard_runs_on_every_request_and_a_signed_out_cookie_opens_nothing() -> TestResult {
    let app = App::start().await?;
    let mut ann = app.browser();
    ann.get("/signin?as=admin-ann").await?;
    let before = app.runs();
    assert_served(&ann.get("/admin").await?, "for admin-ann");
    assert_served(&ann.get("/admin").await?, "for admin-ann");
    assert_eq!(
        app.runs(),
        before + 2,
        "once per page load, not once per session"
    );
    let tab = ann.connect("/admin").await?;
    assert_eq!(app.runs(), before + 3, "and on the socket join");
    tab.close().await?;

    // Signed out: the session cookie from before still names the session, but the guard
    // sees nobody on each transport.
    ann.get("/signout").await?;
    assert!(ann.cookie().is_some(), "the session cookie is kept");
    let (code, location) = refused(ann.connect("/admin").await);
    assert_eq!(
        (code, location.as_deref()),
        (303, Some("/login?next=%2Fadmin"))
    );
    let posted = app.post_json(&mut ann, "/admin?_lvt=1", "bump").await?;
    assert_eq!(posted.status, 403, "{}", posted.body);
    let form = ann.post_form("/admin", &[("bump", "")]).await?;
    assert_eq!(form.status, 303, "{}", form.body);
    assert_eq!(form.header("location"), Some("/login?next=%2Fadmin"));
    assert_eq!(ann.get("/admin").await?.status, 303);
    assert_eq!(app.runs(), before + 7);

    // Signed in again, the same browser is let in.
    ann.get("/signin?as=admin-ann").await?;
    assert_served(&ann.get("/admin").await?, "for admin-ann");
    let _ = app.stop.send(());
    Ok(())
}

#[test]
fn routes_show_their_guard_group() {
    let router = router(Arc::default());
    let rows: Vec<(&str, Option<&str>)> = router
        .routes()
        .iter()
        .map(|route| (route.pattern.as_str(), route.guard.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            ("/", None),
            ("/admin", Some("admin")),
            ("/admin/{id}", Some("admin"))
        ]
    );
}

#[test]
fn check_passes_good_links_and_names_each_bad_one() -> TestResult {
    // `/`, `/admin?tab=2` and `/admin/7` name routes; `/admin/{{ id }}` is dynamic.
    assert_eq!(router(Arc::default()).check(), Ok(()));

    let broken = router(Arc::default()).route("/broken", Broken);
    let error = broken.check().err().ok_or("check passed")?;
    let found: Vec<(&str, u32, &str, Option<&str>)> = error
        .links()
        .iter()
        .map(|link| {
            (
                link.file,
                link.line,
                link.href.as_str(),
                link.nearest.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("guards/bad_nav.html", 3, "/admn", Some("/admin")),
            ("guards/bad_nav.html", 4, "https://elsewhere.example/", None),
        ]
    );
    let message = error.to_string();
    assert!(
        message.contains(
            "guards/bad_nav.html:3: lvt-nav link `/admn` names no route; nearest route: `/admin`"
        ),
        "{message}"
    );
    Ok(())
}

#[test]
#[should_panic(expected = "groups do not nest")]
fn guard_groups_do_not_nest() {
    let _ = LiveRouter::new().guarded(Guard::new("outer"), |r| {
        r.guarded(Guard::new("inner"), |r| r.route("/x", Home))
    });
}

#[test]
#[should_panic(expected = "guard group `admin` is added twice")]
fn a_group_name_is_used_once() {
    let _ = LiveRouter::new()
        .guarded(Guard::new("admin"), |r| r.route("/a", Home))
        .guarded(Guard::new("admin"), |r| r.route("/b", Home));
}
