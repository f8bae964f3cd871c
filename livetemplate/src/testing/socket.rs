//! A live app driven over real sockets: a [`TestServer`] on `127.0.0.1:0`, a [`Browser`] that
//! keeps the session cookie and posts forms with their CSRF token (HTTP through hyper's client
//! connection), and its [`Tab`]s — live WebSocket connections that apply every frame with the
//! reference client.
//!
//! Where [`LiveTest`](super::LiveTest) calls the controller directly, these go through HTTP and
//! the WebSocket exactly as a browser does, so they also cover routing, cookies, CSRF, the
//! Origin check, subscriptions, broadcasts and pushes between sessions. Every wait is bounded
//! by [`WAIT`]: a server that stops answering fails the test instead of hanging it.
//!
//! ```no_run
//! # use livetemplate::server::LiveRouter;
//! # use livetemplate::testing::{TestError, TestServer};
//! # async fn run(router: LiveRouter) -> Result<(), TestError> {
//! let server = TestServer::start(router).await?;
//! let mut browser = server.browser();
//! let page = browser.get("/").await?;
//! assert_eq!(page.status, 200);
//! let mut tab = browser.connect("/").await?;
//! tab.send("increment", serde_json::json!({})).await?;
//! assert!(tab.html()?.contains("<output>1</output>"));
//! server.stop().await
//! # }
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::header::{COOKIE, HOST, HeaderName, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::{ClientTree, ServerFrame, TestError};
use crate::server::LiveRouter;
use crate::wire::ClientKind;

/// The longest any single wait (a response, a frame) may take.
pub const WAIT: Duration = Duration::from_secs(5);

/// `future`, or [`TestError::Timeout`] naming `what` after [`WAIT`].
async fn within<F: Future>(what: &str, future: F) -> Result<F::Output, TestError> {
    tokio::time::timeout(WAIT, future)
        .await
        .map_err(|_| TestError::Timeout(what.to_owned()))
}

fn unexpected(what: impl Into<String>) -> TestError {
    TestError::Unexpected(what.into())
}

/// A [`LiveRouter`] served on an ephemeral port of `127.0.0.1` until [`stop`](Self::stop).
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// Serves `router` (with [`serve_listener`](crate::server::serve_listener)).
    pub async fn start(router: LiveRouter) -> Result<TestServer, TestError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(crate::server::serve_listener(listener, router, async {
            let _ = stopped.await;
        }));
        Ok(TestServer { addr, stop, task })
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A new browser (no cookie yet) pointed at this server.
    pub fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    /// Shuts the server down (live connections are closed with 1001) and waits for it.
    pub async fn stop(self) -> Result<(), TestError> {
        let _ = self.stop.send(());
        within("the server to shut down", self.task)
            .await?
            .map_err(|error| unexpected(format!("the server task failed: {error}")))??;
        Ok(())
    }
}

/// An HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Response {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// One browser: its session cookie (set by the first page) and the CSRF token of the last page
/// it loaded. Clone it to open more tabs of the same session elsewhere.
#[derive(Debug, Clone)]
pub struct Browser {
    addr: SocketAddr,
    cookie: Option<String>,
    csrf: Option<String>,
}

impl Browser {
    /// A browser with no cookie, talking to `addr` (any server: a [`TestServer`], or an axum
    /// application that mounts live pages).
    pub fn new(addr: SocketAddr) -> Self {
        Browser {
            addr,
            cookie: None,
            csrf: None,
        }
    }

    /// The session cookie (`name=value`), once a page has set it.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Loads `path` as HTML; keeps the cookie and the page's CSRF token.
    pub async fn get(&mut self, path: &str) -> Result<Response, TestError> {
        let response = self
            .request("GET", path, &[("Accept", "text/html")], "")
            .await?;
        let token = response
            .body
            .split_once("<meta name=\"csrf-token\" content=\"")
            .and_then(|(_, rest)| rest.split('"').next());
        if let Some(token) = token {
            self.csrf = Some(token.to_owned());
        }
        Ok(response)
    }

