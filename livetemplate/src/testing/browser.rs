//! [`Browser`]: one browser's HTTP requests (hyper's client) and WebSocket connections
//! (tokio-tungstenite's), with its session cookie and the CSRF token of the last page.

use std::net::SocketAddr;
use std::pin::pin;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{COOKIE, HOST, HeaderName, HeaderValue, ORIGIN};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::{Tab, TestError, unexpected, within};
use crate::server::page::CSRF_FIELD;
use crate::wire::ClientKind;
use crate::wire::keys as k;

/// An HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
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

/// One browser: its session cookie (set by the first page), the other cookies the server set
/// (a plain POST's flash messages), and the CSRF token of the last page
/// it loaded. Clone it to open more tabs of the same session elsewhere.
///
/// A whole app, over real sockets: the page, a live tab and a plain form post.
///
/// ```
/// use askama::Template;
/// use livetemplate::LiveRouter;
/// use livetemplate::testing::{TestError, TestServer};
/// use livetemplate::{Context, LiveTemplate, live_controller};
///
/// #[derive(Clone, Template, LiveTemplate)]
/// #[template(
///     source = "<form method=\"post\"><output>{{ n }}</output><button name=\"bump\">+</button></form>",
///     ext = "html"
/// )]
/// struct Page { n: u32 }
///
/// struct Pages;
///
/// #[live_controller]
/// impl Pages {
///     async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Page> {
///         Ok(Page { n: 0 })
///     }
///     pub fn bump(&self, state: &mut Page, ctx: &mut Context) {
///         state.n += 1;
///         ctx.sync();
///     }
/// }
///
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// # runtime.block_on(async {
/// let server = TestServer::start(LiveRouter::new().route("/", Pages)).await?;
/// let mut browser = server.browser();
/// let page = browser.get("/").await?;
/// assert_eq!(page.status, 200);
///
/// let mut tab = browser.connect("/").await?;
/// tab.click("bump").await?;
/// assert!(tab.succeeded());
/// assert!(tab.html().contains("<output>1</output>"));
///
/// // Without JavaScript: the form posts with the page's CSRF token, 303 back to the page.
/// let posted = browser.post_form("/", &[("bump", "")]).await?;
/// assert_eq!(posted.status, 303);
/// tab.wait_until("the posted bump", |html| html.contains("<output>2</output>")).await?;
/// server.stop().await
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Browser {
    addr: SocketAddr,
    cookie: Option<String>,
    /// Other cookies, as `name=value`.
    others: Vec<String>,
    csrf: Option<String>,
}

impl Browser {
    /// A browser with no cookie, talking to `addr` (any server: a
    /// [`TestServer`](super::TestServer), or an axum application that mounts live pages).
    pub fn new(addr: SocketAddr) -> Self {
        Browser {
            addr,
            cookie: None,
            others: Vec::new(),
            csrf: None,
        }
    }

    /// The session cookie (`name=value`), once a page has set it.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Every cookie the browser holds, as one `Cookie` header value (`None` when it holds none).
    fn cookie_header(&self) -> Option<String> {
        let cookies: Vec<&str> = self
            .cookie
            .iter()
            .chain(&self.others)
            .map(String::as_str)
            .collect();
        (!cookies.is_empty()).then(|| cookies.join("; "))
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
            body.append_pair(CSRF_FIELD, token);
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
        if let Some(cookies) = self.cookie_header() {
            request = request.header(COOKIE, cookies);
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
        for (_, set) in response
            .headers
            .iter()
            .filter(|(name, _)| name == "set-cookie")
        {
            self.keep_cookie(set);
        }
        Ok(response)
    }

    /// Keeps (or, for an empty value or `Max-Age=0`, drops) the cookie of a `Set-Cookie`.
    fn keep_cookie(&mut self, set: &str) {
        let mut attributes = set.split(';');
        let pair = attributes.next().unwrap_or_default().trim();
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let deleted =
            value.is_empty() || attributes.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        let kept = (!deleted).then(|| pair.to_owned());
        if name == k::SESSION_COOKIE || name == k::SESSION_COOKIE_HOST {
            self.cookie = kept;
        } else {
            self.others
                .retain(|other| other.split_once('=').is_none_or(|(n, _)| n != name));
            self.others.extend(kept);
        }
    }

    /// Opens a live connection to `path` as our browser client does (`_lvt=1`), loading the
    /// page first when the browser has no session yet, and applies the first (full) tree.
    /// The handshake carries every cookie the browser holds, as a browser's does.
    pub async fn connect(&mut self, path: &str) -> Result<Tab, TestError> {
        self.connect_as(path, ClientKind::Livetemplate).await
    }

    /// Opens a live connection for the given client encoding (`Legacy`: without `_lvt=1`).
    pub async fn connect_as(&mut self, path: &str, kind: ClientKind) -> Result<Tab, TestError> {
        if self.cookie.is_none() {
            self.get(path).await?;
        }
        let url = match kind {
            ClientKind::Livetemplate => {
                let separator = if path.contains('?') { '&' } else { '?' };
                format!("ws://{}{path}{separator}{}=1", self.addr, k::CLIENT_PARAM)
            }
            _ => format!("ws://{}{path}", self.addr),
        };
        let mut request = url.into_client_request()?;
        let origin = HeaderValue::from_str(&format!("http://{}", self.addr))
            .map_err(|e| unexpected(e.to_string()))?;
        request.headers_mut().insert(ORIGIN, origin);
        // Every cookie, as a browser sends them with the handshake (an app's sign-in cookie
        // too, which an authenticator reads).
        if let Some(cookies) = self.cookie_header() {
            let cookie = HeaderValue::from_str(&cookies).map_err(|e| unexpected(e.to_string()))?;
            request.headers_mut().insert(COOKIE, cookie);
        }
        let stream = TcpStream::connect(self.addr).await?;
        let (socket, _) = within(
            &format!("the WebSocket handshake for {path}"),
            tokio_tungstenite::client_async(request, stream),
        )
        .await??;
        Tab::open(socket, kind).await
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
