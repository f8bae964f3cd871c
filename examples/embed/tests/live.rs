//! The axum application over real sockets: its own routes answer as before, and the live page
//! mounted next to them serves its page, its client script, plain form POSTs and the live
//! WebSocket through axum's server.

use livetemplate::server::CLIENT_PATH;
use livetemplate::testing::{Browser, TestError};
use tokio::net::TcpListener;

#[tokio::test]
async fn axum_routes_and_live_pages_share_one_server() -> Result<(), TestError> {
    let live = embed::live_pages();
    let app = embed::app(live.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
                live.close_live_connections();
            })
            .await
    });

    let mut browser = Browser::new(addr);
    let health = browser.get("/health").await?;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let index = browser.get("/").await?;
    assert!(
        index.body.contains("href=\"/live/hello\""),
        "{}",
        index.body
    );
    assert!(
        browser.cookie().is_none(),
        "axum's own pages set no session"
    );
    let script = browser.get(CLIENT_PATH).await?;
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/javascript"))
    );

    let page = browser.get(embed::HELLO_PATH).await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(CLIENT_PATH), "the page loads the client");
    assert!(!page.body.contains("<output>"), "{}", page.body);

    let mut tab = browser.connect(embed::HELLO_PATH).await?;
    tab.submit("greet", &[("name", "Ferris")]).await?;
    assert!(
        tab.html().contains("<output>Hello, Ferris!</output>"),
        "{}",
        tab.html()
    );

    // Without JavaScript: the form posts, axum passes it on, the page is redirected back.
    let posted = browser
        .post_form(embed::HELLO_PATH, &[("name", ""), ("greet", "")])
        .await?;
    assert_eq!(posted.status, 303, "{posted:?}");
    assert_eq!(posted.header("location"), Some(embed::HELLO_PATH));
    tab.wait_until("the posted greeting", |html| html.contains("Hello, world!"))
        .await?;
    let page = browser.get(embed::HELLO_PATH).await?;
    assert!(page.body.contains("2 greetings so far"), "{}", page.body);

    let missing = browser.get("/nowhere").await?;
    assert_eq!(missing.status, 404);

    let _ = stop.send(());
    tokio::time::timeout(livetemplate::testing::WAIT, server)
        .await
        .map_err(|_| TestError::Timeout("axum to shut down".into()))?
        .map_err(|e| TestError::Unexpected(e.to_string()))??;
    Ok(())
}
