//! End-to-end tests of the counter over a real socket on `127.0.0.1:0`, with raw HTTP/1.1.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A counter server on an ephemeral port, stopped by [`Server::stop`].
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(counter::run(listener, async {
            let _ = stopped.await;
        }));
        Ok(Server { addr, stop, task })
    }

    /// Shuts the server down and checks that it finishes promptly.
    async fn stop(self) -> TestResult {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(5), self.task).await??;
        Ok(())
    }
}

/// A parsed HTTP/1.1 response.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request with `Connection: close` and reads the whole response.
async fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> TestResult<Response> {
    let mut stream = TcpStream::connect(addr).await?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw)).await??;
    let raw = String::from_utf8(raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").ok_or("no end of headers")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("empty response")?;
    let status = status_line
        .split(' ')
        .nth(1)
        .ok_or("no status code")?
        .parse()?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// The `<output>` value on the page.
fn count(page: &Response) -> Option<&str> {
    let start = page.body.find("<output>")? + "<output>".len();
    let end = start + page.body[start..].find("</output>")?;
    Some(&page.body[start..end])
}

/// A variant of `Result` whose error is any error, so tests can use `?` on everything.
type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

#[tokio::test]
async fn get_post_redirect_get_changes_the_count() -> TestResult {
    let server = Server::start().await?;

    let page = request(server.addr, "GET", "/", "").await?;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.starts_with("<!DOCTYPE html>"), "{}", page.body);
    assert!(page.body.contains("<button name=\"increment\">+</button>"));
    assert_eq!(count(&page), Some("0"));

    for _ in 0..2 {
        let posted = request(server.addr, "POST", "/", "increment=").await?;
        assert_eq!(posted.status, 303);
        assert_eq!(posted.header("location"), Some("/"));
    }
    let posted = request(server.addr, "POST", "/", "decrement=").await?;
    let location = posted.header("location").ok_or("no Location")?;
    let page = request(server.addr, "GET", location, "").await?;
    assert_eq!(count(&page), Some("1"));

    request(server.addr, "POST", "/", "reset=").await?;
    let page = request(server.addr, "GET", "/", "").await?;
    assert_eq!(count(&page), Some("0"));

    server.stop().await
}

#[tokio::test]
async fn bad_requests_get_clear_statuses() -> TestResult {
    let server = Server::start().await?;

    assert_eq!(request(server.addr, "GET", "/nope", "").await?.status, 404);
    assert_eq!(request(server.addr, "DELETE", "/", "").await?.status, 405);
    assert_eq!(
        request(server.addr, "POST", "/", "explode=").await?.status,
        400
    );

    // One byte over the limit, so the server has read it all when it refuses it.
    let big = format!("increment=&pad={}", "x".repeat(counter::MAX_BODY - 14));
    assert_eq!(request(server.addr, "POST", "/", &big).await?.status, 413);

    // None of that changed the count, and the server still serves.
    let page = request(server.addr, "GET", "/", "").await?;
    assert_eq!(count(&page), Some("0"));

    server.stop().await
}
