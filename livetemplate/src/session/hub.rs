//! A page's topics, fanned out locally: one broker subscription per topic for all the page's
//! session groups, and a short log of each topic's messages for the groups that have no tab.
//!
//! A group with a tab open is *active* on its topics: each message reaches it at once. When
//! its last tab closes it is *parked*: it leaves the topics' delivery lists and keeps only its
//! position in the log, so a broadcast costs it nothing — not a call, not a copy — however
//! many parked groups there are. When a tab (or a request) comes back, the group reads what it
//! missed from the log and runs it in order; if the log no longer reaches back that far (more
//! than the backlog was sent since), the group mounts afresh, as after expiry.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::pubsub::{Broker, Message, Subscriber, lock};

/// A session group as the hub sees it.
pub(crate) trait Listener: Send + Sync + 'static {
    /// Runs one message of `topic`; must not block (spawn the work).
    fn hear(&self, topic: &str, message: Message);
    /// The broker may have missed messages (it reconnected): catch up and re-render.
    fn resync(&self);
}

/// The messages a parked group missed, in the order they were sent (over all its topics).
pub(crate) type Missed = Vec<(u64, String, Message)>;

/// A parked group missed more messages of a topic than the log keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lost;

/// The topics of one page.
pub(crate) struct Hub {
    broker: Arc<dyn Broker>,
    topics: Mutex<HashMap<String, Arc<Topic>>>,
    /// Numbers every message, over all topics, so a group parked on several can run what it
    /// missed in the order it was sent.
    sequence: Arc<AtomicU64>,
    /// How many messages each topic's log keeps for parked groups.
    backlog: usize,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("topics", &lock(&self.topics).len())
            .field("backlog", &self.backlog)
            .finish()
    }
}

/// One topic: its active listeners, how many groups are parked on it, and its log.
struct Topic {
    name: String,
    sequence: Arc<AtomicU64>,
    backlog: usize,
    state: Mutex<TopicState>,
}

#[derive(Default)]
struct TopicState {
    active: Vec<Weak<dyn Listener>>,
    parked: usize,
    log: VecDeque<(u64, Message)>,
    /// The newest message number dropped from the log: a group parked before it has lost it.
    trimmed: u64,
}

impl TopicState {
    fn is_unused(&self) -> bool {
        self.parked == 0 && self.active.iter().all(|l| l.strong_count() == 0)
    }
}

impl Subscriber for Topic {
    fn deliver(&self, topic: &str, message: Message) {
        let listeners: Vec<Arc<dyn Listener>> = {
            let mut state = lock(&self.state);
            // Numbered under the lock: a group parking or coming back sees a consistent cut.
            let number = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
            if state.parked > 0 && self.backlog > 0 {
                if state.log.len() == self.backlog
                    && let Some((dropped, _)) = state.log.pop_front()
                {
                    state.trimmed = dropped;
                }
                state.log.push_back((number, message.clone()));
            } else if state.parked > 0 {
                state.trimmed = number;
            }
            state.active.retain(|l| l.strong_count() > 0);
            state.active.iter().filter_map(Weak::upgrade).collect()
        };
        for listener in listeners {
            listener.hear(topic, message.clone());
        }
    }

    fn resync(&self) {
        let listeners: Vec<_> = lock(&self.state)
            .active
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for listener in listeners {
            listener.resync();
        }
    }
}

impl Hub {
    pub(crate) fn new(broker: Arc<dyn Broker>, backlog: usize) -> Self {
        Hub {
            broker,
            topics: Mutex::new(HashMap::new()),
            sequence: Arc::new(AtomicU64::new(0)),
            backlog,
        }
    }

