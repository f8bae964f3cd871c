//! [`RedisBroker`]: broadcasts, pushes and syncs that reach every process sharing a Redis.
//!
//! Delivery to this process's subscribers is immediate and never waits for Redis; the same
//! message is then published on a Redis channel, and every other process delivers it to its
//! own subscribers. Each message carries its process's origin id, so a process skips its own.
//!
//! Channels, under the configured prefix `p`:
//!
//! | channel | payload (JSON) | sent by |
//! |---|---|---|
//! | `p:topic:<topic>` | `{"o": origin, "i": id, "a": action, "d": data}` | [`Broker::publish`] |
//! | `p:sessions` | `{"o": origin, "s": session}` | [`Broker::announce`] |
//!
//! Two tasks talk to Redis. The *listener* holds the subscription connection: it subscribes to
//! a topic's channel when this process's first subscriber of it arrives, and when the
//! connection drops it reconnects (exponential backoff with jitter), subscribes again, and asks
//! every local subscriber to [`resync`](Subscriber::resync) once, since messages sent while it
//! was away are gone. The *publisher* sends queued messages in pipelined batches; while Redis
//! is down it holds them in a bounded outbox, logs the outage, counts them in
//! [`BrokerStats::held`], and publishes them when Redis is back (overflow is dropped, logged
//! and counted in [`BrokerStats::dropped`]).

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use redis::Client;
use redis::aio::PubSubSink;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{Broker, MemoryBroker, Message, Subscriber, lock};
use crate::redis_link::CONNECT_TIMEOUT;
use crate::redis_link::{Backoff, Link};
use crate::wire::FormData;

/// How many messages one pipelined publish carries at most.
const BATCH: usize = 512;

/// A broker shared by every process connected to one Redis. Clone it freely: clones are one
/// broker. Made by [`Redis::broker`](crate::Redis::broker).
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Clone)]
pub struct RedisBroker {
    shared: Arc<Shared>,
    control: Arc<Control>,
}

impl std::fmt::Debug for RedisBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBroker")
            .field("origin", &self.shared.origin)
            .field("prefix", &self.shared.prefix)
            .field("stats", &self.stats())
            .finish()
    }
}

/// What a [`RedisBroker`] has done so far; see [`RedisBroker::stats`].
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrokerStats {
    /// Whether the subscription connection is up (messages from other processes arrive).
    pub connected: bool,
    /// Messages (broadcasts and announcements) published to Redis.
    pub published: u64,
    /// Messages from other processes received.
    pub received: u64,
    /// Messages that found Redis unreachable and waited in the outbox (published later unless
    /// also counted in `dropped`).
    pub held: u64,
    /// Messages dropped because the outbox was full while Redis was unreachable.
    pub dropped: u64,
    /// Messages waiting in the outbox now.
    pub waiting: u64,
    /// Times the subscription connection was re-established after a loss.
    pub reconnects: u64,
}

/// The state the handle and both tasks share.
struct Shared {
    origin: String,
    prefix: String,
    /// `<prefix>:sessions`, where session changes are announced.
    sessions_channel: String,
    /// `<prefix>:topic:`, before each topic's channel name.
    topic_prefix: String,
    /// This process's subscribers, by topic.
    topics: MemoryBroker,
    /// This process's session groups following a session, by session id.
    watchers: MemoryBroker,
    /// Topics this process wants Redis messages of.
    listening: Mutex<HashSet<String>>,
    /// Topics whose Redis subscription is confirmed.
    confirmed: Mutex<HashSet<String>>,
    connected: AtomicBool,
    published: AtomicU64,
    received: AtomicU64,
    held: AtomicU64,
    dropped: AtomicU64,
    waiting: AtomicU64,
    reconnects: AtomicU64,
}

