//! The live server end to end, over real sockets on `127.0.0.1:0`: pages, the live WebSocket
//! connection (both client encodings), tabs kept in sync, broadcasts and pushes, JSON and plain
//! form POSTs, and every kind of bad input — each answered with a clear error that leaves the
//! session, and every other session, intact.
//!
//! HTTP goes through `livetemplate_tests::http::http` (one request through hyper's client,
//! bounded by `livetemplate::testing::WAIT`); the WebSocket client is
//! `tokio_tungstenite::client_async`. Every other wait is bounded by [`WAIT`], so a server that
//! stops answering fails a test instead of hanging it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http::HeaderValue;
use livetemplate::server::{CLIENT_PATH, LiveHandle, LiveRouter, serve_listener};
use livetemplate::testing::{ClientTree, ServerFrame};
use livetemplate::wire::ClientKind;
use livetemplate::{ActionError, Context, FormData, LiveTemplate, live_controller};
use livetemplate_tests::chat::Chat;
use livetemplate_tests::http::{Response, ResponseExt, http};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The longest any single wait may take.
const WAIT: Duration = Duration::from_secs(5);

/// How long "nothing arrives" is watched for.
const QUIET: Duration = Duration::from_millis(300);

/// `future`, or an error naming `what` after [`WAIT`].
async fn within<F: Future>(what: &str, future: F) -> TestResult<F::Output> {
    tokio::time::timeout(WAIT, future)
        .await
        .map_err(|_| format!("timed out after {WAIT:?}: {what}").into())
}

// ---------------------------------------------------------------------------------------------
// The pages under test
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "server/counter.html")]
struct Counter {
    title: String,
    count: i64,
}

#[derive(Debug, Deserialize)]
struct Step {
    by: i64,
}

/// A counter; with `sync`, every action re-renders the browser's other tabs.
struct Counters {
    sync: bool,
}

#[live_controller]
impl Counters {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Counter> {
        Ok(Counter {
            title: "Counter".to_owned(),
            count: 0,
        })
    }

    pub(crate) fn increment(&self, state: &mut Counter, ctx: &mut Context) {
        state.count += 1;
        if self.sync {
            ctx.sync();
        }
    }

    pub(crate) fn decrement(&self, state: &mut Counter, ctx: &mut Context) {
        state.count -= 1;
        if self.sync {
            ctx.sync();
        }
    }

    pub(crate) fn add(&self, state: &mut Counter, form: Step, ctx: &mut Context) {
        state.count += form.by;
        if self.sync {
            ctx.sync();
        }
    }
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "server/clock.html")]
struct Face {
    now: String,
    ticks: u32,
}

#[derive(Debug, Deserialize)]
struct Tick {
    now: String,
}

/// A clock moved by [`LiveHandle::push`] from outside any request.
struct Clock;

#[live_controller]
impl Clock {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Face> {
        Ok(Face {
            now: "--:--".to_owned(),
            ticks: 0,
        })
    }

    async fn on_connect(&self, _state: &mut Face, ctx: &mut Context) -> livetemplate::Result {
        ctx.subscribe("clock");
        Ok(())
    }

    #[server_only]
    pub(crate) fn tick(&self, state: &mut Face, form: Tick, _ctx: &mut Context) {
        state.now = form.now;
        state.ticks += 1;
    }
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "server/fragile.html")]
struct Gauge {
    value: i64,
}

/// Actions that go wrong after changing the state: one panics, one returns an error.
struct Fragile;

#[live_controller]
impl Fragile {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Gauge> {
        Ok(Gauge { value: 0 })
    }

    pub(crate) fn increment(&self, state: &mut Gauge, _ctx: &mut Context) {
        state.value += 1;
    }

    pub(crate) fn explode(&self, state: &mut Gauge, _ctx: &mut Context) {
        state.value = -999;
        panic!("boom: the secret is 42");
    }

    pub(crate) fn fail(&self, state: &mut Gauge, ctx: &mut Context) -> livetemplate::Result {
        state.value = -1;
        ctx.sync();
        Err(ActionError::new("the database is down"))
    }
}

// ---------------------------------------------------------------------------------------------
/// Redirects, flash messages and the signed-in user.
#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "server/extras.html")]
struct Extras {
    user: String,
}

struct ExtrasController;

#[live_controller]
impl ExtrasController {
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Extras> {
        Ok(Extras {
            user: ctx.user_id().unwrap_or("anonymous").to_owned(),
        })
    }

    pub(crate) fn leave(&self, _state: &mut Extras, ctx: &mut Context) {
        ctx.redirect("/bye");
    }

    pub(crate) fn greet(&self, _state: &mut Extras, ctx: &mut Context) {
        ctx.flash(livetemplate::controller::FlashKind::Info, "hello");
    }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// A server on an ephemeral port serving every page above; stopped by [`Server::stop`].
struct Server {
    addr: SocketAddr,
    handle: LiveHandle,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start() -> TestResult<Server> {
        Server::start_with(livetemplate::Config::new()).await
    }

    async fn start_with(config: livetemplate::Config) -> TestResult<Server> {
        let config = config.authenticator(|parts| {
            parts
                .headers
                .get("x-user")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        });
        let router = LiveRouter::with_config(config)
            .route("/extras", ExtrasController)
            .route("/counter", Counters { sync: false })
            .route("/synced", Counters { sync: true })
            .route("/chat", Chat)
            .route("/clock", Clock)
            .route("/fragile", Fragile);
        let handle = router.handle();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_listener(listener, router, async {
            let _ = stopped.await;
        }));
        Ok(Server {
            addr,
            handle,
            stop,
            task,
        })
    }

    /// Shuts the server down; it must finish promptly.
    async fn stop(self) -> TestResult {
        let _ = self.stop.send(());
        within("server shutdown", self.task).await???;
        Ok(())
    }

    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// One HTTP/1.1 request; `Host` and `Connection: close` are added.
    async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> TestResult<Response> {
        http(self.addr, method, path, headers, body).await
    }

