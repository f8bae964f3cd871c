//! Server benchmark: latency of actions and of tab sync over real loopback sockets, and the
//! memory an idle live connection costs the server.
//!
//! Run with `cargo bench -p livetemplate --bench server` (release; about five seconds once
//! built). With `LIVETEMPLATE_BENCH_QUICK=1` (what `.ci/run` does), and under
//! `cargo test --benches` (no `--bench` argument), it runs a small version of each measurement
//! ([`Sizes::QUICK`]) with the same checks and the same report.
//!
//! The server runs in a **separate process** — this same executable, re-executed with
//! [`SERVER_ENV`] set — so that its resident memory can be read from `/proc/<pid>/status`
//! alone. It serves a counter like `examples/counter` (template
//! `livetemplate/templates/bench_counter.html`; every action calls `ctx.sync()`) at `/` with
//! the default [`Config`] except for the caps that a benchmark from one address meets at once
//! (see [`router`]). It prints its port on stdout and exits when its stdin closes; a guard
//! kills it when the bench ends, fails or panics.
//!
//! The client (this process, one tokio thread) measures, each latency from just before the
//! send to the frame received:
//!
//! 1. **action round trip**: one connection (our client's encoding, `?_lvt=1`) sends
//!    `{"action":"increment","ref":n}` and waits for the reply echoing `ref`, 10,000 times;
//! 2. **sync fan-out**: two tabs of one session; tab 1 sends `increment`, and the time until
//!    tab 2 receives its update frame is taken (2,000 samples). It is an upper bound of the
//!    server-side sync time: it includes both sockets' trips through the kernel and the
//!    client's own scheduling;
//! 3. **RSS per idle connection**: the server's `VmRSS` before and after loading the page in
//!    1,000 new sessions (one `GET` each, for the cookie), then after opening one live
//!    connection per session (each reads its first frame, then stays silent).
//!
//! Interleaved with each action of 1 and 2, a `__ping__` heartbeat and its `{"pong":true}`
//! are timed too: the same trip through the kernel and tungstenite with (almost) no server
//! work. A p50 minus its baseline's p50 estimates the server's own time without instrumenting
//! the server; the report prints both the difference and the ratio.
//!
//! Every frame the client reads is checked against the protocol (`docs/src/protocol.md`):
//! the first frame is a whole tree showing the session's count, a reply is exactly
//! `[ref,{"0":count}]` (our client's short envelope, no `meta` on success), a push to the other
//! tab exactly `[{"0":count}]`, a pong exactly `{"pong":true}`; an error frame or anything else
//! stops the bench with an error, so it never times error frames. Each memory session starts
//! from its own count (the page's `?start=`), and its live connection must show it: a session
//! the server had evicted and mounted afresh would show 0.

use std::error::Error;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use askama::Template;
use futures_util::{SinkExt, StreamExt};
use livetemplate::{Config, LiveRouter, serve_listener};
use livetemplate::{Context, LiveTemplate, live_controller};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

// Only `quick` is used here; the timing helpers serve the criterion benches.
#[allow(dead_code)]
mod support;

type BenchResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// Set in the environment of the re-executed bench that becomes the server.
const SERVER_ENV: &str = "LVT_BENCH_SERVER";

/// The command this bench prints as its reproduction.
const COMMAND: &str = "cargo bench -p livetemplate --bench server";

/// The longest any single wait may take.
const WAIT: Duration = Duration::from_secs(10);

/// How much work each measurement does.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// Action round trips (and as many heartbeats), after `warmup` unmeasured ones.
    round_trips: usize,
    /// Synced actions whose arrival in the other tab is timed.
    fan_outs: usize,
    /// Idle connections (each with its own session) opened for the memory figure.
    connections: usize,
    /// Unmeasured round trips and fan-outs first.
    warmup: usize,
}

impl Sizes {
    const FULL: Sizes = Sizes {
        round_trips: 10_000,
        fan_outs: 2_000,
        connections: 1_000,
        warmup: 500,
    };
    /// About two seconds. More connections than `Config`'s default sessions per address
    /// (500), so that a quick run also checks that the bench's server raised that cap.
    const QUICK: Sizes = Sizes {
        round_trips: 1_000,
        fan_outs: 200,
        connections: 600,
        warmup: 50,
    };
}

