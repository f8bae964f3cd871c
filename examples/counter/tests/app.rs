//! The whole counter app over real sockets, as a browser uses it: the page, a live tab, and a
//! plain form post without JavaScript.

use counter::router;
use livetemplate::testing::{TestError, TestServer};

#[tokio::test]
async fn the_page_a_live_tab_and_a_form_post() -> Result<(), TestError> {
    let server = TestServer::start(router()).await?;
    let mut browser = server.browser();

    // The page, as HTML (this also sets the browser's session cookie).
    let page = browser.get("/").await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<output>0</output>"), "{}", page.body);

    // A live tab: an action over the WebSocket, and what the tab then shows.
    let mut tab = browser.connect("/").await?;
    tab.click("increment").await?;
    assert!(tab.succeeded());
    assert!(tab.html().contains("<output>1</output>"), "{}", tab.html());

    // Without JavaScript: the form posts (with the page's CSRF token) and is redirected back.
    let posted = browser.post_form("/", &[("increment", "")]).await?;
    assert_eq!(posted.status, 303);
    assert_eq!(posted.header("location"), Some("/"));
    let page = browser.get("/").await?;
    assert!(page.body.contains("<output>2</output>"), "{}", page.body);
    // The open tab follows: the action calls `ctx.sync()`.
    tab.wait_until("the posted increment", |html| {
        html.contains("<output>2</output>")
    })
    .await?;

    server.stop().await
}