    /// Loads `path` as a new browser would: a new session.
    async fn visit(&self, path: &str) -> TestResult<Session> {
        let page = self
            .http("GET", path, &[("Accept", "text/html")], "")
            .await?;
        assert_eq!(page.status, 200, "GET {path}: {page:?}");
        let cookie = page
            .session_cookie()
            .ok_or("the first GET sets no session cookie")?;
        let csrf = between(&page.body, "<meta name=\"csrf-token\" content=\"", "\"")
            .ok_or("the page has no csrf-token meta tag")?
            .to_owned();
        Ok(Session {
            addr: self.addr,
            path: path.to_owned(),
            cookie,
            csrf,
        })
    }
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// The number in `<span id="{id}">…</span>`.
fn number(html: &str, id: &str) -> Option<i64> {
    between(html, &format!("<span id=\"{id}\">"), "</span>")?
        .parse()
        .ok()
}

/// A browser's session on one page: its cookie and CSRF token.
#[derive(Debug, Clone)]
struct Session {
    addr: SocketAddr,
    path: String,
    /// `livetemplate-id=<signed id>`.
    cookie: String,
    csrf: String,
}

impl Session {
    async fn get(&self, accept: &str) -> TestResult<Response> {
        http(
            self.addr,
            "GET",
            &self.path,
            &[("Accept", accept), ("Cookie", &self.cookie)],
            "",
        )
        .await
    }

    /// The page's HTML as the server renders it now.
    async fn page(&self) -> TestResult<String> {
        let page = self.get("text/html").await?;
        assert_eq!(page.status, 200, "{page:?}");
        assert_eq!(
            page.session_cookie().as_deref(),
            Some(self.cookie.as_str()),
            "a known session keeps its cookie"
        );
        Ok(page.body)
    }

    /// The number in `<span id="{id}">` on the page as the server renders it now.
    async fn number(&self, id: &str) -> TestResult<i64> {
        let page = self.page().await?;
        Ok(number(&page, id).ok_or_else(|| format!("no #{id} in {page}"))?)
    }

    /// Posts `{"action", "data"}` as a script would.
    async fn post_json(&self, body: &Value) -> TestResult<Response> {
        let origin = format!("http://{}", self.addr);
        http(
            self.addr,
            "POST",
            &self.path,
            &[
                ("Content-Type", "application/json"),
                ("Origin", &origin),
                ("Cookie", &self.cookie),
            ],
            &body.to_string(),
        )
        .await
    }

    /// Posts a plain HTML form (urlencoded), as a browser without JavaScript would.
    async fn post_form(&self, fields: &[(&str, &str)]) -> TestResult<Response> {
        let body = fields
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        http(
            self.addr,
            "POST",
            &self.path,
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &self.cookie),
            ],
            &body,
        )
        .await
    }

    /// Opens a live connection (`ours` = our client's encoding, `?_lvt=1`) and reads the
    /// first frame.
    async fn connect(&self, ours: bool) -> TestResult<(Socket, Value)> {
        let origin = format!("http://{}", self.addr);
        let socket = open(
            self.addr,
            &self.path,
            ours,
            &[("Cookie", &self.cookie), ("Origin", &origin)],
        )
        .await?
        .map_err(|error| format!("upgrade refused: {error}"))?;
        Socket::start(socket, ours).await
    }
}

/// Percent-encodes a form value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A WebSocket upgrade of `path` with `headers`; the inner error is the server's refusal.
async fn open(
    addr: SocketAddr,
    path: &str,
    ours: bool,
    headers: &[(&str, &str)],
) -> TestResult<Result<WebSocketStream<TcpStream>, tungstenite::Error>> {
    let query = if ours { "?_lvt=1" } else { "" };
    let mut request = format!("ws://{addr}{path}{query}").into_client_request()?;
    for (name, value) in headers {
        request.headers_mut().append(
            http::HeaderName::try_from(*name)?,
            HeaderValue::from_str(value)?,
        );
    }
    let stream = within("connect", TcpStream::connect(addr)).await??;
    let result = within(
        "WebSocket handshake",
        tokio_tungstenite::client_async(request, stream),
    )
    .await?;
    Ok(result.map(|(socket, _)| socket))
}

/// What a live connection received next.
#[derive(Debug)]
enum Incoming {
    /// A JSON text frame.
    Frame(Value),
    /// The server closed the connection, with this close code.
    Closed(Option<u16>),
}

/// One tab's live connection, with the tree its frames built.
struct Socket {
    ws: WebSocketStream<TcpStream>,
    tree: ClientTree,
}

impl Socket {
    /// Reads the first frame: the full tree, with statics.
    async fn start(ws: WebSocketStream<TcpStream>, ours: bool) -> TestResult<(Socket, Value)> {
        let kind = if ours {
            ClientKind::Livetemplate
        } else {
            ClientKind::Legacy
        };
        let mut socket = Socket {
            ws,
            tree: ClientTree::new(kind),
        };
        let first = socket.recv().await?;
        assert!(
            first["tree"]["s"].is_array(),
            "the first frame is a full tree with statics: {first}"
        );
        assert!(first.get("ref").is_none(), "{first}");
        Ok((socket, first))
    }

    async fn send_text(&mut self, text: String) -> TestResult {
        within("send", self.ws.send(Message::Text(text.into()))).await??;
        Ok(())
    }

    async fn send(&mut self, message: &Value) -> TestResult {
        self.send_text(message.to_string()).await
    }

