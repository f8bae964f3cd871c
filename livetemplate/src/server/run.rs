//! Running a server from `main`: the listening address from `ADDR`, and shutdown on a signal.
//!
//! A `main` that serves a [`LiveRouter`] alone is one call:
//!
//! ```no_run
//! # use livetemplate::LiveRouter;
//! # async fn run(router: LiveRouter) {
//! if let Err(error) = livetemplate::serve_env(router).await {
//!     eprintln!("{error}");
//!     std::process::exit(1);
//! }
//! # }
//! ```
//!
//! An application with its own server (axum, hyper) uses the parts: [`listen_env`] for the
//! listener and [`shutdown_signal`] for graceful shutdown.
//!
//! The server logs through `tracing`; the library never installs a subscriber. So that a
//! `main` without one is not silent, [`serve_env`] and [`serve`](super::serve) then also print
//! the URL they serve to stderr.

use std::future::Future;
use std::io;

use tokio::net::TcpListener;

use super::router::{LiveRouter, serve_listener};

/// The environment variable naming the address to listen on (`host:port`).
pub const ADDR_VAR: &str = "ADDR";

/// The address used when [`ADDR_VAR`] is not set.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Why [`serve_env`] (or [`listen_env`]) could not run.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The signal handlers could not be installed.
    Signals(io::Error),
    /// The address could not be listened on.
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: io::Error,
    },
    /// The server stopped with an error.
    Serve(io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Signals(e) => write!(f, "cannot install the signal handlers: {e}"),
            ServeError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServeError::Serve(e) => write!(f, "the server failed: {e}"),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Signals(e) | ServeError::Serve(e) => Some(e),
            ServeError::Bind { source, .. } => Some(source),
        }
    }
}

/// The address to listen on: `ADDR` from the environment, else [`DEFAULT_ADDR`].
pub fn env_addr() -> String {
    std::env::var(ADDR_VAR).unwrap_or_else(|_| DEFAULT_ADDR.to_owned())
}

/// Listens on [`env_addr`] and logs the URL served (`http://…/`, with the port actually bound).
pub async fn listen_env() -> Result<TcpListener, ServeError> {
    let listener = bind_env().await?;
    match listener.local_addr() {
        Ok(local) => tracing::info!("listening on http://{local}/"),
        Err(error) => tracing::warn!(%error, "listening, but the local address is unknown"),
    }
    Ok(listener)
}

async fn bind_env() -> Result<TcpListener, ServeError> {
    let addr = env_addr();
    TcpListener::bind(&addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// Serves `router` on [`env_addr`] until Ctrl-C or SIGTERM, then drains open connections and
/// closes live ones (code 1001). The signal handlers are installed before the address is
/// bound, so a signal sent as soon as the URL is logged is never lost. The URL is printed to
/// stderr too when no `tracing` subscriber is installed.
pub async fn serve_env(router: LiveRouter) -> Result<(), ServeError> {
    let shutdown = shutdown_signal().map_err(ServeError::Signals)?;
    // `serve_listener` logs the URL.
    let listener = bind_env().await?;
    announce(&listener);
    serve_listener(listener, router, shutdown)
        .await
        .map_err(ServeError::Serve)
}

/// Prints the URL `listener` serves to stderr when no `tracing` subscriber is installed (the
/// log line [`serve_listener`] writes would go nowhere), with a hint to install one.
pub(crate) fn announce(listener: &TcpListener) {
    if let Some(line) = announcement(tracing::dispatcher::has_been_set(), listener) {
        eprintln!("{line}");
    }
}

/// The line [`announce`] prints, or `None` when a subscriber (`subscribed`) logs the URL.
fn announcement(subscribed: bool, listener: &TcpListener) -> Option<String> {
    if subscribed {
        return None;
    }
    let local = listener.local_addr().ok()?;
    Some(format!(
        "livetemplate: serving live pages on http://{local}/ (install a tracing subscriber, \
         e.g. `tracing_subscriber::fmt().init()`, to see the server's logs and warnings)"
    ))
}

/// A future that completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM. The handlers are
/// installed when this returns (call it inside a Tokio runtime), not when the future is first
/// polled, so no signal is missed in between.
///
/// Pass it to [`serve_listener`], or to axum's `with_graceful_shutdown` (then call
/// [`LiveRouter::close_live_connections`] once it completes).
#[cfg(unix)]
pub fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutdown signal received");
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot wait for Ctrl-C; shutting down");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_errors_name_the_address_and_keep_the_cause() {
        let error = ServeError::Bind {
            addr: "256.0.0.1:80".to_owned(),
            source: io::Error::new(io::ErrorKind::InvalidInput, "bad address"),
        };
        assert_eq!(
            error.to_string(),
            "cannot listen on 256.0.0.1:80: bad address"
        );
        assert!(std::error::Error::source(&error).is_some());
    }

    #[tokio::test]
    async fn without_a_subscriber_the_url_is_printed() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let line = announcement(false, &listener).unwrap_or_default();
        assert!(
            line.starts_with(&format!(
                "livetemplate: serving live pages on http://127.0.0.1:{port}/ "
            )),
            "{line}"
        );
        assert!(line.contains("tracing subscriber"), "{line}");
        assert_eq!(
            announcement(true, &listener),
            None,
            "the subscriber logs it"
        );
        Ok(())
    }

    #[tokio::test]
    async fn the_signal_future_waits_for_a_signal() -> io::Result<()> {
        let signal = shutdown_signal()?;
        let waited = tokio::time::timeout(std::time::Duration::from_millis(50), signal).await;
        assert!(waited.is_err(), "completed without a signal");
        Ok(())
    }
}
