//! One HTTP/1.1 request for the socket and Redis tests, on top of
//! [`livetemplate::testing::Browser::request`] but with no cookie jar: a test passes the
//! `Cookie` header itself and sees exactly what the server sent.

use std::net::SocketAddr;

use livetemplate::testing::Browser;
pub use livetemplate::testing::Response;
use serde_json::Value;

/// What these helpers fail with.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// What the tests read from a response besides its status and headers.
pub trait ResponseExt {
    /// `livetemplate-id=<value>` from `Set-Cookie`.
    fn session_cookie(&self) -> Option<String>;
    /// The body as JSON.
    fn json(&self) -> Result<Value, Error>;
}

impl ResponseExt for Response {
    fn session_cookie(&self) -> Option<String> {
        let set = self.header("set-cookie")?;
        let pair = set.split(';').next()?.trim();
        pair.starts_with("livetemplate-id=")
            .then(|| pair.to_owned())
    }

    fn json(&self) -> Result<Value, Error> {
        Ok(serde_json::from_str(&self.body)?)
    }
}

/// Sends one request to `addr` on a new connection with exactly these `headers` (plus `Host`
/// and the body's `Content-Length`, which hyper's client adds) and reads the whole response.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Response, Error> {
    Ok(Browser::new(addr)
        .request(method, path, headers, body)
        .await?)
}