    /// The next frame or close; a frame's tree is applied.
    async fn next(&mut self) -> TestResult<Incoming> {
        loop {
            let message = within("a frame", self.ws.next()).await?;
            let text = match message {
                None => return Ok(Incoming::Closed(None)),
                Some(Err(error)) => return Err(format!("socket error: {error}").into()),
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(frame))) => {
                    return Ok(Incoming::Closed(frame.map(|f| u16::from(f.code))));
                }
                Some(Ok(other)) => {
                    assert!(
                        !matches!(other, Message::Binary(_)),
                        "the server sends text frames only"
                    );
                    continue;
                }
            };
            // Our client's updates come in a short envelope; the assertions read the plain one.
            let frame = ServerFrame::parse(&text)
                .map_err(|error| format!("not a server frame ({error}): {text}"))?
                .to_object();
            if let Some(tree) = frame.get("tree") {
                self.tree
                    .apply(&tree.to_string())
                    .map_err(|error| format!("the client cannot apply {text}: {error}"))?;
            }
            return Ok(Incoming::Frame(frame));
        }
    }

    /// The next frame; the connection must stay open.
    async fn recv(&mut self) -> TestResult<Value> {
        match self.next().await? {
            Incoming::Frame(frame) => Ok(frame),
            Incoming::Closed(code) => Err(format!("the connection closed ({code:?})").into()),
        }
    }

    /// Sends an action and returns its reply (the frame echoing `reference`, or an error
    /// frame); frames caused by others that arrive first are applied.
    async fn act(&mut self, action: &str, data: Value, reference: u64) -> TestResult<Value> {
        self.send(&json!({"action": action, "data": data, "ref": reference}))
            .await?;
        loop {
            let frame = self.recv().await?;
            if frame["ref"] == json!(reference) || frame["type"] == "error" {
                return Ok(frame);
            }
        }
    }

    /// Reads frames until the tree's HTML satisfies `done`; returns them.
    async fn until(&mut self, done: impl Fn(&str) -> bool) -> TestResult<Vec<Value>> {
        let mut frames = Vec::new();
        while !done(&self.html()?) {
            frames.push(self.recv().await?);
        }
        Ok(frames)
    }

    /// Whether nothing arrives for [`QUIET`] (a frame that does arrive is applied).
    async fn quiet(&mut self) -> TestResult<bool> {
        match tokio::time::timeout(QUIET, self.next()).await {
            Err(_) => Ok(true),
            Ok(incoming) => {
                eprintln!("arrived: {:?}", incoming?);
                Ok(false)
            }
        }
    }

    fn html(&self) -> TestResult<String> {
        Ok(self.tree.html()?)
    }

    fn number(&self, id: &str) -> TestResult<i64> {
        let html = self.html()?;
        Ok(number(&html, id).ok_or_else(|| format!("no #{id} in {html}"))?)
    }

    async fn close(mut self) -> TestResult {
        within("close", self.ws.close(None)).await??;
        Ok(())
    }
}

/// The slots of an update's tree (statics and fingerprints left out).
fn slots(frame: &Value) -> Vec<(&str, &Value)> {
    frame["tree"]
        .as_object()
        .map(|tree| {
            tree.iter()
                .filter(|(key, _)| key.parse::<usize>().is_ok())
                .map(|(key, value)| (key.as_str(), value))
                .collect()
        })
        .unwrap_or_default()
}

/// A slot value shown as text (numbers may come as JSON numbers or strings).
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Two sessions on `/counter`: the one a test attacks (count 1, an open socket) and a
/// bystander (count 3) that must never notice.
struct Scene {
    server: Server,
    victim: Session,
    socket: Socket,
    bystander: Session,
}

impl Scene {
    async fn new(ours: bool) -> TestResult<Scene> {
        let server = Server::start().await?;
        let victim = server.visit("/counter").await?;
        let bystander = server.visit("/counter").await?;
        assert_ne!(victim.cookie, bystander.cookie);
        let reply = bystander
            .post_json(&json!({"action": "add", "data": {"by": 3}}))
            .await?;
        assert_eq!(reply.status, 200, "{reply:?}");
        let (mut socket, _) = victim.connect(ours).await?;
        let reply = socket.act("increment", json!({}), 1).await?;
        assert!(reply["type"].is_null(), "{reply}");
        assert_eq!(socket.number("count")?, 1);
        Ok(Scene {
            server,
            victim,
            socket,
            bystander,
        })
    }

    /// The victim's session is at `count` and its socket (when still open) works; the
    /// bystander is at 3 and works too. Then stops the server.
    async fn intact(mut self, count: i64, socket_open: bool) -> TestResult {
        assert_eq!(
            self.victim.number("count").await?,
            count,
            "the victim's state"
        );
        if socket_open {
            let reply = self.socket.act("increment", json!({}), 9000).await?;
            assert!(reply["type"].is_null(), "the socket still works: {reply}");
            assert_eq!(self.socket.number("count")?, count + 1);
            assert_eq!(self.victim.number("count").await?, count + 1);
            self.socket.close().await?;
        }
        assert_eq!(
            self.bystander.number("count").await?,
            3,
            "the bystander's state"
        );
        let (mut other, first) = self.bystander.connect(true).await?;
        assert_eq!(other.number("count")?, 3, "{first}");
        let reply = other.act("increment", json!({}), 1).await?;
        assert_eq!(reply["ref"], 1, "{reply}");
        assert_eq!(other.number("count")?, 4);
        other.close().await?;
        self.server.stop().await
    }
}

// ---------------------------------------------------------------------------------------------
// 1. The live connection
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn counter_replies_carry_only_the_changed_slot_and_echo_ref() -> TestResult {
    let server = Server::start().await?;
    let session = server.visit("/counter").await?;
    let (mut socket, first) = session.connect(true).await?;
    assert_eq!(first["meta"]["success"], true, "{first}");
    assert_eq!(socket.number("count")?, 0);
    assert!(socket.html()?.contains("<h1>Counter</h1>"));

    for (reference, expected) in [(1_u64, 1), (2, 2)] {
        let reply = socket.act("increment", json!({}), reference).await?;
        assert_eq!(reply["ref"], json!(reference), "{reply}");
        let changed = slots(&reply);
        assert_eq!(changed.len(), 1, "only the count changed: {reply}");
        assert_eq!(text(changed[0].1), expected.to_string(), "{reply}");
        assert!(
            reply["tree"].get("s").is_none(),
            "no statics again: {reply}"
        );
        // Our client reads a reply without `meta` as a success.
        assert!(reply.get("meta").is_none(), "{reply}");
        assert_eq!(socket.number("count")?, expected);
    }
    let reply = socket.act("decrement", json!({}), 3).await?;
    assert_eq!(reply["ref"], 3, "{reply}");
    assert_eq!(socket.number("count")?, 1);
    assert_eq!(
        session.number("count").await?,
        1,
        "the page renders the same state"
    );
    socket.close().await?;
    server.stop().await
}

