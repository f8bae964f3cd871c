//! The app `.ci/package-check` builds against the unpacked `.crate` files: it serves a live
//! page from the packaged `livetemplate` on `127.0.0.1:0`, GETs the page and the client bundle,
//! and checks that the bundle served is the file inside the package. Exits 0 when every check
//! passes, 1 (with the reason on stderr) when one fails.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use livetemplate::server::{CLIENT_PATH, LiveRouter, serve_listener};
use livetemplate::{Context, LiveTemplate, live_controller};

/// The environment variable naming the bundle file inside the unpacked package.
const BUNDLE_ENV: &str = "PACKAGED_BUNDLE";

/// How long the server may take to answer a request, or to stop.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The page's state.
#[derive(Clone, LiveTemplate)]
#[template(path = "hello.html")]
struct Hello {
    count: i64,
}

/// The page's actions.
struct HelloController;

#[live_controller]
impl HelloController {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Hello> {
        Ok(Hello { count: 0 })
    }

    pub fn increment(&self, state: &mut Hello, _ctx: &mut Context) {
        state.count += 1;
    }
}

/// Why a check failed.
#[derive(Debug)]
enum CheckError {
    /// `PACKAGED_BUNDLE` is not set.
    NoBundlePath,
    /// Reading the packaged bundle, binding or connecting failed.
    Io {
        what: String,
        source: std::io::Error,
    },
    /// The request could not be built.
    Request(hyper::http::Error),
    /// The HTTP exchange for `path` failed.
    Http {
        path: &'static str,
        source: hyper::Error,
    },
    /// The server took longer than [`TIMEOUT`] to do `what`.
    Timeout { what: &'static str },
    /// The server task panicked or was cancelled.
    Server(tokio::task::JoinError),
    /// A response (or the package) is not what it should be.
    Unexpected { what: &'static str, found: String },
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::NoBundlePath => write!(
                f,
                "{BUNDLE_ENV} is not set (the path of client/livetemplate.min.js in the \
                 unpacked livetemplate package); run this through .ci/package-check"
            ),
            CheckError::Io { what, source } => write!(f, "{what}: {source}"),
            CheckError::Request(source) => write!(f, "building a request: {source}"),
            CheckError::Http { path, source } => write!(f, "GET {path}: {source}"),
            CheckError::Timeout { what } => {
                write!(f, "the server did not {what} within {TIMEOUT:?}")
            }
            CheckError::Server(source) => write!(f, "the server task failed: {source}"),
            CheckError::Unexpected { what, found } => write!(f, "{what}; found: {found}"),
        }
    }
}

impl std::error::Error for CheckError {}

/// One response, read whole.
struct Fetched {
    status: StatusCode,
    content_type: String,
    body: Bytes,
}

#[tokio::main]
async fn main() -> ExitCode {
    match check().await {
        Ok(()) => {
            println!("package-app: all checks passed");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("package-app: FAILED: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Reads the packaged bundle, serves the app, checks both responses, and stops the server
/// (also when a check failed).
async fn check() -> Result<(), CheckError> {
    let bundle_path = std::env::var_os(BUNDLE_ENV)
        .map(PathBuf::from)
        .ok_or(CheckError::NoBundlePath)?;
    let packaged = std::fs::read(&bundle_path).map_err(|source| CheckError::Io {
        what: format!("reading {}", bundle_path.display()),
        source,
    })?;
    if packaged.is_empty() {
        return Err(CheckError::Unexpected {
            what: "the package's bundle should not be empty",
            found: bundle_path.display().to_string(),
        });
    }
    println!(
        "package-app: the package's bundle: {} ({} bytes)",
        bundle_path.display(),
        packaged.len()
    );

    let io = |what: &str| {
        let what = what.to_owned();
        move |source| CheckError::Io { what, source }
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(io("binding 127.0.0.1:0"))?;
    let addr = listener
        .local_addr()
        .map_err(io("reading the bound address"))?;
    let router = LiveRouter::new().route("/", HelloController);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_listener(listener, router, async {
        // A dropped sender stops the server too.
        let _ = stopped.await;
    }));
    println!("package-app: serving the LiveRouter on http://{addr}/");

    let checked = check_responses(addr, &packaged).await;
    // The receiver is gone only if the server already stopped; awaiting it says why.
    let _ = stop.send(());
    let served = tokio::time::timeout(TIMEOUT, server)
        .await
        .map_err(|_| CheckError::Timeout { what: "stop" })?
        .map_err(CheckError::Server)?;
    checked?;
    served.map_err(io("serving"))?;
    println!("package-app: the server stopped");
    Ok(())
}

/// GETs the page and the client bundle from the server at `addr`.
async fn check_responses(addr: SocketAddr, packaged: &[u8]) -> Result<(), CheckError> {
    let page = get(addr, "/").await?;
    let html = String::from_utf8_lossy(&page.body);
    let script = format!("<script src=\"{CLIENT_PATH}\" defer></script>");
    if page.status != StatusCode::OK
        || !html.contains("Count: <output>0</output>")
        || !html.contains(&script)
    {
        return Err(CheckError::Unexpected {
            what: "GET / should be 200 with the rendered template and the client's <script>",
            found: format!("{} {html}", page.status),
        });
    }
    println!(
        "package-app: GET / -> {}, {} bytes: the template rendered, the page loads {CLIENT_PATH}",
        page.status,
        page.body.len()
    );

    let bundle = get(addr, CLIENT_PATH).await?;
    if bundle.status != StatusCode::OK || !bundle.content_type.contains("javascript") {
        return Err(CheckError::Unexpected {
            what: "the client bundle should be served as JavaScript",
            found: format!("{} {:?}", bundle.status, bundle.content_type),
        });
    }
    if bundle.body.len() != packaged.len() || bundle.body != packaged {
        return Err(CheckError::Unexpected {
            what: "the served bundle should be the package's client/livetemplate.min.js",
            found: format!(
                "{} bytes served, {} bytes in the package",
                bundle.body.len(),
                packaged.len()
            ),
        });
    }
    // The bundle's entry defines the global the pages' scripts use (livetemplate-client's
    // src/global.js); an empty or placeholder file would not.
    if !String::from_utf8_lossy(&bundle.body).contains(".LiveTemplate=") {
        return Err(CheckError::Unexpected {
            what: "the bundle should define the global LiveTemplate",
            found: format!("{} bytes without it", bundle.body.len()),
        });
    }
    println!(
        "package-app: GET {CLIENT_PATH} -> {}, {}, {} bytes: the package's bundle, byte for byte",
        bundle.status,
        bundle.content_type,
        bundle.body.len()
    );
    Ok(())
}

/// `GET path` over a new HTTP/1.1 connection to `addr` (hyper's client connection).
async fn get(addr: SocketAddr, path: &'static str) -> Result<Fetched, CheckError> {
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|source| CheckError::Io {
                what: format!("connecting to {addr}"),
                source,
            })?;
        let http = |source| CheckError::Http { path, source };
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(http)?;
        // The connection's own errors also fail `send_request` or the body, reported there.
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        let request = Request::get(path)
            .header(header::HOST, addr.to_string())
            .body(Empty::<Bytes>::new())
            .map_err(CheckError::Request)?;
        let response = sender.send_request(request).await.map_err(http)?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_default();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(http)?
            .to_bytes();
        drop(sender);
        driver.abort();
        Ok(Fetched {
            status,
            content_type,
            body,
        })
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| CheckError::Timeout { what: "answer" })?
}