    /// `topic`'s entry, subscribing to the broker when it is new.
    fn topic(&self, name: &str) -> Arc<Topic> {
        let mut topics = lock(&self.topics);
        if let Some(topic) = topics.get(name) {
            return Arc::clone(topic);
        }
        let topic = Arc::new(Topic {
            name: name.to_owned(),
            sequence: Arc::clone(&self.sequence),
            backlog: self.backlog,
            state: Mutex::new(TopicState::default()),
        });
        topics.insert(name.to_owned(), Arc::clone(&topic));
        let weak: Weak<dyn Subscriber> = Arc::downgrade(&topic) as Weak<dyn Subscriber>;
        self.broker.subscribe(name, weak);
        topic
    }

    /// Forgets `topic` once nobody is active or parked on it.
    fn drop_if_unused(&self, topic: &Arc<Topic>) {
        let mut topics = lock(&self.topics);
        if !lock(&topic.state).is_unused() {
            return;
        }
        if topics
            .get(&topic.name)
            .is_some_and(|known| Arc::ptr_eq(known, topic))
        {
            topics.remove(&topic.name);
            let weak: Weak<dyn Subscriber> = Arc::downgrade(topic) as Weak<dyn Subscriber>;
            self.broker.unsubscribe(&topic.name, &weak);
        }
    }

    /// Adds `listener` to `topic`, active (`None`) or parked; parked, it returns its position.
    pub(crate) fn join(
        &self,
        name: &str,
        listener: Weak<dyn Listener>,
        parked: bool,
    ) -> Option<u64> {
        let topic = self.topic(name);
        let mut state = lock(&topic.state);
        if parked {
            state.parked += 1;
            Some(self.sequence.load(Ordering::Relaxed))
        } else {
            if !state.active.iter().any(|l| Weak::ptr_eq(l, &listener)) {
                state.active.push(listener);
            }
            None
        }
    }

    /// Removes `listener` from `topic`, where it was active or (`parked`) parked.
    pub(crate) fn leave(&self, name: &str, listener: &Weak<dyn Listener>, parked: bool) {
        let Some(topic) = lock(&self.topics).get(name).cloned() else {
            return;
        };
        {
            let mut state = lock(&topic.state);
            if parked {
                state.parked = state.parked.saturating_sub(1);
                if state.parked == 0 {
                    state.log.clear();
                }
            } else {
                state
                    .active
                    .retain(|l| l.strong_count() > 0 && !Weak::ptr_eq(l, listener));
            }
        }
        self.drop_if_unused(&topic);
    }

    /// Parks `listener` on `topic`: it stops receiving and keeps its position (returned).
    pub(crate) fn park(&self, name: &str, listener: &Weak<dyn Listener>) -> u64 {
        let topic = self.topic(name);
        let mut state = lock(&topic.state);
        state
            .active
            .retain(|l| l.strong_count() > 0 && !Weak::ptr_eq(l, listener));
        state.parked += 1;
        self.sequence.load(Ordering::Relaxed)
    }

    /// Makes `listener` active on `topic` again and returns what it missed since `position`,
    /// or [`Lost`] when the log no longer reaches back that far (it is active again either way).
    pub(crate) fn unpark(
        &self,
        name: &str,
        listener: Weak<dyn Listener>,
        position: u64,
    ) -> Result<Vec<(u64, Message)>, Lost> {
        let topic = self.topic(name);
        let mut state = lock(&topic.state);
        let missed = if state.trimmed > position {
            Err(Lost)
        } else {
            Ok(state
                .log
                .iter()
                .filter(|(number, _)| *number > position)
                .cloned()
                .collect())
        };
        state.parked = state.parked.saturating_sub(1);
        if state.parked == 0 {
            state.log.clear();
        }
        if !state.active.iter().any(|l| Weak::ptr_eq(l, &listener)) {
            state.active.push(listener);
        }
        missed
    }