#[tokio::test]
async fn legacy_client_replies_always_carry_meta() -> TestResult {
    let server = Server::start().await?;
    let session = server.visit("/counter").await?;
    let (mut socket, first) = session.connect(false).await?;
    assert_eq!(first["meta"]["success"], true, "{first}");
    // The counter has no `change` action, so no live-validation capability.
    assert!(first["meta"].get("capabilities").is_none(), "{first}");

    let reply = socket.act("increment", json!({}), 7).await?;
    assert_eq!(reply["ref"], 7, "{reply}");
    assert_eq!(reply["meta"]["success"], true, "{reply}");
    assert_eq!(reply["meta"]["action"], "increment", "{reply}");
    assert_eq!(reply["meta"]["errors"], json!({}), "{reply}");
    assert_eq!(slots(&reply).len(), 1, "{reply}");
    assert_eq!(socket.number("count")?, 1);

    // Data arrives as strings from forms: "4" binds to an i64.
    let reply = socket.act("add", json!({"by": "4"}), 8).await?;
    assert_eq!(reply["meta"]["success"], true, "{reply}");
    assert_eq!(socket.number("count")?, 5);
    socket.close().await?;
    server.stop().await
}

// ---------------------------------------------------------------------------------------------
// 2. Tabs of one browser
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn tabs_of_one_browser_follow_a_synced_action() -> TestResult {
    let server = Server::start().await?;
    let browser = server.visit("/synced").await?;
    let (mut tab1, _) = browser.connect(true).await?;
    let (mut tab2, _) = browser.connect(false).await?;

    let reply = tab1.act("increment", json!({}), 1).await?;
    assert_eq!(reply["ref"], 1, "{reply}");
    assert_eq!(tab1.number("count")?, 1);

    let update = tab2.recv().await?;
    assert!(
        update.get("ref").is_none(),
        "caused by another tab: no ref: {update}"
    );
    assert!(update.get("type").is_none(), "{update}");
    assert_eq!(slots(&update).len(), 1, "only the count: {update}");
    assert_eq!(tab2.number("count")?, 1, "tab 2 shows the new count");
    assert!(tab1.quiet().await?, "the acting tab gets its reply only");

    // And back the other way.
    let reply = tab2.act("add", json!({"by": 10}), 1).await?;
    assert_eq!(reply["meta"]["success"], true, "{reply}");
    assert_eq!(tab2.number("count")?, 11);
    let update = tab1.recv().await?;
    assert!(update.get("ref").is_none(), "{update}");
    assert_eq!(tab1.number("count")?, 11);

    // A third tab opened now starts from the shared state.
    let (tab3, _) = browser.connect(true).await?;
    assert_eq!(tab3.number("count")?, 11);
    for tab in [tab1, tab2, tab3] {
        tab.close().await?;
    }
    server.stop().await
}

#[tokio::test]
async fn without_sync_other_tabs_catch_up_on_their_own_next_action() -> TestResult {
    let server = Server::start().await?;
    let browser = server.visit("/counter").await?;
    let (mut tab1, _) = browser.connect(true).await?;
    let (mut tab2, _) = browser.connect(true).await?;

    tab1.act("increment", json!({}), 1).await?;
    tab1.act("increment", json!({}), 2).await?;
    assert!(tab2.quiet().await?, "no sync: tab 2 is not told");
    assert_eq!(tab2.number("count")?, 0);

    // The state is shared: tab 2's own action builds on it, and its reply brings it up to date.
    let reply = tab2.act("increment", json!({}), 1).await?;
    assert_eq!(reply["ref"], 1, "{reply}");
    assert_eq!(tab2.number("count")?, 3);
    tab1.close().await?;
    tab2.close().await?;
    server.stop().await
}

/// Two tabs that act at once: whichever way their replies and each other's updates cross,
/// each tab ends up showing the state (never an older render queued behind its own reply).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tabs_acting_at_the_same_time_converge() -> TestResult {
    // Three bursts of 15 stay under the 50 actions a second a connection may send.
    const ROUNDS: u64 = 3;
    const EACH: u64 = 15;
    let server = Server::start().await?;
    let browser = server.visit("/synced").await?;
    let (mut tab1, _) = browser.connect(true).await?;
    let (mut tab2, _) = browser.connect(false).await?;
    for round in 0..ROUNDS {
        for reference in 1..=EACH {
            let message = json!({"action": "increment", "ref": round * EACH + reference});
            tab1.send(&message).await?;
            tab2.send(&message).await?;
        }
        for tab in [&mut tab1, &mut tab2] {
            let mut replies = 0;
            while replies < EACH {
                let frame = tab.recv().await?;
                assert!(frame["type"].is_null(), "{frame}");
                if frame.get("ref").is_some() {
                    replies += 1;
                }
            }
        }
        // Once the dust settles, both tabs show the state.
        for tab in [&mut tab1, &mut tab2] {
            while !tab.quiet().await? {}
        }
        let total = i64::try_from(2 * EACH * (round + 1))?;
        assert_eq!(browser.number("count").await?, total);
        assert_eq!(tab1.number("count")?, total, "round {round}, tab 1");
        assert_eq!(tab2.number("count")?, total, "round {round}, tab 2");
    }
    tab1.close().await?;
    tab2.close().await?;
    server.stop().await
}

