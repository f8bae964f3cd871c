//! Fan-out: actions broadcast to a topic reach every session group subscribed to it.
//!
//! [`MemoryBroker`] is the embedded default: subscriptions live in this process. A broker
//! holds subscribers weakly, so a session group that expires leaves its topics by itself.
//! With the `redis` feature, `RedisBroker` carries messages to every process sharing a Redis.

#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::{BrokerStats, RedisBroker};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use crate::wire::FormData;

/// An action sent to a topic: each subscriber runs it on its own state.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The action to run.
    pub action: String,
    /// Its data.
    pub data: FormData,
    /// Tells this message apart from every other (random per process, then counted): a session
    /// whose groups live in several processes runs it once (see
    /// [`SessionStore::claim`](crate::session::SessionStore::claim)).
    pub id: u64,
}

impl Message {
    /// A message running `action` with `data`, with a new [`id`](Message::id).
    pub fn new(action: impl Into<String>, data: FormData) -> Self {
        static BASE: OnceLock<u64> = OnceLock::new();
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let base = *BASE.get_or_init(|| getrandom::u64().unwrap_or_default());
        Message {
            action: action.into(),
            data,
            id: base.wrapping_add(COUNT.fetch_add(1, Ordering::Relaxed)),
        }
    }
}

/// Receives the messages of the topics it subscribed to.
pub trait Subscriber: Send + Sync + 'static {
    /// Handles one message; must not block (spawn the work).
    fn deliver(&self, topic: &str, message: Message);

    /// Catches up with changes made elsewhere and re-renders: the session changed in another
    /// process, or the broker may have missed messages while it reconnected. Must not block.
    /// Default: nothing.
    fn resync(&self) {}
}

/// Delivers messages published to a topic to its subscribers.
pub trait Broker: Send + Sync + 'static {
    /// Adds `subscriber` to `topic` (once; subscribing again is a no-op).
    fn subscribe(&self, topic: &str, subscriber: Weak<dyn Subscriber>);
    /// Removes `subscriber` from `topic`.
    fn unsubscribe(&self, topic: &str, subscriber: &Weak<dyn Subscriber>);
    /// Sends `message` to every subscriber of `topic`.
    fn publish(&self, topic: &str, message: Message);

    /// Follows `session`: `subscriber.resync()` runs when another process
    /// [announces](Broker::announce) a change of it. Default: nothing (in one process, the
    /// tabs of a session share one group, so there is no one else to hear from).
    fn watch(&self, session: &str, subscriber: Weak<dyn Subscriber>) {
        let _ = (session, subscriber);
    }

    /// Stops following `session` for `subscriber` (subscribers that are gone are dropped too).
    fn unwatch(&self, session: &str, subscriber: &Weak<dyn Subscriber>) {
        let _ = (session, subscriber);
    }

    /// Tells the other processes that `session`'s stored state changed, so their tabs of it
    /// catch up. Default: nothing.
    fn announce(&self, session: &str) {
        let _ = session;
    }
}

/// Subscriptions in this process.
#[derive(Default)]
pub struct MemoryBroker {
    topics: Mutex<HashMap<String, Vec<Weak<dyn Subscriber>>>>,
}

impl std::fmt::Debug for MemoryBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let topics = self.topics.lock().map(|t| t.len()).unwrap_or_default();
        f.debug_struct("MemoryBroker")
            .field("topics", &topics)
            .finish()
    }
}

impl MemoryBroker {
    /// A broker with no subscriptions.
    pub fn new() -> Self {
        MemoryBroker::default()
    }
}

impl Broker for MemoryBroker {
    fn subscribe(&self, topic: &str, subscriber: Weak<dyn Subscriber>) {
        let mut topics = lock(&self.topics);
        let list = topics.entry(topic.to_owned()).or_default();
        list.retain(|s| s.strong_count() > 0);
        if !list.iter().any(|s| Weak::ptr_eq(s, &subscriber)) {
            list.push(subscriber);
        }
    }