    /// How many topics the hub follows.
    #[cfg(test)]
    pub(crate) fn topic_count(&self) -> usize {
        lock(&self.topics).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pubsub::MemoryBroker;
    use crate::wire::FormData;

    #[derive(Default)]
    struct Inbox(Mutex<Vec<String>>);

    impl Listener for Inbox {
        fn hear(&self, _topic: &str, message: Message) {
            lock(&self.0).push(message.action);
        }
        fn resync(&self) {}
    }

    fn say(broker: &MemoryBroker, topic: &str, action: &str) {
        broker.publish(topic, Message::new(action, FormData::new()));
    }

    fn actions(missed: &[(u64, Message)]) -> Vec<&str> {
        missed.iter().map(|(_, m)| m.action.as_str()).collect()
    }

    #[test]
    fn a_parked_listener_hears_nothing_and_reads_what_it_missed_on_return() -> Result<(), Lost> {
        let broker = Arc::new(MemoryBroker::new());
        let hub = Hub::new(Arc::clone(&broker) as Arc<dyn Broker>, 4);
        let (a, b) = (Arc::new(Inbox::default()), Arc::new(Inbox::default()));
        let (wa, wb) = (
            Arc::downgrade(&a) as Weak<dyn Listener>,
            Arc::downgrade(&b) as Weak<dyn Listener>,
        );
        hub.join("room", wa.clone(), false);
        hub.join("room", wb.clone(), false);
        say(&broker, "room", "one");
        let position = hub.park("room", &wb);
        say(&broker, "room", "two");
        say(&broker, "room", "three");
        assert_eq!(*lock(&a.0), ["one", "two", "three"]);
        assert_eq!(*lock(&b.0), ["one"], "parked: not called");
        let missed = hub.unpark("room", wb, position)?;
        assert_eq!(actions(&missed), ["two", "three"]);
        say(&broker, "room", "four");
        assert_eq!(*lock(&b.0), ["one", "four"], "active again");
        Ok(())
    }

    #[test]
    fn a_listener_parked_past_the_backlog_is_told_it_lost_messages() {
        let broker = Arc::new(MemoryBroker::new());
        let hub = Hub::new(Arc::clone(&broker) as Arc<dyn Broker>, 2);
        let inbox = Arc::new(Inbox::default());
        let weak = Arc::downgrade(&inbox) as Weak<dyn Listener>;
        let position = hub.join("room", weak.clone(), true).unwrap_or_default();
        for action in ["a", "b", "c"] {
            say(&broker, "room", action);
        }
        assert_eq!(hub.unpark("room", weak, position), Err(Lost));
    }

    #[test]
    fn without_parked_listeners_nothing_is_logged_and_unused_topics_are_dropped() {
        let broker = Arc::new(MemoryBroker::new());
        let hub = Hub::new(Arc::clone(&broker) as Arc<dyn Broker>, 8);
        let inbox = Arc::new(Inbox::default());
        let weak = Arc::downgrade(&inbox) as Weak<dyn Listener>;
        hub.join("room", weak.clone(), false);
        say(&broker, "room", "x");
        let topic = hub.topic("room");
        assert!(lock(&topic.state).log.is_empty());
        hub.leave("room", &weak, false);
        assert_eq!(hub.topic_count(), 0);
        assert!(broker.subscribers("room").is_empty());
    }

    #[test]
    fn messages_missed_on_several_topics_keep_their_order() -> Result<(), Lost> {
        let broker = Arc::new(MemoryBroker::new());
        let hub = Hub::new(Arc::clone(&broker) as Arc<dyn Broker>, 8);
        let inbox = Arc::new(Inbox::default());
        let weak = Arc::downgrade(&inbox) as Weak<dyn Listener>;
        let here = hub.join("here", weak.clone(), true).unwrap_or_default();
        let there = hub.join("there", weak.clone(), true).unwrap_or_default();
        say(&broker, "there", "1");
        say(&broker, "here", "2");
        say(&broker, "there", "3");
        let mut missed = hub.unpark("here", weak.clone(), here)?;
        missed.extend(hub.unpark("there", weak, there)?);
        missed.sort_by_key(|(number, _)| *number);
        assert_eq!(actions(&missed), ["1", "2", "3"]);
        Ok(())
    }
}