// ---------------------------------------------------------------------------------------------
// 3. Broadcasts, 4. pushes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn two_users_in_a_chat_room_both_receive_a_broadcast() -> TestResult {
    let server = Server::start().await?;
    let alice = server.visit("/chat").await?;
    let bob = server.visit("/chat").await?;
    assert_ne!(alice.cookie, bob.cookie);
    let (mut alice_tab, _) = alice.connect(true).await?;
    let (mut bob_tab, _) = bob.connect(false).await?;

    let reply = alice_tab
        .act("send", json!({"text": "hello <bob>"}), 1)
        .await?;
    assert!(reply["type"].is_null(), "{reply}");
    let shown =
        |html: &str| html.contains("hello &#60;bob&#62;") || html.contains("hello &lt;bob&gt;");
    alice_tab.until(shown).await?;
    let frames = bob_tab.until(shown).await?;
    assert!(
        frames.iter().all(|frame| frame.get("ref").is_none()),
        "a broadcast is not an answer to bob: {frames:?}"
    );
    assert!(!bob_tab.html()?.contains("<bob>"), "escaped");

    let reply = bob_tab.act("send", json!({"text": "hi alice"}), 1).await?;
    assert_eq!(reply["meta"]["success"], true, "{reply}");
    alice_tab.until(|html| html.contains("hi alice")).await?;
    bob_tab.until(|html| html.contains("hi alice")).await?;

    // Each session holds both lines, in order.
    for user in [&alice, &bob] {
        let page = user.page().await?;
        let first = page.find("hello").ok_or("first line missing")?;
        let second = page.find("hi alice").ok_or("second line missing")?;
        assert!(first < second, "{page}");
    }
    alice_tab.close().await?;
    bob_tab.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_push_from_a_background_task_reaches_subscribers() -> TestResult {
    let server = Server::start().await?;
    let first = server.visit("/clock").await?;
    let second = server.visit("/clock").await?;
    let (mut tab1, _) = first.connect(true).await?;
    let (mut tab2, _) = second.connect(false).await?;

    let handle = server.handle.clone();
    let task = tokio::spawn(async move {
        let mut data = FormData::new();
        data.insert("now", "12:34:56");
        handle.push("clock", "tick", data);
    });
    within("the pushing task", task).await??;

    for tab in [&mut tab1, &mut tab2] {
        let frames = tab.until(|html| html.contains("12:34:56")).await?;
        assert!(frames.iter().all(|f| f.get("ref").is_none()), "{frames:?}");
        assert_eq!(tab.number("ticks")?, 1);
    }
    assert!(first.page().await?.contains("12:34:56"));

    // A push to another topic reaches nobody.
    let mut data = FormData::new();
    data.insert("now", "never");
    server.handle.push("elsewhere", "tick", data);
    assert!(tab1.quiet().await?);
    tab1.close().await?;
    tab2.close().await?;
    server.stop().await
}

// ---------------------------------------------------------------------------------------------
// 5. Without a socket
// ---------------------------------------------------------------------------------------------

/// `html` without the hidden `_lvt_…` inputs the page adds to its forms for use without
/// JavaScript (the live tree does not carry them: the client does not need them).
fn without_hidden_inputs(html: &str) -> String {
    const HIDDEN: &str = "<input type=\"hidden\" name=\"_lvt_";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(HIDDEN) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// The page with its CSRF token blanked, so pages of different sessions compare.
fn without_token(page: &str, session: &Session) -> String {
    page.replace(&session.csrf, "TOKEN")
}

#[tokio::test]
async fn json_and_form_posts_reach_the_same_state_as_the_socket() -> TestResult {
    let server = Server::start().await?;

    let live = server.visit("/counter").await?;
    let (mut socket, _) = live.connect(true).await?;
    socket.act("increment", json!({}), 1).await?;
    socket.act("increment", json!({}), 2).await?;
    socket.act("add", json!({"by": 5}), 3).await?;
    assert_eq!(socket.number("count")?, 7);
    socket.close().await?;

    let scripted = server.visit("/counter").await?;
    for (reference, body) in [
        (1, json!({"action": "increment", "ref": 1})),
        (2, json!({"action": "increment", "ref": 2})),
        (3, json!({"action": "add", "data": {"by": 5}, "ref": 3})),
    ] {
        let reply = scripted.post_json(&body).await?;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{reply:?}"
        );
        let reply = reply.json()?;
        assert_eq!(reply["meta"]["success"], true, "{reply}");
        assert_eq!(reply["ref"], reference, "{reply}");
        assert_eq!(slots(&reply).len(), 1, "only the count: {reply}");
    }

    let plain = server.visit("/counter").await?;
    let page = plain.page().await?;
    assert!(
        page.contains(&format!(
            "<input type=\"hidden\" name=\"_lvt_csrf\" value=\"{}\">",
            plain.csrf
        )),
        "the token is in the post forms: {page}"
    );
    assert!(
        page.contains("<input type=\"hidden\" name=\"_lvt_action\" value=\"add\">"),
        "the add form names its action: {page}"
    );
    for fields in [
        vec![("_lvt_csrf", plain.csrf.as_str()), ("increment", "")],
        vec![("_lvt_csrf", plain.csrf.as_str()), ("increment", "")],
        vec![
            ("_lvt_csrf", plain.csrf.as_str()),
            ("_lvt_action", "add"),
            ("by", "5"),
        ],
    ] {
        let reply = plain.post_form(&fields).await?;
        assert_eq!(reply.status, 303, "{reply:?}");
        assert_eq!(reply.header("location"), Some("/counter"), "{reply:?}");
    }

    let pages = [
        without_token(&live.page().await?, &live),
        without_token(&scripted.page().await?, &scripted),
        without_token(&plain.page().await?, &plain),
    ];
    assert_eq!(number(&pages[0], "count"), Some(7), "{}", pages[0]);
    assert_eq!(pages[0], pages[1], "JSON POSTs");
    assert_eq!(pages[0], pages[2], "plain form POSTs");
    server.stop().await
}

#[tokio::test]
async fn a_plain_form_post_updates_the_open_tabs() -> TestResult {
    let server = Server::start().await?;
    let browser = server.visit("/counter").await?;
    let (mut tab, _) = browser.connect(true).await?;
    let reply = browser
        .post_form(&[("_lvt_csrf", &browser.csrf), ("increment", "")])
        .await?;
    assert_eq!(reply.status, 303, "{reply:?}");
    let update = tab.recv().await?;
    assert!(update.get("ref").is_none(), "{update}");
    assert_eq!(tab.number("count")?, 1);
    tab.close().await?;
    server.stop().await
}

// ---------------------------------------------------------------------------------------------
// 6. Bad input: a clear error, and nothing else disturbed
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn invalid_json_gets_an_error_frame() -> TestResult {
    let mut scene = Scene::new(true).await?;
    scene
        .socket
        .send_text(r#"{"action": "increment", "ref": 2"#.to_owned())
        .await?;
    let error = scene.socket.recv().await?;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["code"], "invalid_json", "{error}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{error}"
    );
    scene.socket.send_text("not json at all".to_owned()).await?;
    assert_eq!(scene.socket.recv().await?["code"], "invalid_json");
    scene.intact(1, true).await
}

#[tokio::test]
async fn unknown_action_gets_an_error_frame() -> TestResult {
    let mut scene = Scene::new(false).await?;
    let error = scene.socket.act("launch_missiles", json!({}), 2).await?;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["code"], "unknown_action", "{error}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("launch_missiles")),
        "the message names the action: {error}"
    );
    // Not an action either: a method of the runtime, and a name that is no name.
    assert_eq!(
        scene.socket.act("mount", json!({}), 3).await?["code"],
        "unknown_action"
    );
    assert_eq!(
        scene.socket.act("", json!({}), 4).await?["code"],
        "invalid_action"
    );
    scene.intact(1, true).await
}