/// The task inboxes; when the last handle goes, they close and the tasks end.
struct Control {
    commands: mpsc::UnboundedSender<Command>,
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

enum Command {
    Subscribe(String),
    Unsubscribe(String),
}

struct Outgoing {
    channel: String,
    payload: Vec<u8>,
}

/// A broadcast on the wire.
#[derive(Serialize, Deserialize)]
struct Envelope {
    #[serde(rename = "o")]
    origin: String,
    #[serde(rename = "i")]
    id: u64,
    #[serde(rename = "a")]
    action: String,
    #[serde(rename = "d")]
    data: serde_json::Map<String, serde_json::Value>,
}

/// A session change on the wire.
#[derive(Serialize, Deserialize)]
struct Announcement {
    #[serde(rename = "o")]
    origin: String,
    #[serde(rename = "s")]
    session: String,
}

impl RedisBroker {
    /// Starts the listener and publisher tasks (on the current tokio runtime).
    pub(crate) fn start(
        client: Client,
        link: Arc<Link>,
        prefix: &str,
        max_backoff: Duration,
        outbox: usize,
    ) -> Self {
        let shared = Arc::new(Shared {
            origin: crate::server::security::SessionId::new()
                .as_str()
                .to_owned(),
            prefix: prefix.to_owned(),
            sessions_channel: format!("{prefix}:sessions"),
            topic_prefix: format!("{prefix}:topic:"),
            topics: MemoryBroker::new(),
            watchers: MemoryBroker::new(),
            listening: Mutex::new(HashSet::new()),
            confirmed: Mutex::new(HashSet::new()),
            connected: AtomicBool::new(false),
            published: AtomicU64::new(0),
            received: AtomicU64::new(0),
            held: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            waiting: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
        });
        let (commands, command_inbox) = mpsc::unbounded_channel();
        let (outgoing, outbox_inbox) = mpsc::unbounded_channel();
        tokio::spawn(listen(
            Arc::clone(&shared),
            client,
            Arc::clone(&link),
            command_inbox,
            max_backoff,
        ));
        tokio::spawn(publish(
            Arc::clone(&shared),
            link,
            outbox_inbox,
            outbox,
            max_backoff,
        ));
        RedisBroker {
            shared,
            control: Arc::new(Control { commands, outgoing }),
        }
    }

    /// Counters and the connection state, for metrics and health checks.
    pub fn stats(&self) -> BrokerStats {
        let s = &self.shared;
        BrokerStats {
            connected: s.connected.load(Ordering::Relaxed),
            published: s.published.load(Ordering::Relaxed),
            received: s.received.load(Ordering::Relaxed),
            held: s.held.load(Ordering::Relaxed),
            dropped: s.dropped.load(Ordering::Relaxed),
            waiting: s.waiting.load(Ordering::Relaxed),
            reconnects: s.reconnects.load(Ordering::Relaxed),
        }
    }

    /// Whether Redis has confirmed this process's subscription to `topic`: from then on,
    /// messages other processes publish to it arrive here.
    pub fn is_listening(&self, topic: &str) -> bool {
        lock(&self.shared.confirmed).contains(topic)
    }