    fn unsubscribe(&self, topic: &str, subscriber: &Weak<dyn Subscriber>) {
        let mut topics = lock(&self.topics);
        if let Some(list) = topics.get_mut(topic) {
            list.retain(|s| s.strong_count() > 0 && !Weak::ptr_eq(s, subscriber));
            if list.is_empty() {
                topics.remove(topic);
            }
        }
    }

    fn publish(&self, topic: &str, message: Message) {
        // Deliver outside the lock: a subscriber may subscribe in turn.
        let subscribers: Vec<Arc<dyn Subscriber>> = {
            let mut topics = lock(&self.topics);
            let Some(list) = topics.get_mut(topic) else {
                return;
            };
            list.retain(|s| s.strong_count() > 0);
            list.iter().filter_map(Weak::upgrade).collect()
        };
        for subscriber in subscribers {
            subscriber.deliver(topic, message.clone());
        }
    }
}

impl MemoryBroker {
    /// The live subscribers of `topic` (a topic with none left is forgotten, which `publish`
    /// does not do: its entry stays until unsubscribed).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn subscribers(&self, topic: &str) -> Vec<Arc<dyn Subscriber>> {
        let mut topics = lock(&self.topics);
        let Some(list) = topics.get_mut(topic) else {
            return Vec::new();
        };
        list.retain(|s| s.strong_count() > 0);
        let live: Vec<_> = list.iter().filter_map(Weak::upgrade).collect();
        if live.is_empty() {
            topics.remove(topic);
        }
        live
    }

    /// Whether `topic` has a live subscriber.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn has_subscribers(&self, topic: &str) -> bool {
        lock(&self.topics)
            .get(topic)
            .is_some_and(|list| list.iter().any(|s| s.strong_count() > 0))
    }

    /// Every live subscriber of every topic (one subscribed to several topics comes once per
    /// topic: the caller removes the repeats).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn everyone(&self) -> Vec<Arc<dyn Subscriber>> {
        let topics = lock(&self.topics);
        topics
            .values()
            .flatten()
            .filter_map(Weak::upgrade)
            .collect()
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the maps here stay
/// consistent: every update is one insert or retain).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Inbox(Mutex<Vec<(String, String)>>);

    impl Subscriber for Inbox {
        fn deliver(&self, topic: &str, message: Message) {
            lock(&self.0).push((topic.to_owned(), message.action));
        }
    }

    fn message(action: &str) -> Message {
        Message::new(action, FormData::new())
    }

    #[test]
    fn delivers_to_subscribers_of_the_topic_only() {
        let broker = MemoryBroker::new();
        let (a, b) = (Arc::new(Inbox::default()), Arc::new(Inbox::default()));
        let (wa, wb): (Weak<dyn Subscriber>, Weak<dyn Subscriber>) =
            (Arc::downgrade(&a) as _, Arc::downgrade(&b) as _);
        broker.subscribe("room:1", wa.clone());
        broker.subscribe("room:1", wa.clone());
        broker.subscribe("room:2", wb.clone());
        broker.publish("room:1", message("send"));
        assert_eq!(
            lock(&a.0).as_slice(),
            &[("room:1".to_owned(), "send".to_owned())]
        );
        assert!(lock(&b.0).is_empty());
        broker.unsubscribe("room:1", &wa);
        broker.publish("room:1", message("again"));
        assert_eq!(lock(&a.0).len(), 1);
    }

    #[test]
    fn dropped_subscribers_leave_by_themselves() {
        let broker = MemoryBroker::new();
        let inbox = Arc::new(Inbox::default());
        broker.subscribe("t", Arc::downgrade(&inbox) as Weak<dyn Subscriber>);
        drop(inbox);
        broker.publish("t", message("x"));
        assert!(lock(&broker.topics)["t"].is_empty());
    }
}
