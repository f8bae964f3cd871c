//! Accepting connections: the connection limit, back-off on accept errors, rate-limited logs.
//!
//! `accept` fails when the process runs out of file descriptors (`EMFILE`) and keeps failing
//! until a connection closes; retrying at once spins a core and writes a log line per try. So
//! each failure waits ([`Backoff`]: 5 ms, doubling to 1 s, reset by a success) and at most one
//! line per second is logged ([`LogLimit`], with the count of lines it held back).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

/// The wait after the first failed accept.
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_millis(5);

/// The longest wait between failed accepts.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// At most one log line per kind of trouble in this interval.
pub(crate) const LOG_INTERVAL: Duration = Duration::from_secs(1);

/// The wait before the next accept after a failure: doubles per failure, reset by a success.
#[derive(Debug)]
pub(crate) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        Backoff {
            next: FIRST_BACKOFF,
        }
    }

    /// Records a failure; returns how long to wait before trying again.
    pub(crate) fn failed(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        wait
    }

    /// Records a success: the next failure waits the shortest time again.
    pub(crate) fn succeeded(&mut self) {
        self.next = FIRST_BACKOFF;
    }
}

/// Lets one log line through per interval and counts the ones it holds back.
#[derive(Debug)]
pub(crate) struct LogLimit {
    interval: Duration,
    last: Option<Instant>,
    suppressed: u64,
}

impl LogLimit {
    pub(crate) fn new(interval: Duration) -> Self {
        LogLimit {
            interval,
            last: None,
            suppressed: 0,
        }
    }

    /// `Some(lines held back since the last one)` when a line may be logged at `now`.
    pub(crate) fn check(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }
}

/// Calls `accept` until it succeeds, waiting as `backoff` says after each failure and logging
/// failures through `log`.
pub(crate) async fn accept_with_backoff<T, F, Fut>(
    mut accept: F,
    backoff: &mut Backoff,
    log: &mut LogLimit,
) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    loop {
        match accept().await {
            Ok(accepted) => {
                backoff.succeeded();
                return accepted;
            }
            Err(error) => {
                let wait = backoff.failed();
                if let Some(suppressed) = log.check(Instant::now()) {
                    tracing::warn!(
                        %error,
                        suppressed,
                        retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "accept failed; waiting before the next try"
                    );
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// What a connection over [`Config::max_connections`](super::Config::max_connections) gets
/// before it is closed.
const OVER_LIMIT: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\
Content-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nContent-Length: 43\r\n\r\n\
too many connections; try again in a moment";

/// Closes a connection accepted over the limit, telling it why if its send buffer has room
/// (a non-blocking write: a flood cannot make the accept loop wait).
pub(crate) fn refuse(stream: TcpStream, log: &mut LogLimit) {
    let _ = stream.try_write(OVER_LIMIT);
    if let Some(suppressed) = log.check(Instant::now()) {
        tracing::warn!(
            suppressed,
            "connection limit reached: refusing new connections (Config::max_connections)"
        );
    }
}

/// A connection's socket with its slot under the connection limit: the slot is freed when the
/// socket closes, including after an upgrade to a live connection (hyper keeps the socket).
#[derive(Debug)]
pub(crate) struct Counted<S> {
    pub(crate) io: S,
    pub(crate) _permit: OwnedSemaphorePermit,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_resets_on_success() {
        let mut backoff = Backoff::new();
        let waits: Vec<_> = (0..10).map(|_| backoff.failed()).collect();
        assert_eq!(waits[0], FIRST_BACKOFF);
        assert_eq!(waits[1], FIRST_BACKOFF * 2);
        assert_eq!(waits[9], MAX_BACKOFF);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        backoff.succeeded();
        assert_eq!(backoff.failed(), FIRST_BACKOFF);
    }

    #[test]
    fn log_limit_lets_one_line_per_interval_and_counts_the_rest() {
        let mut log = LogLimit::new(Duration::from_secs(1));
        let start = Instant::now();
        assert_eq!(log.check(start), Some(0));
        for i in 1..=99 {
            assert_eq!(log.check(start + Duration::from_millis(i * 5)), None);
        }
        assert_eq!(log.check(start + Duration::from_secs(1)), Some(99));
        assert_eq!(log.check(start + Duration::from_millis(1500)), None);
    }

    /// An accept source that always fails (as under `EMFILE`) is tried a handful of times in
    /// 300 ms, not millions; one that then succeeds is returned.
    #[tokio::test]
    async fn failing_accepts_back_off_then_a_success_returns() {
        let mut backoff = Backoff::new();
        let mut log = LogLimit::new(LOG_INTERVAL);
        let mut attempts = 0_u32;
        let spin = tokio::time::timeout(
            Duration::from_millis(300),
            accept_with_backoff(
                || {
                    attempts += 1;
                    std::future::ready(Err::<(), _>(io::Error::from_raw_os_error(24)))
                },
                &mut backoff,
                &mut log,
            ),
        )
        .await;
        assert!(spin.is_err(), "a source that always fails never yields");
        // 5 + 10 + 20 + 40 + 80 + 160 ms > 300 ms: at most 7 tries, however slow the machine.
        assert!(
            (1..=7).contains(&attempts),
            "{attempts} accept attempts in 300 ms"
        );

        let mut left = 3;
        let accepted = accept_with_backoff(
            || {
                left -= 1;
                std::future::ready(if left == 0 {
                    Ok("connection")
                } else {
                    Err(io::Error::from_raw_os_error(24))
                })
            },
            &mut backoff,
            &mut log,
        )
        .await;
        assert_eq!(accepted, "connection");
        assert_eq!(backoff.failed(), FIRST_BACKOFF, "a success resets the wait");
    }
}
