//! The counter over real WebSockets: our client's encoding and the legacy one, with the
//! browser's other tab following each click, and an unknown action refused.

use livetemplate::testing::{TestError, TestServer};
use livetemplate::wire::ClientKind;
use serde_json::json;

#[tokio::test]
async fn clicks_update_the_tab_and_its_sibling() -> Result<(), TestError> {
    let server = TestServer::start(counter::router()).await?;
    let mut browser = server.browser();
    let mut tab = browser.connect("/").await?;
    let mut legacy = browser.connect_as("/", ClientKind::Legacy).await?;
    assert!(tab.html().contains("<output>0</output>"));

    tab.click("increment").await?;
    tab.click("increment").await?;
    tab.click("decrement").await?;
    assert!(tab.html().contains("<output>1</output>"), "{}", tab.html());
    legacy
        .wait_until("the sibling tab to show 1", |html| {
            html.contains("<output>1</output>")
        })
        .await?;

    legacy.click("reset").await?;
    assert!(legacy.succeeded(), "{}", legacy.reply());
    assert_eq!(legacy.reply()["meta"]["success"], json!(true));
    tab.wait_until("the reset", |html| html.contains("<output>0</output>"))
        .await?;

    // An action the controller does not have: an error frame, and the page is unchanged.
    tab.click("explode").await?;
    assert!(!tab.succeeded());
    assert_eq!(tab.reply()["type"], json!("error"), "{}", tab.reply());
    assert!(tab.html().contains("<output>0</output>"));
    server.stop().await
}
