//! [`Redis`]: the Redis that several server processes share (feature `redis`) — its URL and
//! options, the typed errors of setting it up, and the reconnecting connection that the broker
//! and the session store send their commands over.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client};

use crate::pubsub::{RedisBroker, lock};
use crate::session::RedisSessionStore;

/// The environment variable [`Redis::from_env`] reads: a `redis://…` (or `rediss://…`) URL.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub const REDIS_URL_ENV: &str = "LIVETEMPLATE_REDIS_URL";

/// How long one connection attempt may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long one command may take before the connection is taken for lost.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The first wait before reconnecting; it doubles up to [`Redis::max_backoff`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// Why a [`Redis`] could not be set up.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Debug)]
pub enum RedisError {
    /// The URL is not a Redis URL (`redis://[user:password@]host[:port][/db]`).
    BadUrl {
        /// What the client library objected to.
        reason: String,
    },
    /// [`REDIS_URL_ENV`] is set but is not valid Unicode.
    BadEnv,
    /// No Redis answered at the address (refused, timed out, or it did not answer `PING`).
    Unreachable {
        /// The address tried (host and port; the password is never shown).
        addr: String,
        /// What went wrong.
        reason: String,
    },
}

impl std::fmt::Display for RedisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedisError::BadUrl { reason } => write!(f, "not a Redis URL: {reason}"),
            RedisError::BadEnv => write!(f, "{REDIS_URL_ENV} is not valid Unicode"),
            RedisError::Unreachable { addr, reason } => {
                write!(f, "no Redis answers at {addr}: {reason}")
            }
        }
    }
}

impl std::error::Error for RedisError {}

/// A Redis shared by the processes serving one application: the broker that carries
/// broadcasts, pushes and syncs between them ([`Redis::broker`]), and session stores that
/// keep states where any process can resume them ([`Redis::store`]).
///
/// Clones share one broker and one command connection: make one `Redis` per process.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use livetemplate::Redis;
///
/// // From code…
/// let redis = Redis::connect("redis://127.0.0.1:6379/").await?.prefix("shop");
/// // …or from LIVETEMPLATE_REDIS_URL, when it is set.
/// let from_env: Option<Redis> = Redis::from_env().await?;
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Clone)]
pub struct Redis {
    client: Client,
    addr: String,
    prefix: String,
    max_backoff: Duration,
    outbox: usize,
    link: Arc<Link>,
    broker: Arc<OnceLock<RedisBroker>>,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("addr", &self.addr)
            .field("prefix", &self.prefix)
            .field("max_backoff", &self.max_backoff)
            .field("outbox", &self.outbox)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// Parses `url` and checks that a Redis answers `PING` there.
    pub async fn connect(url: &str) -> Result<Redis, RedisError> {
        let client = Client::open(url).map_err(|error| RedisError::BadUrl {
            reason: error.to_string(),
        })?;
        let addr = client.get_connection_info().addr().to_string();
        let link = Arc::new(Link::new(client.clone(), addr.clone()));
        let unreachable = |reason: String| RedisError::Unreachable {
            addr: addr.clone(),
            reason,
        };
        let mut connection = link
            .connect_now()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        tracing::info!(%addr, "connected to Redis");
        Ok(Redis {
            client,
            addr,
            prefix: "livetemplate".to_owned(),
            max_backoff: Duration::from_secs(5),
            outbox: 10_000,
            link,
            broker: Arc::new(OnceLock::new()),
        })
    }

    /// [`Redis::connect`] to the URL in [`REDIS_URL_ENV`]; `None` when it is unset or empty
    /// (the in-memory broker and stores then stay in use).
    pub async fn from_env() -> Result<Option<Redis>, RedisError> {
        match std::env::var(REDIS_URL_ENV) {
            Ok(url) if url.trim().is_empty() => Ok(None),
            Ok(url) => Redis::connect(url.trim()).await.map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(RedisError::BadEnv),
        }
    }

