//! `LiveRouter` inside an existing axum application: ordinary routes next to live pages, the
//! page, a plain form POST and the live WebSocket all through axum's server.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use livetemplate::LiveRouter;
use livetemplate::{Context, LiveTemplate, live_controller};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "server/embedded.html")]
struct Embedded {
    count: i64,
}

struct EmbeddedController;

#[live_controller]
impl EmbeddedController {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Embedded> {
        Ok(Embedded { count: 0 })
    }

    pub(crate) fn increment(&self, state: &mut Embedded, _ctx: &mut Context) {
        state.count += 1;
    }
}

async fn get(port: u16, path: &str, cookie: Option<&str>) -> TestResult<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n{cookie}Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut response)).await??;
    Ok(response)
}

#[tokio::test]
async fn live_pages_mount_in_an_axum_app() -> TestResult {
    let live = LiveRouter::new().route("/live/counter", EmbeddedController);
    let app = axum::Router::new()
        .route("/hello", axum::routing::get(|| async { "hello from axum" }))
        .fallback_service(live);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let hello = get(port, "/hello", None).await?;
    assert!(hello.ends_with("hello from axum"), "{hello}");

    let page = get(port, "/live/counter", None).await?;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<span id=\"count\">0</span>"), "{page}");
    let cookie = page
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .and_then(|value| value.split(';').next())
        .ok_or("no session cookie")?
        .to_owned();

    // The live connection upgrades through axum's server.
    let mut request = format!("ws://127.0.0.1:{port}/live/counter?_lvt=1").into_client_request()?;
    request.headers_mut().insert("cookie", cookie.parse()?);
    request
        .headers_mut()
        .insert("origin", format!("http://127.0.0.1:{port}").parse()?);
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let (mut socket, _) =
        tokio::time::timeout(WAIT, tokio_tungstenite::client_async(request, stream)).await??;
    let first = tokio::time::timeout(WAIT, socket.next())
        .await?
        .ok_or("closed")??;
    let first: Value = serde_json::from_str(first.to_text()?)?;
    assert!(first["tree"]["s"].is_array(), "{first}");
    socket
        .send(Message::Text(r#"{"action":"increment","ref":1}"#.into()))
        .await?;
    let reply = tokio::time::timeout(WAIT, socket.next())
        .await?
        .ok_or("closed")??;
    // Our client's short envelope `[ref, tree]`; the count is a whole number, so a number.
    let reply: Value = serde_json::from_str(reply.to_text()?)?;
    assert_eq!(reply, serde_json::json!([1, {"0": 1}]), "{reply}");

    let page = get(port, "/live/counter", Some(&cookie)).await?;
    assert!(page.contains("<span id=\"count\">1</span>"), "{page}");

    drop(socket);
    let _ = stop.send(());
    tokio::time::timeout(WAIT, server).await???;
    Ok(())
}
