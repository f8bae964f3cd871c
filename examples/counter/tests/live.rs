//! The counter over real WebSockets: our client's encoding and the legacy one, with the
//! browser's other tab following each click.

use livetemplate::testing::{TestError, TestServer};
use livetemplate::wire::ClientKind;
use serde_json::json;

#[tokio::test]
async fn clicks_update_the_tab_and_its_sibling() -> Result<(), TestError> {
    let server = TestServer::start(counter::router()).await?;
    let mut browser = server.browser();
    let mut tab = browser.connect("/").await?;
    let mut legacy = browser.connect_as("/", ClientKind::Legacy).await?;
    assert!(tab.html()?.contains("<output>0</output>"));

    tab.send("increment", json!({})).await?;
    tab.send("increment", json!({})).await?;
    tab.send("decrement", json!({})).await?;
    assert!(
        tab.html()?.contains("<output>1</output>"),
        "{}",
        tab.html()?
    );
    legacy
        .wait_until("the sibling tab to show 1", |html| {
            html.contains("<output>1</output>")
        })
        .await?;

    let reply = legacy.send("reset", json!({})).await?;
    assert_eq!(reply["meta"]["success"], json!(true), "{reply}");
    tab.wait_until("the reset", |html| html.contains("<output>0</output>"))
        .await?;
    let unknown = tab.send("explode", json!({})).await?;
    assert_eq!(unknown["type"], json!("error"), "{unknown}");
    server.stop().await
}
