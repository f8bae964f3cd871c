//! Session stores: where a session's state lives besides this process's memory, so another
//! process (or this one after a restart) can resume it.
//!
//! Without a store (the embedded default), a session group's state lives only in memory. With
//! one, a group loads the stored state when it starts and before every action, and saves it
//! after every successful action under a version check: when another process saved first, the
//! action runs again on the newer state, so no update is lost.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use crate::pubsub::lock;
use crate::server::security::SessionId;

/// A boxed future, so stores can be used as trait objects.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A stored state and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<S> {
    /// The state.
    pub state: S,
    /// Changes with every save.
    pub version: u64,
}

/// The outcome of [`SessionStore::save`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Saved; this is the new version.
    Version(u64),
    /// Another writer saved since the expected version: nothing was written.
    Conflict,
}

/// A store failed (unreachable, or the state did not serialize).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "session store: {}", self.message)
    }
}

impl std::error::Error for StoreError {}

/// Keeps session states outside the session groups, with a version per session.
pub trait SessionStore<S>: Send + Sync + 'static {
    /// The stored state of `id`, if any.
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Stored<S>>>;

    /// Stores `state` for `id` if the stored version is still `expected` (`None`: nothing is
    /// stored yet).
    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        state: &'a S,
        expected: Option<u64>,
    ) -> StoreFuture<'a, Saved>;

    /// Forgets `id`.
    fn remove<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()>;

    /// Claims the delivery of the broadcast message `message` to session `id`: `true` for the
    /// first caller only. A session whose tabs are connected to several processes has a group
    /// in each, and each hears the broadcast; the one that wins the claim runs the action (and
    /// the others catch up), so the action runs once on the shared state. Default: `true`, for
    /// stores that one process's groups alone use.
    fn claim<'a>(&'a self, id: &'a SessionId, message: u64) -> StoreFuture<'a, bool> {
        let _ = (id, message);
        Box::pin(std::future::ready(Ok(true)))
    }
}

impl<S, T: SessionStore<S>> SessionStore<S> for std::sync::Arc<T> {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Stored<S>>> {
        (**self).load(id)
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        state: &'a S,
        expected: Option<u64>,
    ) -> StoreFuture<'a, Saved> {
        (**self).save(id, state, expected)
    }

    fn remove<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        (**self).remove(id)
    }

    fn claim<'a>(&'a self, id: &'a SessionId, message: u64) -> StoreFuture<'a, bool> {
        (**self).claim(id, message)
    }
}

/// A store in this process's memory: it keeps a copy of each state. Routers sharing one store
/// share their sessions, as processes sharing a Redis would; useful for tests and for several
/// routers in one process.
pub struct MemoryStore<S> {
    sessions: Mutex<HashMap<SessionId, Stored<S>>>,
}

impl<S> std::fmt::Debug for MemoryStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("sessions", &lock(&self.sessions).len())
            .finish()
    }
}

impl<S> Default for MemoryStore<S> {
    fn default() -> Self {
        MemoryStore {
            sessions: Mutex::new(HashMap::new()),
        }
    }
}

impl<S> MemoryStore<S> {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl<S: Clone + Send + Sync + 'static> SessionStore<S> for MemoryStore<S> {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Stored<S>>> {
        let stored = lock(&self.sessions).get(id).cloned();
        Box::pin(std::future::ready(Ok(stored)))
    }

    fn save<'a>(
        &'a self,
        id: &'a SessionId,
        state: &'a S,
        expected: Option<u64>,
    ) -> StoreFuture<'a, Saved> {
        let mut sessions = lock(&self.sessions);
        let current = sessions.get(id).map(|stored| stored.version);
        let saved = if current == expected {
            let version = current.map_or(1, |v| v + 1);
            sessions.insert(
                id.clone(),
                Stored {
                    state: state.clone(),
                    version,
                },
            );
            Saved::Version(version)
        } else {
            Saved::Conflict
        };
        Box::pin(std::future::ready(Ok(saved)))
    }

    fn remove<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        lock(&self.sessions).remove(id);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn saves_only_over_the_expected_version() -> Result<(), StoreError> {
        let store = MemoryStore::<u32>::new();
        let id = SessionId::new();
        assert_eq!(store.load(&id).await?, None);
        assert_eq!(store.save(&id, &1, None).await?, Saved::Version(1));
        assert_eq!(store.save(&id, &2, None).await?, Saved::Conflict);
        assert_eq!(store.save(&id, &2, Some(1)).await?, Saved::Version(2));
        assert_eq!(store.save(&id, &3, Some(1)).await?, Saved::Conflict);
        assert_eq!(
            store.load(&id).await?,
            Some(Stored {
                state: 2,
                version: 2
            })
        );
        store.remove(&id).await?;
        assert_eq!(store.load(&id).await?, None);
        Ok(())
    }
}
