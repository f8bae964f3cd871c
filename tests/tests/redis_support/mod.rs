//! Helpers of the Redis tests: finding (or starting) a Redis, server instances sharing it, and
//! a small HTTP + WebSocket client with the tree its frames build.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http::HeaderValue;
use livetemplate::SigningKey;
use livetemplate::pubsub::RedisBroker;
use livetemplate::testing::{ClientTree, ServerFrame};
use livetemplate::wire::ClientKind;
use livetemplate::{Config, LiveHandle, LiveRouter, serve_listener};
use livetemplate::{Context, LiveTemplate, Redis, live_controller};
use livetemplate_tests::chat::Chat;
use livetemplate_tests::http::{ResponseExt, http};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub(crate) type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The longest any single wait may take.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// The shared Redis of the machine.
pub(crate) const SHARED_URL: &str = "redis://127.0.0.1:6379/";

/// `future`, or an error naming `what` after [`WAIT`].
pub(crate) async fn within<F: Future>(what: &str, future: F) -> TestResult<F::Output> {
    tokio::time::timeout(WAIT, future)
        .await
        .map_err(|_| format!("timed out after {WAIT:?}: {what}").into())
}

/// Polls `done` every 10 ms until it holds, for at most [`WAIT`].
pub(crate) async fn eventually(what: &str, mut done: impl FnMut() -> bool) -> TestResult {
    within(what, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
}

/// Whether Redis tests must run (`REDIS_REQUIRED=1`) rather than skip.
pub(crate) fn required() -> bool {
    std::env::var("REDIS_REQUIRED").is_ok_and(|v| v == "1")
}

/// The shared Redis under a prefix of this test's own, or `None` (with a printed notice) when
/// none answers and it is not required.
pub(crate) async fn shared(test: &str) -> TestResult<Option<(String, String)>> {
    match Redis::connect(SHARED_URL).await {
        Ok(_) => Ok(Some((SHARED_URL.to_owned(), unique_prefix(test)))),
        Err(error) if !required() => {
            eprintln!("skipping {test}: {error} (set REDIS_REQUIRED=1 to fail instead)");
            Ok(None)
        }
        Err(error) => Err(format!("REDIS_REQUIRED=1 but {error}").into()),
    }
}

/// A key prefix no other test run uses.
pub(crate) fn unique_prefix(test: &str) -> String {
    let nonce = livetemplate::session::SessionId::new();
    format!("lvt-test:{test}:{}", &nonce.as_str()[..12])
}

/// A `redis-server` of the test's own on a free port, with no persistence; killed on drop.
pub(crate) struct RedisServer {
    pub(crate) port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or `None` (with a printed notice) when the binary is missing and Redis is
    /// not required.
    pub(crate) async fn start(test: &str) -> TestResult<Option<RedisServer>> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut server = RedisServer { port, child: None };
        match server.spawn() {
            Ok(()) => {}
            Err(error) if !required() => {
                eprintln!("skipping {test}: cannot start redis-server: {error}");
                return Ok(None);
            }
            Err(error) => return Err(format!("REDIS_REQUIRED=1 but redis-server: {error}").into()),
        }
        server.wait_ready().await?;
        Ok(Some(server))
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    async fn wait_ready(&self) -> TestResult {
        let addr = format!("127.0.0.1:{}", self.port);
        within("redis-server to listen", async {
            while TcpStream::connect(&addr).await.is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
    }

    /// Kills the server (as a crash would).
    pub(crate) fn kill(&mut self) -> TestResult {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts it again on the same port (empty: it keeps nothing on disk).
    pub(crate) async fn restart(&mut self) -> TestResult {
        self.kill()?;
        self.spawn()?;
        self.wait_ready().await
    }

    /// `INFO commandstats` as (command, calls).
    pub(crate) async fn command_calls(&self) -> TestResult<Vec<(String, u64)>> {
        command_calls(&self.url()).await
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// `INFO commandstats` of the Redis at `url`, as (command, calls).
pub(crate) async fn command_calls(url: &str) -> TestResult<Vec<(String, u64)>> {
    let client = redis_client(url)?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut connection)
        .await?;
    Ok(info
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("cmdstat_")?;
            let (name, stats) = rest.split_once(':')?;
            let calls = stats
                .split(',')
                .next()?
                .strip_prefix("calls=")?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect())
}

fn redis_client(url: &str) -> TestResult<redis::Client> {
    Ok(redis::Client::open(url)?)
}

// ---------------------------------------------------------------------------------------------
// The pages
// ---------------------------------------------------------------------------------------------

/// A counter whose every increment re-renders the browser's other tabs.
#[derive(Debug, Clone, askama::Template, LiveTemplate, Serialize, Deserialize)]
#[template(path = "redis/counter.html")]
pub(crate) struct Count {
    pub(crate) count: u64,
}

pub(crate) struct Counter;

#[live_controller]
impl Counter {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Count> {
        Ok(Count { count: 0 })
    }

    pub(crate) async fn increment(&self, state: &mut Count, ctx: &mut Context) {
        // Yield inside the action, so actions on the two instances interleave.
        tokio::task::yield_now().await;
        state.count += 1;
        ctx.sync();
    }
}

// ---------------------------------------------------------------------------------------------
// Server instances
// ---------------------------------------------------------------------------------------------

/// The signing key every instance shares (as the processes of one deployment would).
pub(crate) fn key() -> TestResult<SigningKey> {
    Ok(SigningKey::from_bytes(&[42; 32])?)
}

/// One server "process": its own Redis connections, broker and stores, on its own port.
pub(crate) struct Instance {
    pub(crate) addr: SocketAddr,
    pub(crate) redis: Redis,
    pub(crate) broker: RedisBroker,
    pub(crate) handle: LiveHandle,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

/// How an instance connects to Redis.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub(crate) url: String,
    pub(crate) prefix: String,
    /// Broker-only pages (`route`) instead of stored ones (`route_shared`).
    pub(crate) stateless: bool,
}

impl Setup {
    pub(crate) fn new(url: &str, prefix: &str) -> Setup {
        Setup {
            url: url.to_owned(),
            prefix: prefix.to_owned(),
            stateless: false,
        }
    }
}

impl Instance {
    /// Starts an instance on `port` (0: any free port) serving `/chat`, `/counter` and
    /// `/counters/{id}` (a counter per URL).
    pub(crate) async fn start(setup: &Setup, port: u16) -> TestResult<Instance> {
        let redis = Redis::connect(&setup.url)
            .await?
            .prefix(setup.prefix.clone())
            .max_backoff(Duration::from_millis(200));
        let broker = redis.broker();
        // The measurement sends actions back to back: lift the per-connection rate limit.
        let config = Config::new()
            .signing_key(key()?)
            .actions_per_second(100_000)
            .redis(&redis);
        let router = LiveRouter::with_config(config);
        let router = if setup.stateless {
            router
                .route("/chat", Chat)
                .route("/counter", Counter)
                .route("/counters/{id}", Counter)
        } else {
            router
                .route_shared("/chat", Chat)
                .route_shared("/counter", Counter)
                .route_shared("/counters/{id}", Counter)
        };
        let handle = router.handle();
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_listener(listener, router, async {
            let _ = stopped.await;
        }));
        eventually("the broker to subscribe", || broker.stats().connected).await?;
        Ok(Instance {
            addr,
            redis,
            broker,
            handle,
            stop,
            task,
        })
    }

    /// Shuts the server down (live connections are closed with 1001).
    pub(crate) async fn stop(self) -> TestResult {
        let _ = self.stop.send(());
        within("server shutdown", self.task).await???;
        Ok(())
    }

    /// Loads `path` as a new browser would: a new session.
    pub(crate) async fn visit(&self, path: &str) -> TestResult<Session> {
        let page = http(self.addr, "GET", path, &[("Accept", "text/html")], "").await?;
        if page.status != 200 {
            return Err(format!("GET {path}: {}", page.status).into());
        }
        let cookie = page
            .session_cookie()
            .ok_or("the first GET sets no session cookie")?;
        Ok(Session {
            addr: self.addr,
            path: path.to_owned(),
            cookie,
        })
    }
}

/// A browser's session on one page of one instance: its cookie.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) addr: SocketAddr,
    pub(crate) path: String,
    /// `livetemplate-id=<signed id>`.
    pub(crate) cookie: String,
}

impl Session {
    /// The same browser talking to another instance.
    pub(crate) fn on(&self, instance: &Instance) -> Session {
        Session {
            addr: instance.addr,
            ..self.clone()
        }
    }

    /// The page's HTML as the server renders it now.
    pub(crate) async fn page(&self) -> TestResult<String> {
        let page = http(
            self.addr,
            "GET",
            &self.path,
            &[("Accept", "text/html"), ("Cookie", &self.cookie)],
            "",
        )
        .await?;
        Ok(page.body)
    }

    /// Posts `{"action": action}` as a script would; whether it succeeded.
    pub(crate) async fn post_action(&self, action: &str) -> TestResult<bool> {
        let origin = format!("http://{}", self.addr);
        let body = json!({ "action": action }).to_string();
        let response = http(
            self.addr,
            "POST",
            &self.path,
            &[
                ("Content-Type", "application/json"),
                ("Origin", &origin),
                ("Cookie", &self.cookie),
            ],
            &body,
        )
        .await?;
        let reply: Value = serde_json::from_str(&response.body)?;
        let succeeded = reply["meta"]["success"] == json!(true);
        if !succeeded {
            eprintln!("{action} failed: {reply}");
        }
        Ok(succeeded)
    }

    /// Opens a live connection (our client's encoding) and reads the first frame.
    pub(crate) async fn connect(&self) -> TestResult<Socket> {
        let origin = format!("http://{}", self.addr);
        let mut request =
            format!("ws://{}{}?_lvt=1", self.addr, self.path).into_client_request()?;
        for (name, value) in [("Cookie", self.cookie.as_str()), ("Origin", &origin)] {
            request.headers_mut().append(
                http::HeaderName::try_from(name)?,
                HeaderValue::from_str(value)?,
            );
        }
        let stream = within("connect", TcpStream::connect(self.addr)).await??;
        let (ws, _) = within(
            "WebSocket handshake",
            tokio_tungstenite::client_async(request, stream),
        )
        .await??;
        let mut socket = Socket {
            ws,
            tree: ClientTree::new(ClientKind::Livetemplate),
            next_ref: 1,
        };
        socket.recv().await?;
        Ok(socket)
    }
}

/// The number in `<span id="count">…</span>`.
pub(crate) fn count(html: &str) -> Option<u64> {
    let start = html.find("<span id=\"count\">")? + "<span id=\"count\">".len();
    html[start..].split('<').next()?.parse().ok()
}

/// One tab's live connection, with the tree its frames built.
pub(crate) struct Socket {
    ws: WebSocketStream<TcpStream>,
    tree: ClientTree,
    next_ref: u64,
}

impl Socket {
    /// The next frame (its tree applied); an error when the connection closes.
    pub(crate) async fn recv(&mut self) -> TestResult<Value> {
        loop {
            let message = within("a frame", self.ws.next()).await?;
            let text = match message {
                None => return Err("the connection closed".into()),
                Some(Err(error)) => return Err(format!("socket error: {error}").into()),
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(frame))) => {
                    return Err(format!("the connection closed: {frame:?}").into());
                }
                Some(Ok(_)) => continue,
            };
            // Either envelope; returned in the plain object form.
            let frame = ServerFrame::parse(&text)
                .map_err(|error| format!("not a server frame ({error}): {text}"))?
                .to_object();
            if let Some(tree) = frame.get("tree") {
                self.tree
                    .apply(&tree.to_string())
                    .map_err(|error| format!("the client cannot apply {text}: {error}"))?;
            }
            return Ok(frame);
        }
    }

    /// Sends an action and waits for its reply (frames caused by others are applied first).
    pub(crate) async fn act(&mut self, action: &str, data: Value) -> TestResult<Value> {
        let reference = self.next_ref;
        self.next_ref += 1;
        let message = json!({"action": action, "data": data, "ref": reference}).to_string();
        within("send", self.ws.send(Message::Text(message.into()))).await??;
        loop {
            let frame = self.recv().await?;
            if frame["ref"] == json!(reference) || frame["type"] == "error" {
                return Ok(frame);
            }
        }
    }

    /// Reads frames until the tree's HTML satisfies `done`.
    pub(crate) async fn until(&mut self, what: &str, done: impl Fn(&str) -> bool) -> TestResult {
        while !done(&self.html()?) {
            self.recv()
                .await
                .map_err(|error| format!("waiting for {what}: {error}; html: {:?}", self.html()))?;
        }
        Ok(())
    }

    /// Waits for a text frame containing `needle`, without applying it (the measurement:
    /// the time to the frame, not the client's work on it).
    pub(crate) async fn frame_with(&mut self, needle: &str) -> TestResult {
        loop {
            match within("a frame", self.ws.next()).await? {
                Some(Ok(Message::Text(text))) if text.contains(needle) => return Ok(()),
                Some(Ok(Message::Close(_))) | None => return Err("the connection closed".into()),
                Some(Err(error)) => return Err(format!("socket error: {error}").into()),
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Whether the connection is closed by the server within [`WAIT`].
    pub(crate) async fn closed(&mut self) -> TestResult<bool> {
        loop {
            match within("the close", self.ws.next()).await? {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(true),
                Some(Ok(_)) => continue,
            }
        }
    }

    pub(crate) fn html(&self) -> TestResult<String> {
        Ok(self.tree.html()?)
    }

    pub(crate) fn count(&self) -> TestResult<u64> {
        let html = self.html()?;
        Ok(count(&html).ok_or_else(|| format!("no #count in {html}"))?)
    }
}
