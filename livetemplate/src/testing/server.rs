//! [`TestServer`]: a [`LiveRouter`] served on an ephemeral port of `127.0.0.1` for one test.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{Browser, TestError, unexpected, within};
use crate::server::LiveRouter;

/// A [`LiveRouter`] served on an ephemeral port of `127.0.0.1` until [`stop`](Self::stop).
///
/// See [`Browser`] for a whole test.
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// Serves `router` (with [`serve_listener`](crate::server::serve_listener)) on
    /// `127.0.0.1:0`.
    pub async fn start(router: LiveRouter) -> Result<TestServer, TestError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::server::serve_listener(listener, router, async {
            let _ = stopped.await;
        }));
        Ok(TestServer { addr, stop, task })
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A new browser (no cookie yet) pointed at this server.
    pub fn browser(&self) -> Browser {
        Browser::new(self.addr)
    }

    /// Shuts the server down (live connections are closed with 1001) and waits for it.
    pub async fn stop(self) -> Result<(), TestError> {
        let _ = self.stop.send(());
        within("the server to shut down", self.task)
            .await?
            .map_err(|error| unexpected(format!("the server task failed: {error}")))??;
        Ok(())
    }
}
