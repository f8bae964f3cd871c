//! [`RedisSessionStore`]: session states in Redis, serialised with serde, under a version
//! check done atomically by a Lua script.
//!
//! A session is one string key, `<prefix>:session:<id>`, holding `<version>\n<JSON state>`
//! and expiring after the session idle time without use (a load renews it). A save runs one
//! script that compares the stored version with the expected one and writes only when they
//! match, so two processes acting on one session at once never lose an update: the loser
//! sees [`Saved::Conflict`] and runs its action again on the winner's state.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use redis::Script;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::store::{Saved, SessionStore, StoreError, StoreFuture, Stored};
use crate::redis_link::{Link, LinkError};
use crate::server::security::SessionId;

/// Writes `ARGV[2]` as version+1 when the stored version is `ARGV[1]` (`""`: nothing stored);
/// returns the new version, or 0 on a conflict.
const SAVE: &str = r"
local current = redis.call('GET', KEYS[1])
local version = 0
if current then
  version = tonumber(string.match(current, '^(%d+)\n'))
end
if ARGV[1] == '' then
  if current then return 0 end
elseif (not current) or tostring(version) ~= ARGV[1] then
  return 0
end
version = version + 1
redis.call('SET', KEYS[1], version .. '\n' .. ARGV[2], 'PX', ARGV[3])
return version
";

/// How long a broadcast's claim on a session is remembered: longer than any process takes to
/// deliver it.
const CLAIM_TTL_MS: u64 = 60_000;

/// Session states of type `S` in Redis. Made by [`Redis::store`](crate::Redis::store).
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub struct RedisSessionStore<S> {
    link: Arc<Link>,
    prefix: String,
    ttl: Duration,
    save: Arc<Script>,
    state: PhantomData<fn() -> S>,
}

impl<S> Clone for RedisSessionStore<S> {
    fn clone(&self) -> Self {
        RedisSessionStore {
            link: Arc::clone(&self.link),
            prefix: self.prefix.clone(),
            ttl: self.ttl,
            save: Arc::clone(&self.save),
            state: PhantomData,
        }
    }
}

impl<S> std::fmt::Debug for RedisSessionStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl<S> RedisSessionStore<S> {
    pub(crate) fn new(link: Arc<Link>, prefix: &str) -> Self {
        RedisSessionStore {
            link,
            prefix: prefix.to_owned(),
            ttl: Duration::from_secs(30 * 60),
            save: Arc::new(Script::new(SAVE)),
            state: PhantomData,
        }
    }

    /// How long a session's key lives without being loaded or saved. Default: 30 minutes
    /// (the default session idle time).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::from_millis(1));
        self
    }

    fn key(&self, id: &SessionId) -> String {
        format!("{}:session:{}", self.prefix, id.as_str())
    }

    fn ttl_ms(&self) -> u64 {
        u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX)
    }

    /// Runs `command` on the link (which reopens a broken connection).
    async fn query<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, StoreError> {
        self.link
            .run(|mut connection| async move { command.query_async(&mut connection).await })
            .await
            .map_err(store_error)
    }
}

fn store_error(error: LinkError) -> StoreError {
    StoreError::new(error.to_string())
}

/// Splits `<version>\n<json>`.
fn parse<S: DeserializeOwned>(value: &[u8]) -> Result<Stored<S>, StoreError> {
    let newline = value
        .iter()
        .position(|b| *b == b'\n')
        .ok_or_else(|| StoreError::new("a stored session has no version"))?;
    let version = std::str::from_utf8(&value[..newline])
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::new("a stored session has a bad version"))?;
    let state = serde_json::from_slice(&value[newline + 1..]).map_err(|error| {
        StoreError::new(format!("a stored session does not deserialize: {error}"))
    })?;
    Ok(Stored { state, version })
}

impl<S> SessionStore<S> for RedisSessionStore<S>
where
    S: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Stored<S>>> {
        Box::pin(async move {
            // GETEX renews the expiry: a session in use does not expire.
            let mut command = redis::cmd("GETEX");
            command.arg(self.key(id)).arg("PX").arg(self.ttl_ms());
            let value: Option<Vec<u8>> = self.query(&command).await?;
            value.map(|value| parse(&value)).transpose()
        })
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        state: &'a S,
        expected: Option<u64>,
    ) -> StoreFuture<'a, Saved> {
        Box::pin(async move {
            let json = serde_json::to_vec(state).map_err(|error| {
                StoreError::new(format!("the state does not serialize: {error}"))
            })?;
            let expected = expected.map(|v| v.to_string()).unwrap_or_default();
            let mut invocation = self.save.key(self.key(id));
            invocation.arg(expected).arg(json).arg(self.ttl_ms());
            let invocation = &invocation;
            let version: u64 = self
                .link
                .run(|mut connection| async move { invocation.invoke_async(&mut connection).await })
                .await
                .map_err(store_error)?;
            Ok(match version {
                0 => Saved::Conflict,
                version => Saved::Version(version),
            })
        })
    }

    fn remove<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut command = redis::cmd("DEL");
            command.arg(self.key(id));
            self.query::<()>(&command).await
        })
    }

    fn claim<'a>(&'a self, id: &'a SessionId, message: u64) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut command = redis::cmd("SET");
            command
                .arg(format!("{}:claim:{}:{message:x}", self.prefix, id.as_str()))
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(CLAIM_TTL_MS);
            let set: Option<String> = self.query(&command).await?;
            Ok(set.is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_parse_with_their_version() -> Result<(), StoreError> {
        let stored: Stored<Vec<u32>> = parse(b"7\n[1,2]")?;
        assert_eq!(
            stored,
            Stored {
                state: vec![1, 2],
                version: 7
            }
        );
        assert!(parse::<u32>(b"no version").is_err());
        assert!(parse::<u32>(b"x\n1").is_err());
        assert!(parse::<u32>(b"1\n\"not a number\"").is_err());
        Ok(())
    }
}
