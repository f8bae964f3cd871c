//! Chat over real WebSockets: a name form, messages broadcast to everyone in the room (and
//! only that room), history kept across reloads, rooms switched by URL, and the same without
//! JavaScript.

use livetemplate::testing::{Browser, TestError, TestServer};

async fn join(
    browser: &mut Browser,
    path: &str,
    name: &str,
) -> Result<livetemplate::testing::Tab, TestError> {
    let mut tab = browser.connect(path).await?;
    tab.submit("set_name", &[("name", name)]).await?;
    Ok(tab)
}

#[tokio::test]
async fn messages_reach_everyone_in_the_room_and_survive_reloads() -> Result<(), TestError> {
    let server = TestServer::start(chat::app()).await?;
    let (mut alice, mut bob, mut carol) = (server.browser(), server.browser(), server.browser());
    let mut alice_tab = join(&mut alice, "/?room=rust", "alice").await?;
    assert!(
        alice_tab.html().contains("<h1>#rust</h1>"),
        "{}",
        alice_tab.html()
    );
    let mut bob_tab = join(&mut bob, "/?room=rust", "bob").await?;
    let mut carol_tab = join(&mut carol, "/", "carol").await?;
    assert!(carol_tab.html().contains("<h1>#lobby</h1>"));

    // Validation: an empty message is refused with the error shown next to the form.
    alice_tab.submit("send", &[("text", "   ")]).await?;
    assert!(
        alice_tab.html().contains("write something first"),
        "{}",
        alice_tab.html()
    );

    alice_tab
        .submit("send", &[("text", "hello <rustaceans>")])
        .await?;
    assert!(!alice_tab.html().contains("write something first"));
    bob_tab
        .wait_until("alice's message", |html| {
            html.contains("hello &#60;rustaceans&#62;")
        })
        .await?;
    bob_tab.submit("send", &[("text", "hi alice")]).await?;
    alice_tab
        .wait_until("bob's reply", |html| {
            html.contains("<strong>bob</strong> hi alice")
        })
        .await?;

    // `receive` is for broadcasts only: a client naming it is refused like an unknown name.
    let refused = carol_tab.click("receive").await?.reply().clone();
    assert_eq!(refused["code"], "unknown_action", "{refused}");
    assert_eq!(
        refused["message"], "unknown action \"receive\"",
        "{refused}"
    );

    // Carol is in another room: she hears nothing, and her own message stays there.
    carol_tab.submit("send", &[("text", "anyone?")]).await?;
    assert!(!carol_tab.html().contains("hi alice"));
    assert!(!alice_tab.html().contains("anyone?"));

    // A reload (a new page load, even from a new browser) shows the room's history.
    let page = server.browser().get("/?room=rust").await?;
    assert!(page.body.contains("hi alice"), "{}", page.body);
    assert!(
        page.body
            .contains("<strong>alice</strong> hello &#60;rustaceans&#62;")
    );

    // Carol follows a link to #rust without reloading (`__navigate__`): history, then live.
    carol_tab.navigate(&[("room", "rust")]).await?;
    let html = carol_tab.html();
    assert!(
        html.contains("<h1>#rust</h1>") && html.contains("hi alice"),
        "{html}"
    );
    bob_tab.submit("send", &[("text", "welcome carol")]).await?;
    carol_tab
        .wait_until("bob's welcome", |html| html.contains("welcome carol"))
        .await?;

    // Without JavaScript: a plain form post lands in the room and reaches the live tabs.
    let posted = carol
        .post_form("/?room=rust", &[("text", "posted"), ("send", "")])
        .await?;
    assert_eq!(posted.status, 303, "{posted:?}");
    assert_eq!(posted.header("location"), Some("/?room=rust"));
    alice_tab
        .wait_until("the posted message", |html| {
            html.contains("<strong>carol</strong> posted")
        })
        .await?;
    server.stop().await
}