#[tokio::test]
async fn a_value_that_does_not_bind_fails_with_the_fields_error() -> TestResult {
    let mut scene = Scene::new(true).await?;
    let reply = scene.socket.act("add", json!({"by": "lots"}), 2).await?;
    assert_eq!(reply["ref"], 2, "{reply}");
    assert_eq!(reply["meta"]["success"], false, "{reply}");
    assert!(
        reply["meta"]["errors"]["by"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "the error names the field: {reply}"
    );
    assert!(slots(&reply).is_empty(), "nothing changed: {reply}");

    let reply = scene.socket.act("add", json!({}), 3).await?;
    assert_eq!(reply["meta"]["success"], false, "a missing field: {reply}");
    assert!(reply["meta"]["errors"]["by"].is_string(), "{reply}");
    assert_eq!(scene.socket.number("count")?, 1);
    scene.intact(1, true).await
}

#[tokio::test]
async fn an_oversize_frame_closes_the_socket_with_1009() -> TestResult {
    let mut scene = Scene::new(true).await?;
    let padding = "x".repeat(70 * 1024);
    let message = json!({"action": "add", "data": {"by": 1, "padding": padding}});
    scene.socket.send(&message).await?;
    let mut code = None;
    for _ in 0..3 {
        match scene.socket.next().await {
            Ok(Incoming::Closed(closed)) => {
                code = closed;
                break;
            }
            Ok(Incoming::Frame(frame)) => {
                assert_eq!(
                    frame["code"], "frame_too_large",
                    "only an error frame: {frame}"
                );
            }
            Err(error) => return Err(format!("no close frame: {error}").into()),
        }
    }
    assert_eq!(code, Some(1009), "closed with 1009 (message too big)");

    // A new connection of the same session finds the state untouched.
    let (socket, _) = scene.victim.connect(true).await?;
    assert_eq!(socket.number("count")?, 1);
    scene.socket = socket;
    scene.intact(1, true).await
}

#[tokio::test]
async fn a_cross_origin_upgrade_is_refused() -> TestResult {
    let scene = Scene::new(true).await?;
    let addr = scene.server.addr;
    for origin in ["http://evil.example", "http://127.0.0.1:1", "null"] {
        let refused = open(
            addr,
            "/counter",
            true,
            &[("Cookie", &scene.victim.cookie), ("Origin", origin)],
        )
        .await?;
        match refused {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403, "Origin {origin}");
            }
            other => return Err(format!("Origin {origin}: expected 403, got {other:?}").into()),
        }
    }
    // No Origin at all is refused too (browsers always send one).
    match open(addr, "/counter", true, &[("Cookie", &scene.victim.cookie)]).await? {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => return Err(format!("no Origin: expected 403, got {other:?}").into()),
    }
    // A cross-origin JSON POST is refused too.
    let reply = scene
        .server
        .http(
            "POST",
            "/counter",
            &[
                ("Content-Type", "application/json"),
                ("Origin", "http://evil.example"),
                ("Cookie", &scene.victim.cookie),
            ],
            r#"{"action":"increment"}"#,
        )
        .await?;
    assert_eq!(reply.status, 403, "{reply:?}");
    scene.intact(1, true).await
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() -> TestResult {
    let scene = Scene::new(true).await?;
    let reply = scene.victim.post_form(&[("increment", "")]).await?;
    assert_eq!(reply.status, 403, "{reply:?}");
    assert!(reply.body.contains("CSRF"), "a clear reason: {reply:?}");
    // Another session's token is no better.
    let reply = scene
        .victim
        .post_form(&[("_lvt_csrf", &scene.bystander.csrf), ("increment", "")])
        .await?;
    assert_eq!(reply.status, 403, "{reply:?}");
    let reply = scene
        .victim
        .post_form(&[("_lvt_csrf", ""), ("increment", "")])
        .await?;
    assert_eq!(reply.status, 403, "{reply:?}");
    scene.intact(1, true).await
}

#[tokio::test]
async fn a_forged_cookie_gets_no_session() -> TestResult {
    let scene = Scene::new(true).await?;
    let addr = scene.server.addr;
    let origin = scene.server.origin();
    // The victim's id with a signature that is one character off.
    let mut forged = scene.victim.cookie.clone();
    let last = forged.pop().ok_or("empty cookie")?;
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for cookie in [
        forged.as_str(),
        "livetemplate-id=made-up",
        "livetemplate-id=",
    ] {
        match open(
            addr,
            "/counter",
            true,
            &[("Cookie", cookie), ("Origin", &origin)],
        )
        .await?
        {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403, "{cookie}");
            }
            other => return Err(format!("{cookie}: expected 403, got {other:?}").into()),
        }
    }

    let page = scene
        .server
        .http(
            "GET",
            "/counter",
            &[("Accept", "text/html"), ("Cookie", &forged)],
            "",
        )
        .await?;
    assert_eq!(page.status, 200, "{page:?}");
    let fresh = page.session_cookie().ok_or("no new cookie")?;
    assert_ne!(fresh, forged);
    let id = |cookie: &str| cookie.split('.').next().map(str::to_owned);
    assert_ne!(
        id(&fresh),
        id(&scene.victim.cookie),
        "a new session id, not the victim's"
    );
    assert_eq!(
        number(&page.body, "count"),
        Some(0),
        "a fresh state: {}",
        page.body
    );

    // A JSON POST with the forged cookie is refused.
    let reply = scene
        .server
        .http(
            "POST",
            "/counter",
            &[
                ("Content-Type", "application/json"),
                ("Origin", &origin),
                ("Cookie", &forged),
            ],
            r#"{"action":"increment"}"#,
        )
        .await?;
    assert_eq!(reply.status, 403, "{reply:?}");
    scene.intact(1, true).await
}

