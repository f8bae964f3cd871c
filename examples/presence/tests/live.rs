//! Presence over real WebSockets: browsers join on connect and leave on disconnect, and a
//! browser with several tabs counts once.

use livetemplate::testing::{TestError, TestServer};

/// The name a tab shows as its own.
fn my_name(html: &str) -> Result<String, TestError> {
    html.split_once("You are <strong>")
        .and_then(|(_, rest)| rest.split_once("</strong>"))
        .map(|(name, _)| name.to_owned())
        .ok_or_else(|| TestError::Unexpected(format!("no name shown: {html}")))
}

#[tokio::test]
async fn joins_and_leaves_across_browsers_and_tabs() -> Result<(), TestError> {
    let server = TestServer::start(presence::app()).await?;
    let mut alice = server.browser();
    let mut alice_tab = alice.connect("/").await?;
    let html = alice_tab.html();
    let alice_name = my_name(html)?;
    assert!(html.contains("1 person is here"), "{html}");
    assert!(html.contains(&format!("{alice_name} (you)")), "{html}");

    let mut bob = server.browser();
    let bob_first = bob.connect("/").await?;
    let bob_name = my_name(bob_first.html())?;
    assert_ne!(alice_name, bob_name);
    assert!(bob_first.html().contains(&alice_name), "bob sees alice");
    alice_tab
        .wait_until("bob to join", |html| {
            html.contains("2 people are here") && html.contains(&bob_name)
        })
        .await?;

    // A second tab of bob's: still two people, bob with two tabs.
    let bob_second = bob.connect("/").await?;
    alice_tab
        .wait_until("bob's second tab", |html| html.contains("2 tabs"))
        .await?;
    assert!(alice_tab.html().contains("2 people are here"));

    // Closing one of bob's tabs keeps him here; closing the last one makes him leave.
    bob_second.close().await?;
    alice_tab
        .wait_until("bob down to one tab", |html| {
            !html.contains("2 tabs") && html.contains(&bob_name)
        })
        .await?;
    bob_first.close().await?;
    let html = alice_tab
        .wait_until("bob to leave", |html| !html.contains(&bob_name))
        .await?;
    assert!(html.contains("1 person is here"), "{html}");

    // A fresh page load shows the list as it is now.
    let page = server.browser().get("/").await?;
    assert!(
        page.body.contains(&alice_name) && !page.body.contains(&bob_name),
        "{}",
        page.body
    );
    server.stop().await
}
