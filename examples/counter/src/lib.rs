//! A shared counter served as a plain HTML page over hyper: `GET /` renders, `POST /` acts.
//!
//! This is the no-JavaScript version of the counter: every click posts the form, the server
//! applies the action and redirects back (`303 See Other`), and the page is rendered again from
//! the live tree. When the livetemplate server lands, the same template becomes a live view.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use askama::Template;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use livetemplate::LiveTemplate;
use tokio::net::TcpListener;

/// The largest form body `POST /` accepts; larger ones are answered with `413`.
pub const MAX_BODY: usize = 4 * 1024;

/// The page state: what the template shows.
#[derive(Debug, Template, LiveTemplate)]
#[template(path = "counter.html")]
pub struct Counter {
    /// The current count.
    pub count: i64,
}

/// Serves the counter on `listener` until `shutdown` completes, then waits for open
/// connections to finish their requests.
///
/// Each call starts with its own counter at zero. Accept errors and connection errors are logged
/// and never end the server.
pub async fn run(listener: TcpListener, shutdown: impl Future<Output = ()>) {
    let count = Arc::new(AtomicI64::new(0));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let count = Arc::clone(&count);
        let service = service_fn(move |request| handle(request, Arc::clone(&count)));
        let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection closed with an error");
            }
        });
    }
    tracing::info!("shutting down");
    graceful.shutdown().await;
}

/// Routes one request. Never fails: every problem becomes an HTTP status.
async fn handle(
    request: Request<Incoming>,
    count: Arc<AtomicI64>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.uri().path() != "/" {
        return Ok(plain(StatusCode::NOT_FOUND, "not found"));
    }
    let response = match *request.method() {
        Method::GET => page(count.load(Ordering::Relaxed)),
        Method::POST => act(request, &count).await,
        _ => {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, POST"));
            response
        }
    };
    Ok(response)
}

/// Renders the page for `count`: the live tree's HTML inside a minimal HTML5 document.
fn page(count: i64) -> Response<Full<Bytes>> {
    let tree = match LiveTemplate::render(&Counter { count }) {
        Ok(tree) => tree,
        Err(error) => {
            tracing::error!(%error, "render failed");
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "render failed");
        }
    };
    let mut html = String::from(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>Counter</title>\n</head>\n<body>\n",
    ));
    tree.write_html(&mut html);
    html.push_str("\n</body>\n</html>\n");
    let mut response = Response::new(Full::new(Bytes::from(html)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// Applies the action named by the posted form and redirects to `/`.
async fn act(request: Request<Incoming>, count: &AtomicI64) -> Response<Full<Bytes>> {
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(error) if error.is::<LengthLimitError>() => {
            return plain(StatusCode::PAYLOAD_TOO_LARGE, "form body too large");
        }
        Err(error) => {
            tracing::warn!(%error, "reading the form body failed");
            return plain(StatusCode::BAD_REQUEST, "could not read the form body");
        }
    };
    let Some(action) = form_urlencoded::parse(&body).find_map(|(name, _)| Action::parse(&name))
    else {
        return plain(StatusCode::BAD_REQUEST, "unknown action");
    };
    // The closure always returns `Some`, so this is always `Ok`; both arms hold the old count.
    let (Ok(previous) | Err(previous)) =
        count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
            Some(action.apply(n))
        });
    tracing::info!(?action, count = action.apply(previous), "applied");
    let mut response = plain(StatusCode::SEE_OTHER, "");
    response
        .headers_mut()
        .insert(LOCATION, HeaderValue::from_static("/"));
    response
}

/// What a button of the form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Increment,
    Decrement,
    Reset,
}

impl Action {
    /// The action a button `name` stands for, if any.
    fn parse(name: &str) -> Option<Self> {
        match name {
            "increment" => Some(Action::Increment),
            "decrement" => Some(Action::Decrement),
            "reset" => Some(Action::Reset),
            _ => None,
        }
    }

    /// The count after the action; saturates instead of overflowing.
    fn apply(self, count: i64) -> i64 {
        match self {
            Action::Increment => count.saturating_add(1),
            Action::Decrement => count.saturating_sub(1),
            Action::Reset => 0,
        }
    }
}

/// A plain-text response with `status`.
fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_saturate() {
        assert_eq!(Action::parse("increment"), Some(Action::Increment));
        assert_eq!(Action::parse("explode"), None);
        assert_eq!(Action::Increment.apply(i64::MAX), i64::MAX);
        assert_eq!(Action::Decrement.apply(i64::MIN), i64::MIN);
        assert_eq!(Action::Reset.apply(42), 0);
    }

    #[test]
    fn live_tree_matches_askama() -> Result<(), askama::Error> {
        let state = Counter { count: -3 };
        let tree = LiveTemplate::render(&state)?;
        assert_eq!(tree.to_html(), Template::render(&state)?);
        assert!(tree.to_html().contains("<output>-3</output>"));
        Ok(())
    }
}
