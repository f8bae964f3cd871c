//! The clock over a real WebSocket: the ticker's pushes reach every open page, one changed
//! value at a time.

use std::time::Duration;

use livetemplate::testing::{TestError, TestServer};

#[tokio::test]
async fn pushed_ticks_reach_every_open_page() -> Result<(), TestError> {
    let router = clock::app();
    let ticker = clock::start_ticker(router.handle(), Duration::from_millis(200));
    let server = TestServer::start(router).await?;

    let page = server.browser().get("/").await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("0 ticks pushed"), "{}", page.body);

    let mut alice = server.browser().connect("/").await?;
    let mut bob = server.browser().connect("/").await?;
    for tab in [&mut alice, &mut bob] {
        // Wait for the count to move twice: ticks keep coming, not just once.
        tab.wait_until("a first tick", |html| !html.contains(" 0 ticks pushed"))
            .await?;
        let first = tab.html().to_owned();
        let update = tab.next_frame().await?;
        assert!(
            update.get("ref").is_none(),
            "a push answers no request: {update}"
        );
        assert_ne!(tab.html(), first, "a tick changes the page");
    }
    let html = alice.html();
    let time = html
        .split_once("<time>")
        .and_then(|(_, rest)| rest.split_once("</time>"))
        .map(|(time, _)| time)
        .ok_or_else(|| TestError::Unexpected(format!("no <time>: {html}")))?;
    assert_eq!(time.len(), 8, "HH:MM:SS: {time}");

    ticker.abort();
    server.stop().await
}

#[tokio::test]
async fn a_client_cannot_push_a_tick() -> Result<(), TestError> {
    // No ticker: only a client could change the time.
    let server = TestServer::start(clock::app()).await?;
    let mut browser = server.browser();
    let mut tab = browser.connect("/").await?;
    // `tick` is `#[server_only]`: refused exactly like a name the clock does not have.
    let refused = tab
        .click_with("tick", &[("time", "99:99:99")])
        .await?
        .reply()
        .clone();
    let unknown = tab
        .click_with("tock", &[("time", "99:99:99")])
        .await?
        .reply()
        .clone();
    assert_eq!(refused["code"], "unknown_action", "{refused}");
    assert_eq!(refused["message"], "unknown action \"tick\"", "{refused}");
    assert_eq!(unknown["message"], "unknown action \"tock\"", "{unknown}");
    // And without JavaScript: a forged form naming it gets a 400 page, not a tick.
    let posted = browser
        .post_form("/", &[("_lvt_action", "tick"), ("time", "99:99:99")])
        .await?;
    assert_eq!(posted.status, 400, "{posted:?}");
    assert_eq!(posted.body, "unknown action \"tick\"");
    let page = browser.get("/").await?;
    assert!(
        !page.body.contains("99:99:99") && page.body.contains("0 ticks pushed"),
        "{}",
        page.body
    );
    server.stop().await
}