#[tokio::test]
async fn an_action_flood_is_rate_limited_and_the_connection_survives() -> TestResult {
    const SENT: u64 = 60;
    let mut scene = Scene::new(true).await?;
    let started = std::time::Instant::now();
    for reference in 100..100 + SENT {
        scene
            .socket
            .send(&json!({"action": "increment", "ref": reference}))
            .await?;
    }
    let (mut done, mut limited) = (0, 0);
    for _ in 0..SENT {
        let frame = scene.socket.recv().await?;
        if frame["type"] == "error" {
            assert_eq!(frame["code"], "rate_limited", "{frame}");
            limited += 1;
        } else {
            assert!(frame["ref"].is_u64(), "{frame}");
            done += 1;
        }
    }
    // The session's bucket holds 50 and refills at 50 a second while the flood is served.
    let refilled = (50.0 * started.elapsed().as_secs_f64()).ceil() as i64;
    assert!(
        done <= 50 + refilled,
        "at most 50 actions (+{refilled} refilled) ran: {done}"
    );
    assert!(limited >= 10, "the rest were refused: {limited}");
    // The heartbeat is not an action: it is answered during a flood.
    scene.socket.send(&json!({"action": "__ping__"})).await?;
    assert_eq!(scene.socket.recv().await?, json!({"pong": true}));
    let count = 1 + done;
    assert_eq!(scene.socket.number("count")?, count);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    scene.intact(count, true).await
}

