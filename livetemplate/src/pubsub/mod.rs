//! Fan-out: actions broadcast to a topic reach every session group subscribed to it.
//!
//! [`MemoryBroker`] is the embedded default: subscriptions live in this process. A broker
//! holds subscribers weakly, so a session group that expires leaves its topics by itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use crate::wire::FormData;

/// An action sent to a topic: each subscriber runs it on its own state.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The action to run.
    pub action: String,
    /// Its data.
    pub data: FormData,
}

/// Receives the messages of the topics it subscribed to.
pub trait Subscriber: Send + Sync + 'static {
    /// Handles one message; must not block (spawn the work).
    fn deliver(&self, topic: &str, message: Message);
}

/// Delivers messages published to a topic to its subscribers.
pub trait Broker: Send + Sync + 'static {
    /// Adds `subscriber` to `topic` (once; subscribing again is a no-op).
    fn subscribe(&self, topic: &str, subscriber: Weak<dyn Subscriber>);
    /// Removes `subscriber` from `topic`.
    fn unsubscribe(&self, topic: &str, subscriber: &Weak<dyn Subscriber>);
    /// Sends `message` to every subscriber of `topic`.
    fn publish(&self, topic: &str, message: Message);
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
        Message {
            action: action.to_owned(),
            data: FormData::new(),
        }
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