    /// Posts a plain HTML form (urlencoded, as without JavaScript) to `path`, adding the CSRF
    /// token of the last page loaded (loading `path` first when none was).
    pub async fn post_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<Response, TestError> {
        if self.csrf.is_none() {
            self.get(path).await?;
        }
        let mut body = form_urlencoded::Serializer::new(String::new());
        if let Some(token) = &self.csrf {
            body.append_pair(crate::server::page::CSRF_FIELD, token);
        }
        body.extend_pairs(fields);
        let body = body.finish();
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &body,
        )
        .await
    }

    /// Sends one HTTP/1.1 request on a new connection, with this browser's cookie (and `Host`
    /// and `Content-Length`), and reads the whole response; keeps the cookie it sets.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Response, TestError> {
        let invalid = |what: &str, error: &dyn std::fmt::Display| {
            unexpected(format!("the test's {what} cannot be sent: {error}"))
        };
        let method = Method::from_bytes(method.as_bytes()).map_err(|e| invalid("method", &e))?;
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(HOST, self.addr.to_string());
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        for (name, value) in headers {
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid("header", &e))?;
            let value = HeaderValue::from_str(value).map_err(|e| invalid("header", &e))?;
            request = request.header(name, value);
        }
        let request = request
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .map_err(|e| invalid("request", &e))?;
        let response = within(&format!("{method} {path}"), exchange(self.addr, request)).await??;
        if let Some(cookie) = response
            .header("set-cookie")
            .and_then(|value| value.split(';').next())
        {
            self.cookie = Some(cookie.to_owned());
        }
        Ok(response)
    }

    /// Opens a live connection to `path` as our browser client does (`_lvt=1`), loading the
    /// page first when the browser has no session yet, and applies the first (full) tree.
    pub async fn connect(&mut self, path: &str) -> Result<Tab, TestError> {
        self.connect_as(path, ClientKind::Livetemplate).await
    }

    /// Opens a live connection for the given client encoding (`Legacy`: without `_lvt=1`).
    pub async fn connect_as(&mut self, path: &str, kind: ClientKind) -> Result<Tab, TestError> {
        if self.cookie.is_none() {
            self.get(path).await?;
        }
        let url = match kind {
            ClientKind::Livetemplate if path.contains('?') => {
                format!("ws://{}{path}&_lvt=1", self.addr)
            }
            ClientKind::Livetemplate => format!("ws://{}{path}?_lvt=1", self.addr),
            _ => format!("ws://{}{path}", self.addr),
        };
        let mut request = url.into_client_request()?;
        let origin = HeaderValue::from_str(&format!("http://{}", self.addr))
            .map_err(|e| unexpected(e.to_string()))?;
        request.headers_mut().insert("origin", origin);
        if let Some(cookie) = &self.cookie {
            let cookie = HeaderValue::from_str(cookie).map_err(|e| unexpected(e.to_string()))?;
            request.headers_mut().insert("cookie", cookie);
        }
        let stream = TcpStream::connect(self.addr).await?;
        let (socket, _) = within(
            &format!("the WebSocket handshake for {path}"),
            tokio_tungstenite::client_async(request, stream),
        )
        .await??;
        let mut tab = Tab {
            socket,
            client: ClientTree::new(kind),
            reference: 0,
        };
        let first = tab.next_frame().await?;
        if !first["tree"].is_object() {
            return Err(unexpected(format!("the first frame has no tree: {first}")));
        }
        Ok(tab)
    }
}