    /// This process's origin id, carried by every message it publishes.
    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    fn send(&self, channel: String, payload: Vec<u8>) {
        if self
            .control
            .outgoing
            .send(Outgoing { channel, payload })
            .is_err()
        {
            tracing::error!("the Redis publisher task has stopped; message dropped");
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Shared {
    fn topic_channel(&self, topic: &str) -> String {
        format!("{}{topic}", self.topic_prefix)
    }

    /// Hands one Redis message to this process's subscribers; `Some(topic)` when nobody here
    /// listens to that topic any more (the caller unsubscribes).
    fn receive(&self, channel: &str, payload: &[u8]) -> Option<String> {
        if channel == self.sessions_channel {
            let Ok(announcement) = serde_json::from_slice::<Announcement>(payload) else {
                tracing::warn!(%channel, "unreadable announcement from Redis; ignored");
                return None;
            };
            if announcement.origin != self.origin {
                self.received.fetch_add(1, Ordering::Relaxed);
                for watcher in self.watchers.subscribers(&announcement.session) {
                    watcher.resync();
                }
            }
            return None;
        }
        let topic = channel.strip_prefix(&self.topic_prefix)?;
        let Ok(envelope) = serde_json::from_slice::<Envelope>(payload) else {
            tracing::warn!(%channel, "unreadable broadcast from Redis; ignored");
            return None;
        };
        if envelope.origin == self.origin {
            return None;
        }
        self.received.fetch_add(1, Ordering::Relaxed);
        let message = Message {
            action: envelope.action,
            data: FormData::from(envelope.data),
            id: envelope.id,
        };
        let listening = lock(&self.listening);
        let subscribers = self.topics.subscribers(topic);
        if subscribers.is_empty() {
            // Every local subscriber of it has expired: stop hearing the topic.
            return listening.contains(topic).then(|| topic.to_owned());
        }
        drop(listening);
        for subscriber in subscribers {
            subscriber.deliver(topic, message.clone());
        }
        None
    }

    /// Asks every local subscriber and session watcher to catch up, once.
    fn resync_everyone(&self) {
        let mut seen = HashSet::new();
        for subscriber in self
            .topics
            .everyone()
            .into_iter()
            .chain(self.watchers.everyone())
        {
            if seen.insert(Arc::as_ptr(&subscriber).cast::<()>()) {
                subscriber.resync();
            }
        }
    }
}

impl Broker for RedisBroker {
    fn subscribe(&self, topic: &str, subscriber: Weak<dyn Subscriber>) {
        let mut listening = lock(&self.shared.listening);
        self.shared.topics.subscribe(topic, subscriber);
        if listening.insert(topic.to_owned()) {
            let _ = self
                .control
                .commands
                .send(Command::Subscribe(topic.to_owned()));
        }
    }

    fn unsubscribe(&self, topic: &str, subscriber: &Weak<dyn Subscriber>) {
        let mut listening = lock(&self.shared.listening);
        self.shared.topics.unsubscribe(topic, subscriber);
        if !self.shared.topics.has_subscribers(topic) && listening.remove(topic) {
            let _ = self
                .control
                .commands
                .send(Command::Unsubscribe(topic.to_owned()));
        }
    }

    fn publish(&self, topic: &str, message: Message) {
        let envelope = Envelope {
            origin: self.shared.origin.clone(),
            id: message.id,
            action: message.action.clone(),
            data: message.data.as_map().clone(),
        };
        // Local subscribers first, and whatever Redis is doing.
        self.shared.topics.publish(topic, message);
        match serde_json::to_vec(&envelope) {
            Ok(payload) => self.send(self.shared.topic_channel(topic), payload),
            Err(error) => tracing::error!(%error, %topic, "cannot encode a broadcast"),
        }
    }

    fn watch(&self, session: &str, subscriber: Weak<dyn Subscriber>) {
        self.shared.watchers.subscribe(session, subscriber);
    }

    fn unwatch(&self, session: &str, subscriber: &Weak<dyn Subscriber>) {
        self.shared.watchers.unsubscribe(session, subscriber);
    }

    fn announce(&self, session: &str) {
        let announcement = Announcement {
            origin: self.shared.origin.clone(),
            session: session.to_owned(),
        };
        match serde_json::to_vec(&announcement) {
            Ok(payload) => self.send(self.shared.sessions_channel.clone(), payload),
            Err(error) => tracing::error!(%error, "cannot encode an announcement"),
        }
    }
}

/// The listener task: holds the subscription connection, reconnecting as long as a handle
/// exists.
async fn listen(
    shared: Arc<Shared>,
    client: Client,
    link: Arc<Link>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    max_backoff: Duration,
) {
    let mut backoff = Backoff::new(max_backoff);
    let mut ever_connected = false;
    let mut outage_logged = false;
    loop {
        let subscribed = async {
            let pubsub = tokio::time::timeout(CONNECT_TIMEOUT, client.get_async_pubsub()).await;
            let pubsub = match pubsub {
                Ok(result) => result?,
                Err(_) => {
                    return Err(redis::RedisError::from((
                        redis::ErrorKind::Io,
                        "connection attempt timed out",
                    )));
                }
            };
            let (mut sink, stream) = pubsub.split();
            let topics: Vec<String> = lock(&shared.listening).iter().cloned().collect();
            let mut channels = vec![shared.sessions_channel.clone()];
            channels.extend(topics.iter().map(|topic| shared.topic_channel(topic)));
            sink.subscribe(&channels).await?;
            Ok((sink, stream, topics))
        }
        .await;
        let (mut sink, mut stream, topics) = match subscribed {
            Ok(subscribed) => subscribed,
            Err(error) => {
                if !outage_logged {
                    tracing::warn!(%error, "cannot subscribe on Redis; retrying with backoff");
                    outage_logged = true;
                }
                // Wait, but keep reading commands: they are all in `listening` already and
                // take effect on reconnect; a closed inbox means the broker is gone.
                let wait = tokio::time::sleep(backoff.next_delay());
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        () = &mut wait => break,
                        command = commands.recv() => if command.is_none() { return },
                    }
                }
                continue;
            }
        };
        *lock(&shared.confirmed) = topics.into_iter().collect();
        shared.connected.store(true, Ordering::Relaxed);
        backoff.reset();
        link.wake();
        if ever_connected {
            shared.reconnects.fetch_add(1, Ordering::Relaxed);
            tracing::info!("Redis subscription restored; re-rendering every subscribed session");
            shared.resync_everyone();
        }
        ever_connected = true;
        loop {
            tokio::select! {
                message = stream.next() => {
                    let Some(message) = message else { break };
                    let unheard = shared.receive(message.get_channel_name(), message.get_payload_bytes());
                    if let Some(topic) = unheard
                        && unsubscribe(&shared, &mut sink, &topic).await.is_err()
                    {
                        break;
                    }
                }
                command = commands.recv() => {
                    let result = match command {
                        None => return,
                        Some(Command::Subscribe(topic)) => {
                            if lock(&shared.listening).contains(&topic) {
                                let result = sink.subscribe(shared.topic_channel(&topic)).await;
                                if result.is_ok() {
                                    lock(&shared.confirmed).insert(topic);
                                }
                                result
                            } else {
                                Ok(())
                            }
                        }
                        Some(Command::Unsubscribe(topic)) => unsubscribe(&shared, &mut sink, &topic).await,
                    };
                    if let Err(error) = result {
                        tracing::warn!(%error, "Redis subscription command failed");
                        break;
                    }
                }
            }
        }
        shared.connected.store(false, Ordering::Relaxed);
        lock(&shared.confirmed).clear();
        tracing::warn!("lost the Redis subscription; local delivery goes on, reconnecting");
        outage_logged = true;
    }
}

async fn unsubscribe(
    shared: &Shared,
    sink: &mut PubSubSink,
    topic: &str,
) -> redis::RedisResult<()> {
    {
        let mut listening = lock(&shared.listening);
        if shared.topics.has_subscribers(topic) {
            return Ok(());
        }
        listening.remove(topic);
    }
    lock(&shared.confirmed).remove(topic);
    sink.unsubscribe(shared.topic_channel(topic)).await
}

/// The publisher task: sends queued messages in pipelined batches; holds them while Redis is
/// unreachable.
async fn publish(
    shared: Arc<Shared>,
    link: Arc<Link>,
    mut inbox: mpsc::UnboundedReceiver<Outgoing>,
    capacity: usize,
    max_backoff: Duration,
) {
    let mut outbox: VecDeque<Outgoing> = VecDeque::new();
    let mut backoff = Backoff::new(max_backoff);
    // How many messages at the front of the outbox are already counted as held.
    let mut counted = 0_usize;
    let mut down = false;
    loop {
        if outbox.is_empty() {
            match inbox.recv().await {
                Some(message) => outbox.push_back(message),
                None => return,
            }
        }
        while let Ok(message) = inbox.try_recv() {
            outbox.push_back(message);
        }
        if down {
            // Publish what was held only once this process hears Redis again, and one
            // backoff period later: the other processes, retrying on the same schedule, have
            // subscribed again by then, so the held messages reach them.
            let mut grace: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
            loop {
                let tick = async {
                    match grace.as_mut() {
                        Some(sleep) => sleep.as_mut().await,
                        None => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                };
                tokio::select! {
                    () = tick => {
                        if grace.is_some() {
                            break;
                        }
                        if shared.connected.load(Ordering::Relaxed) {
                            grace = Some(Box::pin(tokio::time::sleep(max_backoff)));
                        }
                    }
                    message = inbox.recv() => {
                        let Some(message) = message else { return };
                        hold(&shared, &mut outbox, &mut counted, capacity, message);
                    }
                }
            }
        }
        let batch = outbox.len().min(BATCH);
        let mut pipe = redis::pipe();
        for message in outbox.iter().take(batch) {
            pipe.cmd("PUBLISH")
                .arg(&message.channel)
                .arg(&message.payload)
                .ignore();
        }
        let pipe = &pipe;
        let sent = link
            .run(|mut connection| async move { pipe.query_async::<()>(&mut connection).await })
            .await;
        match sent {
            Ok(()) => {
                outbox.drain(..batch);
                counted = counted.saturating_sub(batch);
                shared.published.fetch_add(batch as u64, Ordering::Relaxed);
                if down && outbox.is_empty() {
                    tracing::info!("Redis is back: held messages published");
                    down = false;
                    backoff.reset();
                }
            }
            Err(error) => {
                if !down {
                    tracing::warn!(%error, "cannot publish on Redis; holding messages until it is back");
                    down = true;
                }
                let fresh = outbox.len() - counted;
                shared.held.fetch_add(fresh as u64, Ordering::Relaxed);
                counted = outbox.len();
                counted -= trim(&shared, &mut outbox, capacity).min(counted);
                shared.waiting.store(outbox.len() as u64, Ordering::Relaxed);
                // Wait before the next attempt, holding whatever arrives meanwhile.
                let wait = tokio::time::sleep(backoff.next_delay());
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        () = &mut wait => break,
                        message = inbox.recv() => {
                            let Some(message) = message else { return };
                            hold(&shared, &mut outbox, &mut counted, capacity, message);
                        }
                    }
                }
            }
        }
        shared.waiting.store(outbox.len() as u64, Ordering::Relaxed);
    }
}

/// Queues `message` that arrived while Redis is unreachable: it counts as held (`counted`), and
/// the oldest past `capacity` are dropped.
fn hold(
    shared: &Shared,
    outbox: &mut VecDeque<Outgoing>,
    counted: &mut usize,
    capacity: usize,
    message: Outgoing,
) {
    outbox.push_back(message);
    *counted += 1;
    shared.held.fetch_add(1, Ordering::Relaxed);
    *counted -= trim(shared, outbox, capacity).min(*counted);
    shared.waiting.store(outbox.len() as u64, Ordering::Relaxed);
}

/// Drops the oldest messages past `capacity`; returns how many.
fn trim(shared: &Shared, outbox: &mut VecDeque<Outgoing>, capacity: usize) -> usize {
    let over = outbox.len().saturating_sub(capacity);
    if over > 0 {
        outbox.drain(..over);
        shared.dropped.fetch_add(over as u64, Ordering::Relaxed);
        tracing::warn!(
            dropped = over,
            capacity,
            "Redis outbox full while Redis is unreachable; oldest messages dropped"
        );
    }
    over
}
