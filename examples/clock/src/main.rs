//! Run with: cargo run -p clock
//!
//! Serves the example at <http://127.0.0.1:8080> (set `ADDR` to listen elsewhere, and
//! `RUST_LOG` to change the log level; default `info`). Stop with Ctrl-C (or SIGTERM).

use livetemplate::ServeError;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), ServeError> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let router = clock::app();
    // The ticker pushes through the router's handle: every open page ticks.
    clock::start_ticker(router.handle(), std::time::Duration::from_secs(1));
    livetemplate::serve_env(router).await
}