/// One request on a new connection to `addr`, through hyper's HTTP/1.1 client; the response
/// is read whole.
async fn exchange(addr: SocketAddr, request: Request<Full<Bytes>>) -> Result<Response, TestError> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let mut connection = pin!(connection);
    let mut answer = pin!(async move {
        let response = sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok::<_, hyper::Error>((parts, body))
    });
    // The connection does the I/O while the request is answered. It may finish first (the
    // server closed it after the response); the response is then read from what it buffered.
    let (parts, body) = tokio::select! {
        answer = &mut answer => answer?,
        closed = &mut connection => {
            closed?;
            answer.await?
        }
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    Ok(Response {
        status: parts.status.as_u16(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// One live connection (a browser tab). Every frame received is applied to its reference
/// client, so [`html`](Self::html) is what the tab shows.
#[derive(Debug)]
pub struct Tab {
    socket: WebSocketStream<TcpStream>,
    client: ClientTree,
    reference: u64,
}

impl Tab {
    /// What the tab shows: the live region's HTML.
    pub fn html(&self) -> Result<String, TestError> {
        self.client.html().map_err(TestError::Client)
    }

    /// Sends `action` with `data` (a JSON object: form fields or an element's data) and waits
    /// for its reply, applying any update that arrives first; returns the reply frame.
    pub async fn send(&mut self, action: &str, data: Value) -> Result<Value, TestError> {
        self.reference += 1;
        let reference = self.reference;
        let message = json!({"action": action, "data": data, "ref": reference});
        within(
            &format!("sending {action}"),
            self.socket.send(Message::Text(message.to_string().into())),
        )
        .await??;
        loop {
            let frame = self.next_frame().await?;
            if frame["ref"] == json!(reference) || frame.get("type") == Some(&json!("error")) {
                return Ok(frame);
            }
        }
    }

    /// Waits for the next frame, applies its tree (if any) and returns it whole, in the plain
    /// object form of `PROTOCOL.md` whichever envelope it came in (see [`ServerFrame`]).
    pub async fn next_frame(&mut self) -> Result<Value, TestError> {
        loop {
            let message = within("the next frame", self.socket.next())
                .await?
                .ok_or_else(|| unexpected("the connection closed"))??;
            let text = match message {
                Message::Text(text) => text,
                Message::Close(frame) => {
                    return Err(unexpected(format!("the server closed: {frame:?}")));
                }
                _ => continue,
            };
            // Either envelope (our client's updates come as `[ref, tree]`); returned in the
            // plain object form so tests read `frame["ref"]`, `frame["meta"]` alike.
            let frame = ServerFrame::parse(text.as_str())
                .map_err(|e| unexpected(format!("not a server frame ({e}): {text}")))?
                .to_object();
            if let Some(tree) = frame.get("tree") {
                self.client
                    .apply(&tree.to_string())
                    .map_err(TestError::Client)?;
            }
            return Ok(frame);
        }
    }

    /// Applies frames until the tab's HTML satisfies `shows` (checked first on what it shows
    /// now); fails after [`WAIT`] with the last HTML.
    pub async fn wait_until(
        &mut self,
        what: &str,
        mut shows: impl FnMut(&str) -> bool,
    ) -> Result<String, TestError> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let html = self.html()?;
            if shows(&html) {
                return Ok(html);
            }
            match tokio::time::timeout_at(deadline, self.next_frame()).await {
                Ok(frame) => {
                    frame?;
                }
                Err(_) => {
                    return Err(TestError::Timeout(format!("{what}; the tab shows: {html}")));
                }
            }
        }
    }

    /// Closes the connection (the server runs `on_disconnect`).
    pub async fn close(mut self) -> Result<(), TestError> {
        within("closing the socket", self.socket.close(None)).await??;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, live_controller};

    #[derive(Debug, Clone, askama::Template, crate::LiveTemplate)]
    #[template(
        source = "<form method=\"post\"><output>{{ n }}</output><button name=\"bump\">+</button></form>",
        ext = "html"
    )]
    struct Page {
        n: u32,
    }

    struct Pages;

    #[live_controller]
    impl Pages {
        async fn mount(&self, _ctx: &mut Context) -> crate::Result<Page> {
            Ok(Page { n: 0 })
        }

        pub(crate) fn bump(&self, state: &mut Page, ctx: &mut Context) {
            state.n += 1;
            ctx.sync();
        }
    }

    #[tokio::test]
    async fn a_browser_posts_forms_and_its_tabs_follow() -> Result<(), TestError> {
        let server = TestServer::start(LiveRouter::new().route("/", Pages)).await?;
        let mut browser = server.browser();
        let mut tab = browser.connect("/").await?;
        assert!(browser.cookie().is_some(), "connect loads the page first");
        assert!(
            tab.html()?.contains("<output>0</output>"),
            "{}",
            tab.html()?
        );

        let reply = tab.send("bump", json!({})).await?;
        assert_eq!(reply["ref"], json!(1), "{reply}");
        assert!(tab.html()?.contains("<output>1</output>"));

        // Without JavaScript: the form posts with the page's CSRF token, 303 back to the page.
        let answer = browser.post_form("/", &[("bump", "")]).await?;
        assert_eq!(answer.status, 303, "{answer:?}");
        tab.wait_until("the posted bump", |html| {
            html.contains("<output>2</output>")
        })
        .await?;

        // Another browser is another session.
        let other = server.browser().get("/").await?;
        assert!(other.body.contains("<output>0</output>"), "{}", other.body);
        tab.close().await?;
        server.stop().await
    }

    #[tokio::test]
    async fn http_answers_are_read_whole_by_hyper() -> Result<(), TestError> {
        let server = TestServer::start(LiveRouter::new().route("/", Pages)).await?;
        let mut browser = server.browser();
        let missing = browser.get("/nowhere").await?;
        assert_eq!(missing.status, 404, "{missing:?}");
        // HEAD: the headers and no body.
        let probe = browser.request("HEAD", "/", &[], "").await?;
        assert_eq!(probe.status, 200, "{probe:?}");
        assert!(probe.body.is_empty(), "{probe:?}");
        assert_eq!(
            probe.header("X-Livetemplate-Websocket"),
            Some("enabled"),
            "{probe:?}"
        );
        // Without the page's token a form post is refused.
        let forged = browser
            .request(
                "POST",
                "/",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                "bump=",
            )
            .await?;
        assert_eq!(forged.status, 403, "{forged:?}");
        // A request no client could send is the test's mistake, said before connecting.
        let bad = browser
            .request("GET", "/", &[("bad header", "x")], "")
            .await;
        assert!(matches!(bad, Err(TestError::Unexpected(_))), "{bad:?}");
        server.stop().await
    }
}
