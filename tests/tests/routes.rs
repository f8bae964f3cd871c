//! Routes with path parameters over real sockets: `/posts/{id}` on every transport (page,
//! socket, JSON POST, form POST), one state per URL of a browser, the parameters in every
//! hook, and `404 Not Found` — through the layout for a page load, plain text otherwise — for
//! an unknown path, a malformed or overlong parameter, and one the controller refuses. Each
//! bad input is followed by a normal request that is still served.

use livetemplate::testing::{Browser, Response, TestError, TestServer};
use livetemplate::{ActionError, Config, Context, LiveRouter, LiveTemplate, live_controller};
use serde::Deserialize;

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(
    source = "<form method=\"post\"><p>post {{ id }}: {{ likes }} likes</p><p>hooks {{ hooks }}</p><p>seen {{ seen }}</p><button name=\"like\">Like</button></form>",
    ext = "html"
)]
struct Post {
    id: u64,
    likes: u32,
    /// Each hook that ran and the `id` it read, once each: `mount:2 navigate:2 connect:2`.
    hooks: String,
    /// What the last action read from the parameters.
    seen: String,
}

impl Post {
    fn saw(&mut self, hook: &str, ctx: &Context) {
        let entry = format!("{hook}:{}", ctx.param("id").unwrap_or("-"));
        if !self.hooks.split(' ').any(|seen| seen == entry) {
            if !self.hooks.is_empty() {
                self.hooks.push(' ');
            }
            self.hooks.push_str(&entry);
        }
    }
}

#[derive(Deserialize)]
struct PostParams {
    id: u64,
}

/// One post per id; post 404 does not exist (the controller says so).
struct Posts;

#[live_controller]
impl Posts {
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Post> {
        // `/posts/abc` does not bind: `?` answers 404.
        let PostParams { id } = ctx.params()?;
        if id == 404 {
            return Err(ActionError::not_found("there is no post 404"));
        }
        let mut post = Post {
            id,
            likes: 0,
            hooks: String::new(),
            seen: String::new(),
        };
        post.saw("mount", ctx);
        Ok(post)
    }

    async fn on_navigate(&self, state: &mut Post, ctx: &mut Context) -> livetemplate::Result {
        state.saw("navigate", ctx);
        Ok(())
    }

    async fn on_connect(&self, state: &mut Post, ctx: &mut Context) -> livetemplate::Result {
        state.saw("connect", ctx);
        Ok(())
    }

    /// A sign-in: the session gets a new id (`ctx.rotate_session()`).
    pub(crate) fn sign_in(&self, state: &mut Post, ctx: &mut Context) {
        state.seen = "signed in".to_owned();
        ctx.rotate_session();
    }

    /// Shown in the URL's other tabs too (`sync`), never in another URL's.
    pub(crate) fn like(&self, state: &mut Post, ctx: &mut Context) -> livetemplate::Result {
        let PostParams { id } = ctx.params()?;
        state.likes += 1;
        state.seen = format!("like:{id}");
        ctx.sync();
        Ok(())
    }
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(source = "<h1>{{ title }}</h1>", ext = "html")]
struct Static {
    title: &'static str,
}

/// An exact page: `/` and `/posts/new`.
struct Fixed(&'static str);

#[live_controller]
impl Fixed {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Static> {
        Ok(Static { title: self.0 })
    }
}

const LAYOUT_MARK: &str = "<!-- the app's layout -->";

fn router(config: Config) -> LiveRouter {
    LiveRouter::with_config(config.layout(|page: &livetemplate::server::PageParts<'_>| {
        format!(
            "<!DOCTYPE html><html><head><title>{}</title>{}</head><body>{LAYOUT_MARK}{}</body></html>",
            livetemplate::server::escape_html(page.title),
            page.head,
            page.region
        )
    }))
    .route("/", Fixed("home"))
    .route("/posts/new", Fixed("new post"))
    .route("/posts/{id}", Posts)
}

async fn start() -> Result<TestServer, TestError> {
    TestServer::start(router(Config::default())).await
}

