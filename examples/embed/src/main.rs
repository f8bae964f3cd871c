//! Run with: cargo run -p embed
//!
//! Serves an axum application at <http://127.0.0.1:8080> with a live page at `/live/hello`
//! (set `ADDR` to listen elsewhere, `RUST_LOG` to change the log level). On Ctrl-C (or
//! SIGTERM) the live connections are closed and axum drains the rest.

use livetemplate::server::{ServeError, listen_env, shutdown_signal};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), ServeError> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let shutdown = shutdown_signal().map_err(ServeError::Signals)?;
    let listener = listen_env().await?;
    let live = embed::live_pages();
    let app = embed::app(live.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Live sockets never end on their own: close them (1001) so axum can drain.
            live.close_live_connections();
        })
        .await
        .map_err(ServeError::Serve)
}