#[tokio::test]
async fn a_panicking_action_reports_an_error_and_changes_nothing() -> TestResult {
    let server = Server::start().await?;
    let victim = server.visit("/fragile").await?;
    let bystander = server.visit("/fragile").await?;
    let (mut other, _) = bystander.connect(true).await?;
    other.act("increment", json!({}), 1).await?;
    let (mut socket, _) = victim.connect(false).await?;
    socket.act("increment", json!({}), 1).await?;
    socket.act("increment", json!({}), 2).await?;

    let reply = socket.act("explode", json!({}), 3).await?;
    assert_eq!(reply["ref"], 3, "{reply}");
    assert_eq!(reply["meta"]["success"], false, "{reply}");
    let message = reply["meta"]["errors"]["_"]
        .as_str()
        .ok_or("no general error")?;
    assert!(!message.is_empty(), "{reply}");
    assert!(
        !message.contains("secret"),
        "the panic message stays on the server: {reply}"
    );
    assert!(slots(&reply).is_empty(), "rolled back: {reply}");
    assert_eq!(socket.number("value")?, 2);

    // The connection is open and the session works.
    let reply = socket.act("increment", json!({}), 4).await?;
    assert_eq!(reply["meta"]["success"], true, "{reply}");
    assert_eq!(socket.number("value")?, 3);
    assert_eq!(victim.number("value").await?, 3);
    // Another session never noticed.
    assert_eq!(bystander.number("value").await?, 1);
    let reply = other.act("increment", json!({}), 2).await?;
    assert_eq!(reply["ref"], 2, "{reply}");
    assert_eq!(other.number("value")?, 2);
    socket.close().await?;
    other.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_failing_action_reports_its_error_and_changes_nothing() -> TestResult {
    let server = Server::start().await?;
    let browser = server.visit("/fragile").await?;
    let (mut tab1, _) = browser.connect(true).await?;
    let (mut tab2, _) = browser.connect(true).await?;
    tab1.act("increment", json!({}), 1).await?;

    let reply = tab1.act("fail", json!({}), 2).await?;
    assert_eq!(reply["ref"], 2, "{reply}");
    assert_eq!(reply["meta"]["success"], false, "{reply}");
    assert_eq!(
        reply["meta"]["errors"]["_"], "the database is down",
        "{reply}"
    );
    assert!(slots(&reply).is_empty(), "rolled back: {reply}");
    assert!(tab2.quiet().await?, "the failed action's sync was dropped");
    assert_eq!(tab1.number("value")?, 1);
    assert_eq!(browser.number("value").await?, 1);

    // Over a JSON POST too.
    let reply = browser.post_json(&json!({"action": "fail"})).await?;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = reply.json()?;
    assert_eq!(reply["meta"]["success"], false, "{reply}");
    assert_eq!(
        reply["meta"]["errors"]["_"], "the database is down",
        "{reply}"
    );
    assert_eq!(browser.number("value").await?, 1);
    tab1.close().await?;
    tab2.close().await?;
    server.stop().await
}

#[tokio::test]
async fn a_heartbeat_gets_a_pong() -> TestResult {
    let mut scene = Scene::new(true).await?;
    for _ in 0..3 {
        scene
            .socket
            .send_text(r#"{"action":"__ping__"}"#.to_owned())
            .await?;
        let pong = scene.socket.recv().await?;
        assert_eq!(pong, json!({"pong": true}));
    }
    // The legacy client pings the same way.
    let (mut legacy, _) = scene.victim.connect(false).await?;
    legacy
        .send_text(r#"{"action":"__ping__"}"#.to_owned())
        .await?;
    assert_eq!(legacy.recv().await?, json!({"pong": true}));
    legacy.close().await?;
    scene.intact(1, true).await
}

#[tokio::test]
async fn a_head_probe_says_websockets_are_enabled() -> TestResult {
    let scene = Scene::new(true).await?;
    let probe = scene.server.http("HEAD", "/counter", &[], "").await?;
    assert_eq!(probe.status, 200, "{probe:?}");
    assert_eq!(
        probe.header("x-livetemplate-websocket"),
        Some("enabled"),
        "{probe:?}"
    );
    assert!(probe.body.is_empty(), "{probe:?}");
    let missing = scene.server.http("HEAD", "/nowhere", &[], "").await?;
    assert_eq!(missing.status, 404, "{missing:?}");
    scene.intact(1, true).await
}

#[tokio::test]
async fn a_json_get_returns_the_current_tree() -> TestResult {
    let scene = Scene::new(true).await?;
    let reply = scene.victim.get("application/json").await?;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{reply:?}"
    );
    let frame = reply.json()?;
    assert!(frame["tree"]["s"].is_array(), "a full tree: {frame}");
    assert_eq!(frame["meta"]["success"], true, "{frame}");
    let mut tree = ClientTree::new(ClientKind::Legacy);
    tree.apply(&frame["tree"].to_string())?;
    let html = tree.html()?;
    assert_eq!(number(&html, "count"), Some(1), "{html}");
    // It is the whole inside of the page's live region (less the hidden inputs for use without JavaScript).
    let page = scene.victim.page().await?;
    let region = page
        .split_once("<div data-lvt-id=\"")
        .and_then(|(_, rest)| rest.split_once("\">"))
        .and_then(|(_, inside)| inside.rsplit_once("</div>"))
        .map(|(inside, _)| inside)
        .ok_or("no live region")?;
    let csrf = format!(
        "<input type=\"hidden\" name=\"_lvt_csrf\" value=\"{}\">",
        scene.victim.csrf
    );
    assert_eq!(
        region.matches(&csrf).count(),
        2,
        "one per post form: {region}"
    );
    assert_eq!(without_hidden_inputs(region), html);
    scene.intact(1, true).await
}

#[tokio::test]
async fn the_client_bundle_is_served_with_a_cache_header() -> TestResult {
    let scene = Scene::new(true).await?;
    let page = scene.victim.page().await?;
    assert!(
        page.contains(&format!("<script src=\"{CLIENT_PATH}\" defer></script>")),
        "the page loads the client: {page}"
    );
    let bundle = scene.server.http("GET", CLIENT_PATH, &[], "").await?;
    assert_eq!(bundle.status, 200);
    assert!(
        bundle
            .header("content-type")
            .is_some_and(|t| t.contains("javascript")),
        "{:?}",
        bundle.headers
    );
    assert!(
        bundle
            .header("cache-control")
            .is_some_and(|c| c.contains("max-age")),
        "{:?}",
        bundle.headers
    );
    assert!(
        bundle.body.len() > 1000,
        "the whole bundle: {} bytes",
        bundle.body.len()
    );
    scene.intact(1, true).await
}

#[tokio::test]
async fn the_authenticator_names_the_user() -> TestResult {
    let server = Server::start().await?;
    let page = server
        .http(
            "GET",
            "/extras",
            &[("Accept", "text/html"), ("x-user", "alice")],
            "",
        )
        .await?;
    assert!(
        page.body.contains("<span id=\"user\">alice</span>"),
        "{}",
        page.body
    );
    let anonymous = server.visit("/extras").await?;
    assert!(
        anonymous
            .page()
            .await?
            .contains("<span id=\"user\">anonymous</span>")
    );
    server.stop().await
}

#[tokio::test]
async fn a_redirecting_action_sends_a_plain_form_there() -> TestResult {
    let server = Server::start().await?;
    let session = server.visit("/extras").await?;
    let page = session.page().await?;
    let action =
        between(&page, "name=\"_lvt_action\" value=\"", "\"").ok_or("no _lvt_action field")?;
    assert_eq!(action, "leave");
    let answer = session
        .post_form(&[("_lvt_csrf", &session.csrf), ("_lvt_action", action)])
        .await?;
    assert_eq!(answer.status, 303, "{answer:?}");
    assert_eq!(answer.header("location"), Some("/bye"));
    // Over the socket, our client is told to go there.
    let (mut socket, _) = session.connect(true).await?;
    socket.act("leave", json!({}), 1).await?;
    let redirect = socket.recv().await?;
    assert_eq!(redirect, json!({"type": "redirect", "to": "/bye"}));
    server.stop().await
}

#[tokio::test]
async fn flash_messages_reach_our_client_only() -> TestResult {
    let server = Server::start().await?;
    let session = server.visit("/extras").await?;
    let (mut ours, _) = session.connect(true).await?;
    let reply = ours.act("greet", json!({}), 1).await?;
    assert_eq!(
        reply["meta"]["flash"],
        json!([{"kind": "info", "message": "hello"}]),
        "{reply}"
    );
    let (mut legacy, _) = session.connect(false).await?;
    let reply = legacy.act("greet", json!({}), 2).await?;
    assert_eq!(reply["meta"]["success"], json!(true), "{reply}");
    assert!(reply["meta"].get("flash").is_none(), "{reply}");
    server.stop().await
}

#[tokio::test]
async fn shutting_down_closes_live_connections() -> TestResult {
    let server = Server::start().await?;
    let session = server.visit("/counter").await?;
    let (mut socket, _) = session.connect(true).await?;
    let stopping = tokio::spawn(server.stop());
    match socket.next().await? {
        Incoming::Closed(code) => assert_eq!(code, Some(1001)),
        Incoming::Frame(frame) => return Err(format!("expected a close, got {frame}").into()),
    }
    within("shutdown", stopping).await???;
    Ok(())
}

#[tokio::test]
async fn a_silent_socket_is_closed() -> TestResult {
    let config = livetemplate::Config::new().socket_idle(Duration::from_millis(300));
    let server = Server::start_with(config).await?;
    let session = server.visit("/counter").await?;
    let (mut socket, _) = session.connect(true).await?;
    match socket.next().await? {
        Incoming::Closed(code) => assert_eq!(code, Some(1001)),
        Incoming::Frame(frame) => return Err(format!("expected a close, got {frame}").into()),
    }
    // A client that pings stays connected.
    let (mut socket, _) = session.connect(true).await?;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        socket.send(&json!({"action": "__ping__"})).await?;
        assert_eq!(socket.recv().await?, json!({"pong": true}));
    }
    server.stop().await
}

/// Our client on the HTTP path gets the whole tree from a JSON POST: another tab may have acted
/// since its last request, and a diff from the group's previous render would then apply to an
/// older page than it was taken from.
#[tokio::test]
async fn json_post_from_our_client_answers_the_whole_tree() -> TestResult {
    let server = Server::start().await?;
    let session = server.visit("/counter").await?;
    // The HTTP client holds the page at count 0; another tab of the browser then acts.
    let (mut socket, _) = session.connect(true).await?;
    socket.act("increment", json!({}), 1).await?;
    let ours = Session {
        path: format!("{}?_lvt=1", session.path),
        ..session
    };
    let reply = ours
        .post_json(&json!({"action": "increment", "ref": 5}))
        .await?;
    assert_eq!(reply.status, 200, "{reply:?}");
    let reply = reply.json()?;
    assert_eq!(reply["ref"], 5, "{reply}");
    assert_eq!(reply["meta"]["success"], true, "{reply}");
    assert!(reply["tree"]["s"].is_array(), "a whole tree: {reply}");
    let mut client = ClientTree::new(ClientKind::Livetemplate);
    client.apply(&reply["tree"].to_string())?;
    assert_eq!(number(&client.html()?, "count"), Some(2));
    socket.close().await
}
