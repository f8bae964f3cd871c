//! An existing axum application that gains live pages: its own routes (`/`, `/health`) stay
//! as they are, and a [`LiveRouter`] serving `/live/hello` is mounted as the fallback service,
//! so every path axum does not route — the live pages, their WebSocket and the browser client's
//! script at [`CLIENT_PATH`](livetemplate::server::CLIENT_PATH) — reaches it.

use askama::Template;
use axum::response::Html;
use axum::routing::get;
use livetemplate::{Config, LiveRouter};
use livetemplate::{Context, LiveTemplate, live_controller};
use serde::Deserialize;

/// Where the live page is mounted.
pub const HELLO_PATH: &str = "/live/hello";

/// The live page's state.
#[derive(Debug, Clone, Template, LiveTemplate)]
#[template(path = "hello.html")]
pub struct Hello {
    /// The name last greeted (empty before the first greeting).
    pub name: String,
    /// How many greetings this browser asked for.
    pub greetings: u32,
}

/// The greeting form.
#[derive(Debug, Deserialize)]
pub struct Greet {
    /// Who to greet.
    #[serde(default)]
    pub name: String,
}

/// The live page's actions.
#[derive(Debug, Default)]
pub struct HelloController;

#[live_controller]
impl HelloController {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Hello> {
        Ok(Hello {
            name: String::new(),
            greetings: 0,
        })
    }

    /// Greets the name typed (or the world), in every tab of this browser.
    pub fn greet(&self, state: &mut Hello, form: Greet, ctx: &mut Context) {
        let name = form.name.trim();
        state.name = if name.is_empty() { "world" } else { name }
            .chars()
            .take(40)
            .collect();
        state.greetings += 1;
        ctx.sync();
    }
}

/// The live pages, to mount in the application (keep a clone to close their connections on
/// shutdown).
pub fn live_pages() -> LiveRouter {
    LiveRouter::with_config(Config::new().title("Hello, live")).route(HELLO_PATH, HelloController)
}

/// The application: its ordinary routes, with `live` as the fallback for every other path.
pub fn app(live: LiveRouter) -> axum::Router {
    axum::Router::new()
        .route("/", get(index))
        .route("/health", get(|| async { "ok" }))
        .fallback_service(live)
}

async fn index() -> Html<&'static str> {
    Html(concat!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<title>An axum app</title></head>\n<body><main><h1>An ordinary axum page</h1>",
        "<p>This page and <a href=\"/health\">/health</a> are plain axum handlers; ",
        "<a href=\"/live/hello\">/live/hello</a> is a live page served by livetemplate ",
        "in the same application.</p></main></body></html>\n"
    ))
}