// ---------------------------------------------------------------------------------------------
// The page served (mirrors examples/counter)
// ---------------------------------------------------------------------------------------------

/// The page's state.
#[derive(Debug, Clone, Template, LiveTemplate)]
#[template(path = "bench_counter.html")]
struct Counter {
    count: i64,
}

/// The counter's actions; each one re-renders the session's other tabs.
#[derive(Debug)]
struct CounterController;

#[live_controller]
impl CounterController {
    /// Counts from the page's `?start=` (default 0), so that the memory sessions can be told
    /// apart from sessions mounted afresh.
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Counter> {
        Ok(Counter {
            count: ctx.query_get("start").unwrap_or(0),
        })
    }

    pub(crate) fn increment(&self, state: &mut Counter, ctx: &mut Context) {
        state.count += 1;
        ctx.sync();
    }

    pub(crate) fn decrement(&self, state: &mut Counter, ctx: &mut Context) {
        state.count -= 1;
        ctx.sync();
    }

    pub(crate) fn reset(&self, state: &mut Counter, ctx: &mut Context) {
        state.count = 0;
        ctx.sync();
    }
}

/// The default [`Config`], except for the caps this one client address meets by design: the
/// action rate (default 50/s per session; the round trips are back to back) and the sessions
/// one address may hold (default 500; the memory measurement holds [`Sizes::connections`] of
/// them at once, and past the cap the server would evict the oldest).
fn router() -> LiveRouter {
    let sessions = Sizes::FULL.connections.max(Sizes::QUICK.connections) + 16;
    let config = Config::new()
        .title("Counter")
        .actions_per_second(1_000_000)
        .max_sessions_per_client(sessions);
    LiveRouter::with_config(config).route("/", CounterController)
}

// ---------------------------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------------------------

/// Serves [`router`] on an ephemeral loopback port, prints the port, and stops when stdin
/// closes (the parent exited or dropped its end).
fn run_server() -> BenchResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            let _ = stop.send(());
        });
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{port}")?;
        stdout.flush()?;
        drop(stdout);
        serve_listener(listener, router(), async {
            let _ = stopped.await;
        })
        .await?;
        Ok(())
    })
}

/// The server child; killed (and reaped) when dropped, also when the bench fails or panics.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start() -> BenchResult<ServerProcess> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .env(SERVER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        // From here on the guard owns the child, so every early return kills it.
        let stdout = child.stdout.take();
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let mut line = String::new();
        BufReader::new(stdout.ok_or("the server's stdout is not piped")?).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .parse()
            .map_err(|_| format!("the server printed {line:?} instead of its port"))?;
        server.addr.set_port(port);
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident set size (`VmRSS`), in KiB.
    fn rss_kib(&self) -> BenchResult<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let line = status
            .lines()
            .find(|line| line.starts_with("VmRSS:"))
            .ok_or("no VmRSS in /proc/<pid>/status")?;
        let kib = line
            .split_whitespace()
            .nth(1)
            .ok_or("malformed VmRSS line")?
            .parse()?;
        Ok(kib)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The client: a few lines of HTTP, and tokio-tungstenite
// ---------------------------------------------------------------------------------------------

/// `future`, or an error naming `what` after [`WAIT`].
async fn within<F: std::future::Future>(what: &str, future: F) -> BenchResult<F::Output> {
    tokio::time::timeout(WAIT, future)
        .await
        .map_err(|_| format!("timed out after {WAIT:?}: {what}").into())
}

/// An I/O error explained: running out of file descriptors says how to get more.
fn io_error(what: &str, error: std::io::Error) -> Box<dyn Error + Send + Sync> {
    if error.raw_os_error() == Some(24) {
        format!(
            "{what}: too many open files (EMFILE): raise the limit, e.g. `ulimit -n 4096`, \
             and run again"
        )
        .into()
    } else {
        format!("{what}: {error}").into()
    }
}

