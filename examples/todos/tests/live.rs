//! The todo list over real WebSockets: every action, the validation errors shown next to the
//! field, filters from the query string (page loads and `__navigate__`), two tabs of one
//! browser kept in sync, and the same list driven by plain form posts without JavaScript.

use livetemplate::testing::{TestError, TestServer};

/// The titles a page lists, in order.
fn titles(html: &str) -> Vec<&str> {
    html.split("data-id=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\">")?.1.split_once("</label>"))
        .map(|(title, _)| title)
        .collect()
}

#[tokio::test]
async fn every_action_over_a_live_socket_with_tabs_in_sync() -> Result<(), TestError> {
    let server = TestServer::start(todos::app()).await?;
    let mut browser = server.browser();
    let mut tab = browser.connect("/").await?;
    let mut other = browser.connect("/").await?;

    // Validation: empty and too long titles are refused, with the reason next to the field.
    tab.submit("add", &[("title", "  ")]).await?;
    assert!(
        tab.html().contains("a todo needs a title"),
        "{}",
        tab.html()
    );
    let long = "x".repeat(todos::MAX_TITLE + 1);
    tab.submit("add", &[("title", &long)]).await?;
    let html = tab.html();
    assert!(
        html.contains("at most 80 characters") && html.contains(&long),
        "{html}"
    );

    for title in ["milk", "bread", "eggs"] {
        tab.submit("add", &[("title", title)]).await?;
    }
    assert_eq!(titles(tab.html()), ["milk", "bread", "eggs"]);
    assert!(!tab.html().contains("class=\"error\""));
    assert!(tab.html().contains("3 items left"));
    // The browser's other tab follows (`ctx.sync()`).
    other
        .wait_until("the other tab to list three", |html| {
            titles(html).len() == 3
        })
        .await?;

    // Toggle (a button in the item's form: the hidden id comes along).
    tab.submit("toggle", &[("id", "2")]).await?;
    assert!(tab.html().contains("2 items left"));
    assert!(
        tab.html().contains("<li data-key=\"2\" class=\"done\">"),
        "{}",
        tab.html()
    );

    // Edit in place: a double-click sends the label's data-id; save a new title; cancel.
    tab.click_with("edit", &[("id", "1")]).await?;
    assert!(tab.html().contains("aria-label=\"Edit todo\""));
    tab.submit("save", &[("id", "1"), ("title", "oat milk")])
        .await?;
    assert_eq!(titles(tab.html()), ["oat milk", "bread", "eggs"]);
    tab.click_with("edit", &[("id", "3")]).await?;
    tab.click("cancel").await?;
    assert!(!tab.html().contains("Edit todo"));

    // Filters: `__navigate__` (a filter link followed by the client) and page loads.
    tab.navigate(&[("filter", "completed")]).await?;
    assert_eq!(titles(tab.html()), ["bread"]);
    other
        .wait_until("the other tab to follow the filter", |html| {
            titles(html) == ["bread"]
        })
        .await?;
    let page = browser.get("/?filter=active").await?;
    assert_eq!(titles(&page.body), ["oat milk", "eggs"], "{}", page.body);
    assert!(
        page.body
            .contains("<a href=\"?filter=active\" aria-current=\"page\">")
    );
    tab.wait_until("the reload's filter", |html| {
        titles(html) == ["oat milk", "eggs"]
    })
    .await?;

    // Remove and clear completed.
    tab.navigate(&[("filter", "all")]).await?;
    tab.submit("remove", &[("id", "3")]).await?;
    tab.click("clear_completed").await?;
    assert_eq!(titles(tab.html()), ["oat milk"]);
    assert!(tab.html().contains("1 item left"));
    assert!(!tab.html().contains("Clear completed"));

    // Another browser has its own list.
    let stranger = server.browser().get("/").await?;
    assert!(titles(&stranger.body).is_empty(), "{}", stranger.body);
    server.stop().await
}

#[tokio::test]
async fn works_without_javascript() -> Result<(), TestError> {
    let server = TestServer::start(todos::app()).await?;
    let mut browser = server.browser();
    let page = browser.get("/?filter=active").await?;
    assert_eq!(page.status, 200);

    let posted = browser
        .post_form("/?filter=active", &[("title", "walk"), ("add", "")])
        .await?;
    assert_eq!(posted.status, 303, "{posted:?}");
    assert_eq!(posted.header("location"), Some("/?filter=active"));
    browser
        .post_form("/?filter=active", &[("title", "read"), ("add", "")])
        .await?;
    browser
        .post_form("/?filter=active", &[("id", "1"), ("toggle", "")])
        .await?;
    let page = browser.get("/?filter=active").await?;
    assert_eq!(titles(&page.body), ["read"], "{}", page.body);
    let page = browser.get("/?filter=completed").await?;
    assert_eq!(titles(&page.body), ["walk"], "{}", page.body);

    // A refused title is shown with its reason after the redirect.
    browser
        .post_form("/", &[("title", ""), ("add", "")])
        .await?;
    let page = browser.get("/").await?;
    assert!(page.body.contains("a todo needs a title"), "{}", page.body);
    assert_eq!(titles(&page.body), ["walk", "read"]);
    server.stop().await
}
