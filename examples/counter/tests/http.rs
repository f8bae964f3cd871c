//! The counter's HTTP answers besides the page: a form post without the page's CSRF token is
//! refused and changes nothing, and an unknown path is a 404.

use livetemplate::testing::{TestError, TestServer};

#[tokio::test]
async fn forged_posts_and_unknown_paths_are_refused() -> Result<(), TestError> {
    let server = TestServer::start(counter::router()).await?;
    let mut browser = server.browser();
    let page = browser.get("/").await?;
    assert!(page.body.contains("<output>0</output>"), "{}", page.body);

    // The session cookie but no CSRF token: 403, and the count stays.
    let forged = browser
        .request(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "increment=",
        )
        .await?;
    assert_eq!(forged.status, 403, "{forged:?}");
    let page = browser.get("/").await?;
    assert!(page.body.contains("<output>0</output>"), "{}", page.body);

    let missing = browser.get("/nope").await?;
    assert_eq!(missing.status, 404, "{missing:?}");
    server.stop().await
}