async fn connect_tcp(addr: SocketAddr) -> BenchResult<TcpStream> {
    let stream = within("TCP connect", TcpStream::connect(addr))
        .await?
        .map_err(|error| io_error("TCP connect", error))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Loads `path` as a new browser would and returns its session cookie (`livetemplate-id=…`)
/// and the page, or with `cookie` loads it in that session.
async fn get_page(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> BenchResult<(String, String)> {
    let mut stream = connect_tcp(addr).await?;
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nConnection: close\r\n"
    );
    if let Some(cookie) = cookie {
        let _ = write!(request, "Cookie: {cookie}\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    within("GET", stream.read_to_end(&mut raw))
        .await?
        .map_err(|error| io_error("GET", error))?;
    let raw = String::from_utf8(raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").ok_or("no end of headers")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("GET {path} answered {head}").into());
    }
    let set_cookie = head
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, value)| value.split(';').next())
        .map(str::trim)
        .find(|pair| pair.starts_with("livetemplate-id="));
    let cookie = match (set_cookie, cookie) {
        (Some(set), _) => set.to_owned(),
        (None, Some(cookie)) => cookie.to_owned(),
        (None, None) => return Err("the page sets no session cookie".into()),
    };
    Ok((cookie, body.to_owned()))
}

/// The count on a rendered page.
fn count_in(html: &str) -> BenchResult<i64> {
    let from = html.find("<output>").ok_or("no <output> in the page")? + "<output>".len();
    let len = html[from..].find("</output>").ok_or("no </output>")?;
    Ok(html[from..from + len].parse()?)
}

/// A server frame as JSON; an error frame, or text that is not JSON, is an error.
fn parse_frame(text: &str) -> BenchResult<Value> {
    let frame: Value =
        serde_json::from_str(text).map_err(|error| format!("not JSON ({error}): {text}"))?;
    if frame.get("type").and_then(Value::as_str) == Some("error") {
        return Err(format!("error frame: {text}").into());
    }
    Ok(frame)
}

/// The update our client receives when the count changed to `count`: the tree `{"0":count}`
/// (slot 0 is the count, a whole number in the short form), in the short envelope:
/// `[ref,tree]` for the reply to the message `ref` (no `meta`: it succeeded), `[tree]` for a
/// push.
fn count_update(reference: Option<u64>, count: i64) -> Value {
    let tree = json!({ "0": count });
    match reference {
        Some(reference) => json!([reference, tree]),
        None => json!([tree]),
    }
}

/// The count a connection's first frame shows: `{"tree":{"s":[…],"0":count,…},"meta":{…}}`
/// with `meta.success`, a whole tree (it carries its statics).
fn first_frame_count(text: &str) -> BenchResult<i64> {
    let frame = parse_frame(text)?;
    let bad = || format!("a first frame (the whole tree with meta) expected, got {text}");
    let tree = frame.get("tree").ok_or_else(bad)?;
    let whole = tree.get("s").and_then(Value::as_array).is_some();
    let success = frame.pointer("/meta/success") == Some(&Value::Bool(true));
    if !whole || !success {
        return Err(bad().into());
    }
    match tree.get("0") {
        Some(Value::Number(count)) => count.as_i64().ok_or_else(|| bad().into()),
        Some(Value::String(count)) => count.parse().map_err(|_| bad().into()),
        _ => Err(bad().into()),
    }
}

/// One tab's live connection.
struct Tab {
    ws: WebSocketStream<TcpStream>,
}

impl Tab {
    /// Opens a live connection in the session of `cookie` (our client's encoding), reads the
    /// first frame and returns the count it shows.
    async fn open(addr: SocketAddr, cookie: &str) -> BenchResult<(Tab, i64)> {
        let mut request = format!("ws://{addr}/?_lvt=1").into_client_request()?;
        let headers = request.headers_mut();
        headers.insert("Cookie", HeaderValue::from_str(cookie)?);
        headers.insert("Origin", HeaderValue::from_str(&format!("http://{addr}"))?);
        let stream = connect_tcp(addr).await?;
        // A small client buffer: a thousand tabs in this process need not cost 128 KiB each.
        let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
        let (ws, _) = within(
            "WebSocket handshake",
            tokio_tungstenite::client_async_with_config(request, stream, Some(config)),
        )
        .await?
        .map_err(|error| match error {
            tokio_tungstenite::tungstenite::Error::Io(error) => io_error("handshake", error),
            other => format!("upgrade refused: {other}").into(),
        })?;
        let mut tab = Tab { ws };
        let count = first_frame_count(&tab.recv().await?)?;
        Ok((tab, count))
    }

    async fn send(&mut self, text: String) -> BenchResult {
        within("send", self.ws.send(Message::Text(text.into()))).await??;
        Ok(())
    }

    /// The next text frame; a closed connection is an error.
    async fn recv(&mut self) -> BenchResult<String> {
        loop {
            return match within("a frame", self.ws.next()).await? {
                None => Err("the server closed the connection".into()),
                Some(Err(error)) => Err(format!("socket error: {error}").into()),
                Some(Ok(Message::Text(text))) => Ok(text.as_str().to_owned()),
                Some(Ok(Message::Close(frame))) => {
                    Err(format!("the server closed the connection: {frame:?}").into())
                }
                Some(Ok(_)) => continue,
            };
        }
    }

    /// The next frame, which must be `expected`.
    async fn expect(&mut self, what: &str, expected: &Value) -> BenchResult {
        let text = self.recv().await?;
        if parse_frame(&text)? != *expected {
            return Err(format!("{what}: {expected} expected, got {text}").into());
        }
        Ok(())
    }

    /// Sends `increment` with `reference`.
    async fn send_increment(&mut self, reference: u64) -> BenchResult {
        self.send(format!("{{\"action\":\"increment\",\"ref\":{reference}}}"))
            .await
    }

    /// Sends `increment` with `reference` and waits for its reply, which must show `count`.
    async fn increment(&mut self, reference: u64, count: i64) -> BenchResult {
        self.send_increment(reference).await?;
        self.expect(
            "the reply to increment",
            &count_update(Some(reference), count),
        )
        .await
    }

    /// Sends a heartbeat and waits for the pong.
    async fn ping(&mut self) -> BenchResult {
        self.send("{\"action\":\"__ping__\"}".to_owned()).await?;
        self.expect("the pong", &json!({ "pong": true })).await
    }

    async fn close(mut self) -> BenchResult {
        within("close", self.ws.close(None)).await??;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The measurements
// ---------------------------------------------------------------------------------------------

/// Sorted latencies in µs.
struct Samples(Vec<f64>);

impl Samples {
    fn new(mut durations: Vec<Duration>) -> Samples {
        durations.sort();
        Samples(
            durations
                .into_iter()
                .map(|d| d.as_secs_f64() * 1e6)
                .collect(),
        )
    }

    /// The `q` quantile (nearest rank).
    fn quantile(&self, q: f64) -> f64 {
        let n = self.0.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n.max(1));
        self.0.get(rank - 1).copied().unwrap_or(f64::NAN)
    }

    fn max(&self) -> f64 {
        self.0.last().copied().unwrap_or(f64::NAN)
    }
}

/// Measurement 1: action round trips, each followed by a heartbeat round trip.
async fn round_trips(addr: SocketAddr, sizes: Sizes) -> BenchResult<(Samples, Samples)> {
    let (cookie, _) = get_page(addr, "/", None).await?;
    let (mut tab, start_count) = Tab::open(addr, &cookie).await?;
    let total = sizes.warmup + sizes.round_trips;
    let mut actions = Vec::with_capacity(sizes.round_trips);
    let mut pings = Vec::with_capacity(sizes.round_trips);
    for n in 0..total {
        let start = Instant::now();
        tab.increment(n as u64 + 1, start_count + n as i64 + 1)
            .await?;
        let action = start.elapsed();
        let start = Instant::now();
        tab.ping().await?;
        let ping = start.elapsed();
        if n >= sizes.warmup {
            actions.push(action);
            pings.push(ping);
        }
    }
    let (_, page) = get_page(addr, "/", Some(&cookie)).await?;
    let count = count_in(&page)?;
    if count != start_count + total as i64 {
        return Err(format!("after {total} increments the page shows {count}").into());
    }
    tab.close().await?;
    Ok((Samples::new(actions), Samples::new(pings)))
}

/// Measurement 2: tab 1 acts; the time until tab 2 has its update. Each is preceded by a
/// heartbeat round trip of tab 1, timed as this phase's baseline.
async fn fan_out(addr: SocketAddr, sizes: Sizes) -> BenchResult<(Samples, Samples)> {
    let (cookie, _) = get_page(addr, "/", None).await?;
    let (mut tab1, start_count) = Tab::open(addr, &cookie).await?;
    let (mut tab2, count) = Tab::open(addr, &cookie).await?;
    if count != start_count {
        return Err(format!("two tabs of one session show {start_count} and {count}").into());
    }
    let mut updates = Vec::with_capacity(sizes.fan_outs);
    let mut pings = Vec::with_capacity(sizes.fan_outs);
    for n in 0..sizes.warmup + sizes.fan_outs {
        let start = Instant::now();
        tab1.ping().await?;
        let ping = start.elapsed();
        let reference = n as u64 + 1;
        let count = start_count + n as i64 + 1;
        let start = Instant::now();
        tab1.send_increment(reference).await?;
        tab2.expect("tab 2's push", &count_update(None, count))
            .await?;
        let elapsed = start.elapsed();
        tab1.expect(
            "the reply to increment",
            &count_update(Some(reference), count),
        )
        .await?;
        if n >= sizes.warmup {
            updates.push(elapsed);
            pings.push(ping);
        }
    }
    tab1.close().await?;
    tab2.close().await?;
    Ok((Samples::new(updates), Samples::new(pings)))
}

/// The server's RSS at three points of opening idle connections.
#[derive(Debug)]
struct Memory {
    connections: usize,
    /// After one warm-up session and connection.
    before: u64,
    /// After the sessions were created (one page load each).
    sessions: u64,
    /// After one idle live connection per session.
    after: u64,
}

impl Memory {
    fn per_session(&self) -> f64 {
        self.sessions.saturating_sub(self.before) as f64 / self.connections as f64
    }

    fn per_connection(&self) -> f64 {
        self.after.saturating_sub(self.sessions) as f64 / self.connections as f64
    }

    fn per_both(&self) -> f64 {
        self.after.saturating_sub(self.before) as f64 / self.connections as f64
    }
}

/// The soft limit on open files of this process (they are inherited by the server).
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// RSS settles: waits, then reads until two reads a moment apart agree.
async fn settled_rss(server: &ServerProcess) -> BenchResult<u64> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut last = server.rss_kib()?;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = server.rss_kib()?;
        if now == last {
            break;
        }
        last = now;
    }
    Ok(last)
}

