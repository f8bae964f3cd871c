//! Session stores: two routers sharing one store (as two processes sharing a Redis would)
//! resume each other's sessions, and concurrent actions on both lose no update.

use std::sync::Arc;

use http::Request;
use http_body_util::{BodyExt, Full};
use livetemplate::SigningKey;
use livetemplate::session::MemoryStore;
use livetemplate::{Config, LiveRouter};
use livetemplate::{Context, LiveTemplate, live_controller};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(
    source = r#"<p id="count">{{ count }}</p><button name="increment">+</button>"#,
    ext = "html"
)]
struct Count {
    count: u64,
}

struct Counter;

#[live_controller]
impl Counter {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Count> {
        Ok(Count { count: 0 })
    }

    pub(crate) async fn increment(&self, state: &mut Count, _ctx: &mut Context) {
        // Yield inside the action, so actions on the two routers interleave.
        tokio::task::yield_now().await;
        state.count += 1;
    }
}

/// Two routers ("processes") sharing a key and a store.
fn pair() -> TestResult<(LiveRouter, LiveRouter)> {
    let key = SigningKey::from_bytes(&[7; 32])?;
    let store = Arc::new(MemoryStore::<Count>::new());
    let router = |store: Arc<MemoryStore<Count>>| {
        // The concurrency test posts 1,000 actions of one session at once: lift the session's
        // action budget (it applies to POSTs too) so only the store's versioning is tested.
        let config = Config::new()
            .signing_key(key.clone())
            .actions_per_second(100_000);
        LiveRouter::with_config(config).route_with_store("/", Counter, store)
    };
    Ok((router(Arc::clone(&store)), router(store)))
}

async fn page(router: &LiveRouter, cookie: Option<&str>) -> TestResult<(String, Option<String>)> {
    let mut request = Request::get("/")
        .header("host", "app.test")
        .header("accept", "text/html");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = router
        .respond(request.body(Full::<bytes::Bytes>::default())?)
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = response.into_body().collect().await?.to_bytes();
    Ok((String::from_utf8(body.to_vec())?, cookie))
}

async fn increment(router: LiveRouter, cookie: String) -> TestResult<bool> {
    let request = Request::post("/")
        .header("host", "app.test")
        .header("origin", "http://app.test")
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .body(Full::<bytes::Bytes>::from(r#"{"action":"increment"}"#))?;
    let response = router.respond(request).await;
    let body = response.into_body().collect().await?.to_bytes();
    let reply: serde_json::Value = serde_json::from_slice(&body)?;
    Ok(reply["meta"]["success"] == serde_json::json!(true))
}

fn count(html: &str) -> Option<u64> {
    let start = html.find("<p id=\"count\">")? + "<p id=\"count\">".len();
    html[start..].split('<').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_moves_between_processes() -> TestResult {
    let (a, b) = pair()?;
    let (_, cookie) = page(&a, None).await?;
    let cookie = cookie.ok_or("no cookie")?;
    assert!(increment(a.clone(), cookie.clone()).await?);
    assert!(increment(a.clone(), cookie.clone()).await?);
    // The other process resumes the session where the first left it.
    let (html, _) = page(&b, Some(&cookie)).await?;
    assert_eq!(count(&html), Some(2), "{html}");
    assert!(increment(b.clone(), cookie.clone()).await?);
    let (html, _) = page(&a, Some(&cookie)).await?;
    assert_eq!(
        count(&html),
        Some(3),
        "a page load catches up to the stored state"
    );
    assert!(increment(a.clone(), cookie.clone()).await?);
    let (html, _) = page(&b, Some(&cookie)).await?;
    assert_eq!(count(&html), Some(4), "{html}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_actions_on_two_processes_lose_no_update() -> TestResult {
    let (a, b) = pair()?;
    let (_, cookie) = page(&a, None).await?;
    let cookie = cookie.ok_or("no cookie")?;
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let router = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(increment(router, cookie.clone()))
        })
        .collect();
    let mut succeeded = 0;
    for task in tasks {
        if task.await?? {
            succeeded += 1;
        }
    }
    assert_eq!(succeeded, 1000, "every action succeeded");
    for router in [&a, &b] {
        let (html, _) = page(router, Some(&cookie)).await?;
        assert_eq!(count(&html), Some(1000), "{html}");
    }
    Ok(())
}