    /// The prefix of every key and channel name, so applications (or tests) can share one
    /// Redis. Set it before calling [`broker`](Redis::broker) or [`store`](Redis::store).
    /// Default: `livetemplate`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest wait between two reconnection attempts (the wait doubles from 50 ms, with
    /// jitter). Set it before calling [`broker`](Redis::broker). Default: 5 seconds.
    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max.max(FIRST_BACKOFF);
        self
    }

    /// How many broadcast messages are held while Redis is unreachable, to be published once
    /// it is back; past that the oldest are dropped (and counted). Set it before calling
    /// [`broker`](Redis::broker). Default: 10,000.
    pub fn outbox(mut self, messages: usize) -> Self {
        self.outbox = messages;
        self
    }

    /// The host and port (never the password).
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The key and channel prefix.
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }

    /// This process's broker over this Redis (started on first use; clones of this `Redis`
    /// share it). Must be called inside a tokio runtime.
    pub fn broker(&self) -> RedisBroker {
        self.broker
            .get_or_init(|| {
                RedisBroker::start(
                    self.client.clone(),
                    Arc::clone(&self.link),
                    &self.prefix,
                    self.max_backoff,
                    self.outbox,
                )
            })
            .clone()
    }

    /// A session store over this Redis for states of type `S`. Its keys expire after
    /// 30 minutes without use unless [`RedisSessionStore::ttl`] says otherwise;
    /// [`LiveRouter::route_shared`](crate::server::LiveRouter::route_shared) sets it to the
    /// configured session idle time.
    pub fn store<S>(&self) -> RedisSessionStore<S> {
        RedisSessionStore::new(Arc::clone(&self.link), &self.prefix)
    }
}

/// Why a command could not be sent.
#[derive(Debug)]
pub(crate) enum LinkError {
    /// Redis answered with an error, or the connection failed.
    Redis(redis::RedisError),
    /// The last connection attempt failed and the next is not due yet.
    Waiting(Duration),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Redis(error) => write!(f, "redis: {error}"),
            LinkError::Waiting(wait) => {
                write!(
                    f,
                    "redis unreachable; reconnecting in {} ms",
                    wait.as_millis()
                )
            }
        }
    }
}

impl From<redis::RedisError> for LinkError {
    fn from(error: redis::RedisError) -> Self {
        LinkError::Redis(error)
    }
}

/// A multiplexed command connection that is re-opened when it breaks, at most once per
/// backoff period (so commands fail fast while Redis is down instead of piling up).
pub(crate) struct Link {
    client: Client,
    addr: String,
    current: Mutex<Option<MultiplexedConnection>>,
    retry: tokio::sync::Mutex<Retry>,
}

struct Retry {
    backoff: Backoff,
    not_before: Option<Instant>,
}

impl Link {
    fn new(client: Client, addr: String) -> Self {
        Link {
            client,
            addr,
            current: Mutex::new(None),
            retry: tokio::sync::Mutex::new(Retry {
                backoff: Backoff::new(Duration::from_secs(5)),
                not_before: None,
            }),
        }
    }

    /// Opens a connection now (no backoff), and keeps it.
    async fn connect_now(&self) -> Result<MultiplexedConnection, redis::RedisError> {
        let connection = self.open().await?;
        *lock(&self.current) = Some(connection.clone());
        Ok(connection)
    }