/// Measurement 3: opens `sizes.connections` idle connections, each in its own session.
async fn memory(server: &ServerProcess, sizes: Sizes) -> BenchResult<Memory> {
    let addr = server.addr;
    let needed = sizes.connections as u64 + 64;
    if let Some(limit) = open_file_limit()
        && limit < needed
    {
        return Err(format!(
            "the open-file limit is {limit}, {needed} are needed for {} connections: raise it, \
             e.g. `ulimit -n 4096`, and run again",
            sizes.connections
        )
        .into());
    }
    // Warm up: the first session and connection touch code and allocator arenas once.
    let (cookie, _) = get_page(addr, "/", None).await?;
    Tab::open(addr, &cookie).await?.0.close().await?;
    let before = settled_rss(server).await?;

    // Session i counts from i + 1 (its page's `?start=`); its socket's URL has no `start`, so
    // a session mounted afresh there would show 0.
    let mut cookies = Vec::with_capacity(sizes.connections);
    for i in 1..=sizes.connections {
        let (cookie, page) = get_page(addr, &format!("/?start={i}"), None).await?;
        let count = count_in(&page)?;
        if count != i as i64 {
            return Err(format!("session {i}'s page shows {count}").into());
        }
        cookies.push(cookie);
    }
    let sessions = settled_rss(server).await?;

    let mut tabs = Vec::with_capacity(sizes.connections);
    for (i, cookie) in (1..).zip(&cookies) {
        let (tab, count) = Tab::open(addr, cookie)
            .await
            .map_err(|error| format!("opening connection {i}: {error}"))?;
        if count != i {
            return Err(format!(
                "connection {i} shows {count}, not its session's {i}: the server no longer \
                 held the session (a cap of Config evicted it?)"
            )
            .into());
        }
        tabs.push(tab);
    }
    let after = settled_rss(server).await?;
    for tab in tabs {
        tab.close().await?;
    }
    Ok(Memory {
        connections: sizes.connections,
        before,
        sessions,
        after,
    })
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

/// What was measured.
struct Results {
    actions: Samples,
    action_pings: Samples,
    fan_out: Samples,
    fan_out_pings: Samples,
    memory: Memory,
}

fn report(sizes: Sizes, results: &Results, elapsed: Duration) {
    let Results {
        actions,
        action_pings,
        fan_out,
        fan_out_pings,
        memory,
    } = results;
    println!("\n```sh\n{COMMAND}\n```\n");
    println!(
        "| measurement (client-measured, loopback) | samples | p50 µs | p90 µs | p99 µs | max µs |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, samples, count) in [
        (
            "1. action round trip (`increment`: send → reply)",
            actions,
            sizes.round_trips,
        ),
        (
            "heartbeat round trip, interleaved with 1 (baseline)",
            action_pings,
            sizes.round_trips,
        ),
        (
            "2. sync fan-out (tab 1 sends → tab 2 has its update)",
            fan_out,
            sizes.fan_outs,
        ),
        (
            "heartbeat round trip, interleaved with 2 (baseline)",
            fan_out_pings,
            sizes.fan_outs,
        ),
    ] {
        println!(
            "| {name} | {count} | {:.0} | {:.0} | {:.0} | {:.0} |",
            samples.quantile(0.5),
            samples.quantile(0.9),
            samples.quantile(0.99),
            samples.max()
        );
    }
    let (action, action_ping) = (actions.quantile(0.5), action_pings.quantile(0.5));
    let (fan_out, fan_out_ping) = (fan_out.quantile(0.5), fan_out_pings.quantile(0.5));
    println!(
        "\nServer-side estimates, p50 minus its baseline's p50: action {:.0} µs, sync fan-out \
         {:.0} µs.\nRatios of the p50s to their baselines': action {:.2}, sync fan-out {:.2}.",
        action - action_ping,
        fan_out - fan_out_ping,
        action / action_ping,
        fan_out / fan_out_ping
    );
    println!(
        "\n| 3. server RSS ({} idle connections, one session each) | KiB |\n|---|---:|",
        memory.connections
    );
    println!("| before (after one warm-up session) | {} |", memory.before);
    println!(
        "| after {} sessions (one page load each) | {} |",
        memory.connections, memory.sessions
    );
    println!(
        "| after one live connection per session | {} |",
        memory.after
    );
    println!("| **per session** | {:.1} |", memory.per_session());
    println!(
        "| **per idle connection** (its session excluded) | {:.1} |",
        memory.per_connection()
    );
    println!(
        "| **per idle connection with its own session** | {:.1} |",
        memory.per_both()
    );
    println!("\n(measured in {:.1} s)", elapsed.as_secs_f64());
    if sizes.round_trips < Sizes::FULL.round_trips {
        println!("(a quick run: use the command above for the real figures)");
    }
}

fn run_bench(sizes: Sizes) -> BenchResult {
    let started = Instant::now();
    let server = ServerProcess::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let results = runtime.block_on(async {
        // Memory first, while the server is fresh.
        let memory = memory(&server, sizes).await?;
        let (actions, action_pings) = round_trips(server.addr, sizes).await?;
        let (fan_out, fan_out_pings) = fan_out(server.addr, sizes).await?;
        BenchResult::Ok(Results {
            actions,
            action_pings,
            fan_out,
            fan_out_pings,
            memory,
        })
    })?;
    drop(server);
    report(sizes, &results, started.elapsed());
    Ok(())
}

fn main() -> ExitCode {
    if std::env::var_os(SERVER_ENV).is_some() {
        return match run_server() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("bench server: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let sizes = if args.iter().any(|a| a == "--bench") && !support::quick() {
        Sizes::FULL
    } else {
        Sizes::QUICK
    };
    match run_bench(sizes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server bench failed: {error}");
            ExitCode::FAILURE
        }
    }
}
