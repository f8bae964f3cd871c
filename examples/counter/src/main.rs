//! Run with: cargo run -p counter
//!
//! Serves a live counter at <http://127.0.0.1:8080> (set `ADDR` to listen elsewhere, and
//! `RUST_LOG` to change the log level; default `info`). Stop with Ctrl-C (or SIGTERM).

use std::future::Future;
use std::io;
use std::process::ExitCode;

use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// The address used when `ADDR` is not set.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    // Install the signal handlers before announcing the URL, so a signal sent as soon as the
    // server is up is never lost.
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(error) => {
            tracing::error!(%error, "cannot install the signal handlers");
            return ExitCode::FAILURE;
        }
    };
    let addr = std::env::var("ADDR").unwrap_or_else(|_| DEFAULT_ADDR.to_owned());
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%addr, %error, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => tracing::info!("counter listening on http://{local}/"),
        Err(error) => tracing::warn!(%error, "listening, but the local address is unknown"),
    }

    match livetemplate::server::serve_listener(listener, counter::router(), shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
    }
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM. The handlers are installed on return.
#[cfg(unix)]
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    Ok(async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot wait for Ctrl-C; shutting down");
        }
    })
}