    async fn open(&self) -> Result<MultiplexedConnection, redis::RedisError> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        self.client
            .get_multiplexed_async_connection_with_config(&config)
            .await
    }

    /// The open connection, or a new one when the backoff allows an attempt.
    pub(crate) async fn connection(&self) -> Result<MultiplexedConnection, LinkError> {
        if let Some(connection) = lock(&self.current).clone() {
            return Ok(connection);
        }
        let mut retry = self.retry.lock().await;
        if let Some(connection) = lock(&self.current).clone() {
            return Ok(connection);
        }
        let now = Instant::now();
        if let Some(at) = retry.not_before.filter(|at| *at > now) {
            return Err(LinkError::Waiting(at - now));
        }
        match self.open().await {
            Ok(connection) => {
                if retry.not_before.take().is_some() {
                    tracing::info!(addr = %self.addr, "Redis command connection restored");
                }
                retry.backoff.reset();
                *lock(&self.current) = Some(connection.clone());
                Ok(connection)
            }
            Err(error) => {
                let wait = retry.backoff.next_delay();
                if retry.not_before.is_none() {
                    tracing::warn!(addr = %self.addr, %error, "Redis unreachable; reconnecting with backoff");
                }
                retry.not_before = Some(Instant::now() + wait);
                Err(error.into())
            }
        }
    }

    /// Allows a connection attempt right away: Redis is known to be back (the broker's
    /// subscription reconnected), so commands need not wait out the backoff.
    pub(crate) fn wake(&self) {
        if let Ok(mut retry) = self.retry.try_lock() {
            retry.not_before = None;
            retry.backoff.reset();
        }
    }

    /// Runs `send` on the connection. When the kept connection turns out to be dead (Redis
    /// restarted since it was last used), it is dropped and `send` runs once more on a new one.
    pub(crate) async fn run<T, F, Fut>(&self, mut send: F) -> Result<T, LinkError>
    where
        F: FnMut(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let mut retried = false;
        loop {
            let connection = self.connection().await?;
            match send(connection).await {
                Ok(value) => return Ok(value),
                Err(error) => {
                    let dropped = self.failed(&error);
                    let broken = error.is_io_error() || error.is_connection_dropped();
                    if dropped && broken && !retried {
                        retried = true;
                        continue;
                    }
                    return Err(error.into());
                }
            }
        }
    }

    /// Drops the connection after `error` when it means the connection is gone; `true` if so.
    pub(crate) fn failed(&self, error: &redis::RedisError) -> bool {
        let gone = error.is_io_error()
            || error.is_connection_dropped()
            || error.is_timeout()
            || error.is_unrecoverable_error();
        if gone {
            lock(&self.current).take();
        }
        gone
    }
}

/// Exponential backoff with jitter: each delay is drawn between half and all of the current
/// step, which doubles from 50 ms up to a maximum.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    step: Duration,
    max: Duration,
}

impl Backoff {
    /// Starts at 50 ms; never waits more than `max`.
    pub(crate) fn new(max: Duration) -> Self {
        Backoff {
            step: FIRST_BACKOFF,
            max,
        }
    }

    /// Back to the first step (after a success).
    pub(crate) fn reset(&mut self) {
        self.step = FIRST_BACKOFF;
    }

    /// The next wait.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let step = self.step.min(self.max);
        self.step = (self.step * 2).min(self.max);
        let half = step / 2;
        let spread = u64::try_from(half.as_micros()).unwrap_or(u64::MAX).max(1);
        let jitter = getrandom::u64().unwrap_or_default() % spread;
        half + Duration::from_micros(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_maximum() {
        let mut backoff = Backoff::new(Duration::from_millis(400));
        let delays: Vec<_> = (0..6).map(|_| backoff.next_delay()).collect();
        let steps = [50, 100, 200, 400, 400, 400].map(Duration::from_millis);
        for (delay, step) in delays.iter().zip(steps) {
            assert!(
                *delay >= step / 2 && *delay <= step,
                "{delay:?} for step {step:?}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn a_bad_url_is_a_typed_error() {
        let error = Redis::connect("http://nowhere").await.err();
        assert!(
            matches!(error, Some(RedisError::BadUrl { .. })),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_a_typed_error() {
        // Port 1 on loopback: nothing listens there.
        let error = Redis::connect("redis://127.0.0.1:1/").await.err();
        assert!(
            matches!(&error, Some(RedisError::Unreachable { addr, .. }) if addr.contains("127.0.0.1:1")),
            "{error:?}"
        );
    }
}