/// Posts `{"action", "data"}` to `path` as a script of the page would.
async fn post_json(
    server: &TestServer,
    browser: &mut Browser,
    path: &str,
    action: &str,
) -> Result<Response, TestError> {
    let origin = format!("http://{}", server.addr());
    browser
        .request(
            "POST",
            path,
            &[("Content-Type", "application/json"), ("Origin", &origin)],
            &format!(r#"{{"action":"{action}","data":{{}}}}"#),
        )
        .await
}

fn assert_page(response: &Response, text: &str) {
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        response.body.contains(text),
        "no {text:?} in {}",
        response.body
    );
}

fn assert_not_found_page(response: &Response) {
    assert_eq!(response.status, 404, "{}", response.body);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(response.body.contains(LAYOUT_MARK), "{}", response.body);
    assert!(response.body.contains("<title>Page not found</title>"));
    // Nothing live: no client script, no socket to a page that does not exist.
    assert!(
        !response.body.contains("livetemplate.min.js"),
        "{}",
        response.body
    );
}

fn assert_plain_not_found(response: &Response) {
    assert_eq!(response.status, 404, "{}", response.body);
    assert_eq!(response.body, "not found");
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

/// The status of a WebSocket handshake refused by the server.
fn refused_status(result: Result<livetemplate::testing::Tab, TestError>) -> u16 {
    match result {
        Err(TestError::WebSocket(tokio_tungstenite::tungstenite::Error::Http(response))) => {
            response.status().as_u16()
        }
        Err(other) => panic!("the handshake failed otherwise: {other}"),
        Ok(_) => panic!("the handshake was accepted"),
    }
}

#[tokio::test]
async fn every_transport_reaches_the_state_of_its_url_with_the_parameters_in_every_hook()
-> Result<(), TestError> {
    let server = start().await?;
    let mut browser = server.browser();
    assert_page(&browser.get("/posts/1").await?, "post 1: 0 likes");
    assert_page(&browser.get("/posts/2").await?, "post 2: 0 likes");

    // The socket of `/posts/2` reaches post 2's state; every hook read `id`.
    let mut tab = browser.connect("/posts/2").await?;
    assert!(
        tab.html().contains("hooks mount:2 navigate:2 connect:2"),
        "{}",
        tab.html()
    );
    tab.click("like").await?;
    assert!(tab.succeeded(), "{:?}", tab.errors());
    assert!(tab.html().contains("post 2: 1 likes"), "{}", tab.html());
    assert!(tab.html().contains("seen like:2"), "{}", tab.html());

    // A JSON POST to `/posts/2`: the same state.
    let json = post_json(&server, &mut browser, "/posts/2", "like").await?;
    assert_eq!(json.status, 200, "{}", json.body);
    tab.wait_until("the JSON like", |html| html.contains("post 2: 2 likes"))
        .await?;

    // A plain form POST to `/posts/1`: post 1's state, not post 2's.
    let posted = browser.post_form("/posts/1", &[("like", "")]).await?;
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(posted.header("location"), Some("/posts/1"));
    assert_page(&browser.get("/posts/1").await?, "post 1: 1 likes");
    assert_page(&browser.get("/posts/1").await?, "seen like:1");
    assert_page(&browser.get("/posts/2").await?, "post 2: 2 likes");
    // The same id spelled with an escape is the same URL, so the same state.
    assert_page(&browser.get("/posts/%31").await?, "post 1: 1 likes");

    // Another browser has its own `/posts/1`.
    let mut other = server.browser();
    assert_page(&other.get("/posts/1").await?, "post 1: 0 likes");
    tab.close().await?;
    server.stop().await
}

#[tokio::test]
async fn two_ids_of_one_browser_are_two_states_and_two_tabs_of_one_id_share_one()
-> Result<(), TestError> {
    let server = start().await?;
    let mut browser = server.browser();
    let mut one = browser.connect("/posts/1").await?;
    let mut also_one = browser.clone().connect("/posts/1").await?;
    let mut two = browser.connect("/posts/2").await?;
    one.click("like").await?;
    one.click("like").await?;
    assert!(one.html().contains("post 1: 2 likes"), "{}", one.html());
    two.click("like").await?;
    assert!(two.html().contains("post 2: 1 likes"), "{}", two.html());
    // The second tab of `/posts/1` shares its state; `/posts/2`'s tab saw none of it.
    also_one
        .wait_until("post 1's likes", |html| html.contains("post 1: 2 likes"))
        .await?;
    also_one.click("like").await?;
    assert!(
        also_one.html().contains("post 1: 3 likes"),
        "{}",
        also_one.html()
    );
    assert!(two.html().contains("post 2: 1 likes"), "{}", two.html());
    assert_page(&browser.get("/posts/2").await?, "post 2: 1 likes");
    for tab in [one, also_one, two] {
        tab.close().await?;
    }
    server.stop().await
}

#[tokio::test]
async fn an_unknown_path_is_the_not_found_page_in_the_layout_and_plain_text_elsewhere()
-> Result<(), TestError> {
    let server = start().await?;
    let mut browser = server.browser();
    let page = browser.get("/nowhere").await?;
    assert_not_found_page(&page);
    assert!(
        page.body.contains("<h1>Page not found</h1>"),
        "{}",
        page.body
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    // A script asking for JSON, a POST: plain text.
    let json = browser
        .request("GET", "/nowhere", &[("Accept", "application/json")], "")
        .await?;
    assert_plain_not_found(&json);
    assert_plain_not_found(&post_json(&server, &mut browser, "/nowhere", "like").await?);
    let form = browser
        .request(
            "POST",
            "/nowhere",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "like=",
        )
        .await?;
    assert_plain_not_found(&form);
    // A socket: refused at the handshake (the browser has a session from `/`).
    assert_page(&browser.get("/").await?, "home");
    assert_eq!(refused_status(browser.connect("/nowhere").await), 404);
    // Trailing slashes count.
    assert_not_found_page(&browser.get("/posts/1/").await?);
    // Still served.
    assert_page(&browser.get("/posts/new").await?, "new post");
    assert_page(&browser.get("/posts/1").await?, "post 1");
    server.stop().await
}

#[tokio::test]
async fn a_parameter_that_is_refused_malformed_or_overlong_is_a_404() -> Result<(), TestError> {
    let server = start().await?;
    let mut browser = server.browser();
    assert_page(&browser.get("/posts/1").await?, "post 1");
    let overlong = format!(
        "/posts/{}",
        "9".repeat(livetemplate::server::MAX_PARAM_LEN + 1)
    );
    for path in [
        "/posts/abc",      // does not bind as a number: `ctx.params()?` in mount
        "/posts/404",      // `ActionError::not_found` from mount
        "/posts/%FF",      // not UTF-8
        "/posts/..",       // a dot segment
        "/posts/%2E%2E",   // the same, escaped
        "/posts/1%2F2",    // one segment `1/2`: does not bind
        "/posts//",        // empty
        overlong.as_str(), // over MAX_PARAM_LEN
    ] {
        assert_not_found_page(&browser.get(path).await?);
        // The same address over the other transports: plain text.
        assert_plain_not_found(&post_json(&server, &mut browser, path, "like").await?);
        assert_plain_not_found(&browser.post_form(path, &[("like", "")]).await?);
        assert_eq!(refused_status(browser.connect(path).await), 404, "{path}");
        // A normal client is still served.
        assert_page(&browser.get("/posts/1").await?, "post 1");
    }
    let mut tab = browser.connect("/posts/1").await?;
    tab.click("like").await?;
    assert!(tab.succeeded(), "{:?}", tab.errors());
    tab.close().await?;
    server.stop().await
}

#[tokio::test]
async fn the_not_found_page_is_configurable() -> Result<(), TestError> {
    let config = Config::default().not_found(|path: &str| {
        format!(
            "<h1>Lost</h1><p>{}</p>",
            livetemplate::server::escape_html(path)
        )
    });
    let server = TestServer::start(router(config)).await?;
    let mut browser = server.browser();
    let page = browser.get("/a%3Cb").await?;
    assert_not_found_page(&page);
    // The path is the client's: the closure escaped it.
    assert!(
        page.body.contains("<h1>Lost</h1><p>/a%3Cb</p>"),
        "{}",
        page.body
    );
    let page = browser.get("/<script>").await;
    // hyper refuses a raw `<` in the request line; either way nothing is echoed unescaped.
    if let Ok(page) = page {
        assert!(!page.body.contains("<script>"), "{}", page.body);
    }
    // A refused parameter gets the same page, with no path (the route did match).
    let refused = browser.get("/posts/abc").await?;
    assert_not_found_page(&refused);
    assert!(
        refused.body.contains("<h1>Lost</h1><p></p>"),
        "{}",
        refused.body
    );
    assert_page(&browser.get("/posts/3").await?, "post 3");
    server.stop().await
}

#[tokio::test]
async fn each_url_takes_its_own_seat_under_the_session_caps() -> Result<(), TestError> {
    let config = Config::default().max_sessions_per_client(2);
    let server = TestServer::start(router(config)).await?;
    let mut browser = server.browser();
    // Two URLs with a tab open each: both seats are held.
    let one = browser.connect("/posts/1").await?;
    let two = browser.connect("/posts/2").await?;
    let third = browser.get("/posts/3").await?;
    assert_eq!(third.status, 503, "{}", third.body);
    // A closed tab's state can be evicted to make room.
    two.close().await?;
    let mut served = None;
    for _ in 0..50 {
        let page = browser.get("/posts/3").await?;
        if page.status == 200 {
            served = Some(page);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let served = served.ok_or_else(|| TestError::Timeout("a seat for /posts/3".into()))?;
    assert!(served.body.contains("post 3"), "{}", served.body);
    one.close().await?;
    server.stop().await
}

#[test]
fn the_route_table_lists_patterns_controllers_and_stores() {
    let router = router(Config::default()).route_with_store(
        "/drafts/{id}",
        Posts,
        livetemplate::session::MemoryStore::new(),
    );
    let rows: Vec<(&str, bool, bool)> = router
        .routes()
        .iter()
        .map(|route| (route.pattern.as_str(), route.has_params(), route.stored))
        .collect();
    assert_eq!(
        rows,
        [
            ("/", false, false),
            ("/posts/new", false, false),
            ("/posts/{id}", true, false),
            ("/drafts/{id}", true, true),
        ]
    );
    assert!(router.routes()[2].controller.ends_with("Posts"));
}

#[test]
fn a_conflicting_route_panics_when_added() {
    let added =
        std::panic::catch_unwind(|| router(Config::default()).route("/posts/{slug}", Posts));
    let Err(panic) = added else {
        panic!("`/posts/{{slug}}` was added next to `/posts/{{id}}`");
    };
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("route `/posts/{slug}` conflicts with route `/posts/{id}`"),
        "{message}"
    );
}

/// A sign-in on `/posts/2` moves `/posts/2`'s state to the new session id, on a plain form
/// POST and on a live connection (whose tab is sent to `/posts/2?_lvt_rotate=…` for the new
/// cookie); the old id then names a fresh `/posts/2`.
#[tokio::test]
async fn a_rotation_on_a_url_with_parameters_moves_that_urls_state() -> Result<(), TestError> {
    let server = start().await?;
    let mut browser = server.browser();
    assert_page(&browser.get("/posts/2").await?, "post 2");
    let planted = browser.clone();
    assert_eq!(
        browser.post_form("/posts/2", &[("like", "")]).await?.status,
        303
    );
    let signed = browser.post_form("/posts/2", &[("sign_in", "")]).await?;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.header("location"), Some("/posts/2"));
    assert_ne!(browser.cookie(), planted.cookie(), "no new cookie");
    let page = browser.get("/posts/2").await?;
    assert_page(&page, "post 2: 1 likes");
    assert_page(&page, "seen signed in");
    assert_page(&planted.clone().get("/posts/2").await?, "post 2: 0 likes");

    // On a live connection.
    let mut tab = browser.connect("/posts/2").await?;
    tab.click("like").await?;
    tab.click("sign_in").await?;
    assert!(tab.succeeded(), "{:?}", tab.errors());
    let redirect = tab.next_frame().await?;
    let to = redirect["to"].as_str().unwrap_or_default().to_owned();
    assert!(to.starts_with("/posts/2?_lvt_rotate="), "{redirect}");
    let before = browser.cookie().map(str::to_owned);
    let handed = browser.get(&to).await?;
    assert_eq!(handed.status, 303, "{}", handed.body);
    assert_eq!(handed.header("location"), Some("/posts/2"));
    assert_ne!(browser.cookie().map(str::to_owned), before, "no new cookie");
    assert_page(&browser.get("/posts/2").await?, "post 2: 2 likes");
    server.stop().await
}
