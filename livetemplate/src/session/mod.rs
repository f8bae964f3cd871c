//! Session groups: one state per browser and live page, shared by the browser's tabs, changed
//! by one action at a time.
//!
//! A group is created by `mount` on a browser's first request and lives in memory (the
//! embedded default) while tabs are connected; once the last tab has gone it expires after the
//! configured idle time, or sooner when the session caps need room
//! ([`Config::max_sessions`](crate::Config::max_sessions)). Each group keeps its latest
//! render, so a tab that must catch up diffs against it instead of rendering again.
//!
//! A group with no open tab runs no broadcast: it is parked on its topics and runs what it
//! missed when a tab or a request comes back, so closed tabs cost a broadcast nothing. Past
//! [`Config::broadcast_backlog`](crate::Config::broadcast_backlog) it mounts afresh, as after
//! expiry.

mod budget;
pub(crate) mod census;
mod hub;
#[cfg(feature = "redis")]
mod redis;
mod scope;
mod store;

#[cfg(feature = "redis")]
pub use self::redis::RedisSessionStore;
pub(crate) use budget::OverBudget;
pub(crate) use scope::Scope;
pub use store::{MemoryStore, Saved, SessionStore, StoreError, StoreFuture, Stored};

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::controller::{Context, Outcome, act};
use crate::pubsub::{Broker, Message, Subscriber, lock};
use crate::render::Rendered;
pub use crate::server::security::SessionId;
use crate::{ActionError, LiveController, LiveTemplate, RenderError};
use census::{Census, Evict, Full, Orphan, Seat};
use hub::{Hub, Listener, Lost};

/// How many messages each topic keeps for groups with no open tab, unless configured.
pub(crate) const DEFAULT_BACKLOG: usize = 64;

/// What a group costs besides its state and render (its maps, locks and channels), counted in
/// its memory estimate.
const GROUP_OVERHEAD: usize = 1024;

/// Why a session could not be started.
#[derive(Debug)]
pub(crate) enum MountError {
    /// `mount` (or `on_connect`) returned an error.
    Mount(ActionError),
    /// The mounted state does not render.
    Render(RenderError),
    /// A session cap is reached and every session under it has an open tab.
    Full(Full),
}

impl std::fmt::Display for MountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MountError::Mount(e) => write!(f, "mount failed: {e}"),
            MountError::Render(e) => write!(f, "the mounted state does not render: {e}"),
            MountError::Full(full) => write!(f, "{} ({})", full.message(), full.setting()),
        }
    }
}

impl std::error::Error for MountError {}

/// A group whose session was rotated: its state lives under a new id, and it runs nothing
/// more (so a tab of the old id, the attacker's among them, never sees or acts on the state
/// the rotating action produced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retired;

impl std::fmt::Display for Retired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the session was rotated")
    }
}

impl std::error::Error for Retired {}

/// What a tab's connection receives from its group: a wake-up to catch up to the group's
/// latest render ([`Group::tree`]). Wake-ups coalesce: a tab holds at most one, however many
/// renders happened since it last looked, so a busy tab never falls "behind" (it skips straight
/// to the newest render) and a burst of other tabs' syncs costs it nothing while it waits.
pub(crate) type TabEvents = mpsc::Receiver<()>;

/// The session groups of one live page.
pub(crate) struct Groups<C: LiveController> {
    controller: Arc<C>,
    broker: Arc<dyn Broker>,
    store: Option<Arc<dyn SessionStore<C::State>>>,
    groups: Mutex<HashMap<SessionId, Arc<Group<C>>>>,
    idle: Duration,
    actions_per_second: u32,
    /// Counts every group against the router's session caps.
    census: Arc<Census>,
    /// The page's topics, shared by its groups.
    hub: Arc<Hub>,
    /// When idle groups were last dropped: sweeping walks every group, so it runs at most
    /// once a second, not on every request.
    last_sweep: Mutex<Instant>,
}

impl<C: LiveController> std::fmt::Debug for Groups<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groups")
            .field("groups", &lock(&self.groups).len())
            .field("idle", &self.idle)
            .finish()
    }
}

impl<C: LiveController> Groups<C> {
    /// Groups for `controller`, expiring `idle` after their last tab left; each session may
    /// send `actions_per_second` actions a second over all its transports together.
    pub(crate) fn new(
        controller: Arc<C>,
        broker: Arc<dyn Broker>,
        idle: Duration,
        actions_per_second: u32,
    ) -> Self {
        Groups {
            controller,
            broker: Arc::clone(&broker),
            store: None,
            groups: Mutex::new(HashMap::new()),
            idle,
            actions_per_second,
            census: Census::new(census::Caps {
                sessions: usize::MAX,
                per_client: usize::MAX,
                memory: usize::MAX,
            }),
            hub: Arc::new(Hub::new(broker, DEFAULT_BACKLOG)),
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// Counts groups in `census` (the router's, shared by its pages), and keeps the last
    /// `backlog` messages of each topic for groups with no open tab.
    pub(crate) fn with_census(mut self, census: Arc<Census>, backlog: usize) -> Self {
        self.census = census;
        self.hub = Arc::new(Hub::new(Arc::clone(&self.broker), backlog));
        self
    }

    /// Keeps states in `store` as well, so other processes (or a restart) can resume them.
    pub(crate) fn with_store(mut self, store: Arc<dyn SessionStore<C::State>>) -> Self {
        self.store = Some(store);
        self
    }

    /// The group of `id`, if it exists.
    pub(crate) fn get(&self, id: &SessionId) -> Option<Arc<Group<C>>> {
        lock(&self.groups).get(id).cloned()
    }

    /// The group of `scope`, mounting it with `ctx` (the request's query, user and path
    /// parameters) when new; a new group takes a seat in the census for `client`. Broadcasts
    /// the group missed while it had no tab run first.
    pub(crate) async fn get_or_mount(
        &self,
        scope: &Scope,
        ctx: &mut Context,
        client: Option<IpAddr>,
    ) -> Result<Arc<Group<C>>, MountError> {
        self.sweep_now_and_then();
        let id = scope.key();
        // A retired group is on its way out of the table: its id mounts afresh.
        if let Some(group) = self.get(id)
            && !group.is_retired()
        {
            group.replay_missed(ctx).await;
            return Ok(group);
        }
        // The seat first: at the cap, a flood of new sessions is refused before `mount` runs.
        let seat = self.census.admit(client).map_err(MountError::Full)?;
        let (state, version) = self.initial_state(id, ctx).await?;
        let tree = state.render_tree().map_err(MountError::Render)?;
        let group = self.build(scope, state, Arc::new(tree), version, seat);
        Ok(self.insert(group))
    }

    /// A group, not yet registered.
    fn build(
        &self,
        scope: &Scope,
        state: C::State,
        tree: Arc<Rendered>,
        version: Option<u64>,
        seat: Seat,
    ) -> Arc<Group<C>> {
        seat.resize(estimate(&tree));
        let group = Arc::new(Group {
            scope: scope.clone(),
            controller: Arc::clone(&self.controller),
            broker: Arc::clone(&self.broker),
            hub: Arc::clone(&self.hub),
            state: tokio::sync::Mutex::new(state),
            tree: Mutex::new(tree),
            tabs: Mutex::new(Tabs::default()),
            idle_since: Mutex::new(Some(Instant::now())),
            topics: Mutex::new(BTreeMap::new()),
            budget: Mutex::new(budget::Budget::new(self.actions_per_second)),
            me: Mutex::new(Weak::new()),
            store: self.store.clone(),
            version: Mutex::new(version),
            unsaved: AtomicBool::new(false),
            retired: AtomicBool::new(false),
            seat,
            missed: Mutex::new(Missed::default()),
            replay: tokio::sync::Mutex::new(()),
        });
        *lock(&group.me) = Arc::downgrade(&group);
        group
    }

    /// Registers `group`, unless its id has one already (returned instead); a retired one is
    /// replaced.
    fn insert(&self, group: Arc<Group<C>>) -> Arc<Group<C>> {
        let id = group.id().clone();
        // Two first requests of one browser may race: the first group in wins.
        let (group, new) = {
            let mut groups = lock(&self.groups);
            match groups.entry(id.clone()) {
                std::collections::hash_map::Entry::Occupied(mut entry) => {
                    if entry.get().is_retired() {
                        entry.insert(Arc::clone(&group));
                        (group, true)
                    } else {
                        (Arc::clone(entry.get()), false)
                    }
                }
                std::collections::hash_map::Entry::Vacant(entry) => {
                    (Arc::clone(entry.insert(group)), true)
                }
            }
        };
        if new && self.store.is_some() {
            // A stored session may have tabs in other processes: hear of their changes.
            let me: Weak<dyn Subscriber> = lock(&group.me).clone();
            self.broker.watch(id.as_str(), me);
        }
        group
    }

    /// Gives session `old` a new id (a login: `old` may have been planted by an attacker, who
    /// knows it). This page's state at `old`'s URL moves to the new id — with a store, the
    /// stored state does, and the old entry is removed — and `old` stops naming it: a request
    /// with `old` mounts afresh. The old group's tabs are closed (1013); they reconnect with
    /// the cookie the browser got meanwhile. Returns the new session id.
    pub(crate) async fn rotate(&self, old: &Scope) -> SessionId {
        let group = self.get(old.key()).filter(|group| !group.is_retired());
        self.rotate_group(old, group).await
    }

    /// [`rotate`](Self::rotate) after an action that asked for it (`ctx.rotate_session()`):
    /// `group` ran it and retired itself then, under its state lock; its state (with the
    /// action's changes) moves to the new id, whatever has replaced it in the table meanwhile.
    pub(crate) async fn rotate_retired(&self, group: &Arc<Group<C>>) -> SessionId {
        self.rotate_group(&group.scope, Some(Arc::clone(group)))
            .await
    }

    async fn rotate_group(&self, scope: &Scope, group: Option<Arc<Group<C>>>) -> SessionId {
        let new_session = SessionId::new();
        let new_scope = scope.for_session(new_session.clone());
        let (old, new) = (scope.key(), new_scope.key());
        if let Some(group) = &group {
            // Only this group: a fresh one mounted for the old id meanwhile stays.
            let mut groups = lock(&self.groups);
            if groups
                .get(old)
                .is_some_and(|entry| Arc::ptr_eq(entry, group))
            {
                groups.remove(old);
            }
        }
        let moved = match &group {
            Some(group) => {
                // What it missed while parked runs first, so the state moved is current.
                group.replay_missed(&scope.context()).await;
                let state = group.state.lock().await;
                // Under the state lock: no action of the old id runs after this clone.
                group.retired.store(true, Ordering::SeqCst);
                let tree = Arc::new(state.render_tree().unwrap_or_else(|error| {
                    tracing::error!(%error, "a rotated state does not render; keeping its last render");
                    (*group.tree()).clone()
                }));
                Some((state.clone(), tree))
            }
            None => None,
        };
        if let Some(store) = &self.store {
            let state = match moved {
                Some((state, _)) => Some(state),
                None => match store.load(old).await {
                    Ok(stored) => stored.map(|stored| stored.state),
                    Err(error) => {
                        tracing::warn!(%error, "cannot load a session to rotate; the new one mounts afresh");
                        None
                    }
                },
            };
            if let Some(state) = state
                && let Err(error) = store.save(new, &state, None).await
            {
                tracing::warn!(%error, "cannot save a rotated session; the new one mounts afresh");
            }
            if let Err(error) = store.remove(old).await {
                tracing::warn!(%error, "cannot remove a rotated session's old id");
            }
        } else if let (Some((state, tree)), Some(group)) = (moved, &group) {
            // The session keeps its place in the census under its new id.
            self.insert(self.build(&new_scope, state, tree, None, group.seat.hand_over()));
        }
        if let Some(group) = group {
            group.retire();
            group.seat.release();
        }
        new_session
    }

    /// A new group's state: the stored one when a store has it, else a fresh `mount` (saved).
    async fn initial_state(
        &self,
        id: &SessionId,
        ctx: &mut Context,
    ) -> Result<(C::State, Option<u64>), MountError> {
        let Some(store) = &self.store else {
            let state = self
                .controller
                .mount(ctx)
                .await
                .map_err(MountError::Mount)?;
            return Ok((state, None));
        };
        match store.load(id).await {
            Ok(Some(stored)) => return Ok((stored.state, Some(stored.version))),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot load a session; mounting afresh"),
        }
        let state = self
            .controller
            .mount(ctx)
            .await
            .map_err(MountError::Mount)?;
        match store.save(id, &state, None).await {
            Ok(Saved::Version(version)) => Ok((state, Some(version))),
            // Another process mounted it at the same moment: use theirs.
            Ok(Saved::Conflict) => match store.load(id).await {
                Ok(Some(stored)) => Ok((stored.state, Some(stored.version))),
                _ => Ok((state, None)),
            },
            Err(error) => {
                tracing::warn!(%error, "cannot save a new session");
                Ok((state, None))
            }
        }
    }

    /// How many groups are alive.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.groups).len()
    }

    /// Whether no group is alive.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn sweep_now_and_then(&self) {
        let now = Instant::now();
        let due = {
            let mut last = lock(&self.last_sweep);
            let due = now.duration_since(*last) >= Duration::from_secs(1);
            if due {
                *last = now;
            }
            due
        };
        if due {
            self.sweep();
        }
    }

    /// Drops the groups that have had no tab for longer than the idle time.
    pub(crate) fn sweep(&self) -> usize {
        let now = Instant::now();
        let due: Vec<SessionId> = lock(&self.groups)
            .iter()
            .filter(|(_, group)| {
                lock(&group.idle_since).is_some_and(|since| now.duration_since(since) >= self.idle)
            })
            .map(|(id, _)| id.clone())
            .collect();
        due.iter().filter(|id| self.evict(id)).count()
    }
}

impl<C: LiveController> Evict for Groups<C> {
    fn orphans(&self, client: Option<IpAddr>) -> Vec<Orphan> {
        lock(&self.groups)
            .values()
            .filter(|group| client.is_none() || group.seat.client() == client)
            .filter_map(|group| {
                let idle_since = (*lock(&group.idle_since))?;
                Some(Orphan {
                    idle_since,
                    id: group.id().clone(),
                    bytes: group.seat.bytes(),
                })
            })
            .collect()
    }

    /// Drops group `id` if it has no tab: it leaves its topics and gives its seat back at
    /// once (a task may still hold it for a moment), and a tab attaching to it meanwhile is
    /// refused, so its browser reaches the group mounted next.
    fn evict(&self, id: &SessionId) -> bool {
        let group = {
            let mut groups = lock(&self.groups);
            let Some(group) = groups.get(id) else {
                return false;
            };
            {
                let mut tabs = lock(&group.tabs);
                if tabs.live > 0 {
                    return false;
                }
                tabs.retired = true;
            }
            groups.remove(id)
        };
        if let Some(group) = group {
            group.retire();
            group.seat.release();
        }
        true
    }
}

/// A group's memory estimate: its latest render twice (once for the render, once for the
/// state it came from, which for a template-shaped state holds about as much) and a fixed
/// overhead.
fn estimate(tree: &Rendered) -> usize {
    2 * tree.heap_bytes() + GROUP_OVERHEAD
}

/// One browser's state for one live page, and its connected tabs.
pub(crate) struct Group<C: LiveController> {
    /// Its session and URL; its key names it in the page's table and in the store.
    scope: Scope,
    controller: Arc<C>,
    broker: Arc<dyn Broker>,
    hub: Arc<Hub>,
    state: tokio::sync::Mutex<C::State>,
    tree: Mutex<Arc<Rendered>>,
    tabs: Mutex<Tabs>,
    idle_since: Mutex<Option<Instant>>,
    /// Its topics: `None` where it is active, its position in the topic's log where parked.
    topics: Mutex<BTreeMap<String, Option<u64>>>,
    /// The session's action budget, shared by its sockets and its POSTs.
    budget: Mutex<budget::Budget>,
    /// Itself, weakly: what it hands the broker as a subscriber.
    me: Mutex<Weak<Group<C>>>,
    store: Option<Arc<dyn SessionStore<C::State>>>,
    /// The stored version the in-memory state matches (changed only under the state lock).
    version: Mutex<Option<u64>>,
    /// Whether the in-memory state has changes the store could not take (it was
    /// unreachable); [`Subscriber::resync`] saves them once it is back.
    unsaved: AtomicBool,
    /// Whether the session was rotated away from this group (set under the state lock):
    /// it then runs no action and hook, and its tabs are closed.
    retired: AtomicBool,
    /// Its place in the census, sized by its memory estimate.
    seat: Seat,
    /// Whether it is catching up on what it missed while parked, and what arrives meanwhile.
    /// Its lock also orders parking against tabs coming and going.
    missed: Mutex<Missed>,
    /// Held while missed broadcasts run, so two returning requests run them once, in order.
    replay: tokio::sync::Mutex<()>,
}

/// A group catching up on the messages it missed while parked.
#[derive(Default)]
struct Missed {
    /// Whether [`Group::replay_missed`] is running them: messages arriving meanwhile queue
    /// up behind them, so they run in the order they were sent.
    replaying: bool,
    queue: VecDeque<(String, Message)>,
}

impl<C: LiveController> std::fmt::Debug for Group<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("id", self.id())
            .field("tabs", &lock(&self.tabs).live)
            .finish()
    }
}

/// A group's tabs. `list` holds the ones that receive updates; `live` counts every [`Tab`] not
/// yet dropped, including one dropped from `list` for falling behind whose connection has not
/// ended yet: the connection limit counts sockets, not listeners.
#[derive(Default)]
struct Tabs {
    next: u64,
    live: usize,
    list: Vec<(u64, mpsc::Sender<()>)>,
    /// The group was evicted, rotated or forgotten: no tab may attach any more.
    retired: bool,
}

/// Why a tab could not attach to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttachError {
    /// The session has its limit of live connections.
    Full,
    /// The group was dropped meanwhile: the session's next group takes the tab.
    Retired,
}

/// A tab's registration in its group, held by its connection until the socket is gone;
/// dropping it detaches the tab and frees its slot.
#[derive(Debug)]
pub(crate) struct Tab<C: LiveController> {
    id: u64,
    group: Arc<Group<C>>,
}

impl<C: LiveController> Tab<C> {
    /// The tab's id within its group.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }
}

impl<C: LiveController> Drop for Tab<C> {
    fn drop(&mut self) {
        let last = {
            let mut tabs = lock(&self.group.tabs);
            tabs.list.retain(|(id, _)| *id != self.id);
            tabs.live = tabs.live.saturating_sub(1);
            if tabs.live == 0 {
                *lock(&self.group.idle_since) = Some(Instant::now());
            }
            tabs.live == 0
        };
        if last {
            self.group.park();
        }
    }
}

impl<C: LiveController> Group<C> {
    /// The state's key: the session id on an exact route, derived from it and the URL on a
    /// route with parameters (see [`Scope`]).
    pub(crate) fn id(&self) -> &SessionId {
        self.scope.key()
    }

    /// Its session and URL.
    pub(crate) fn scope(&self) -> &Scope {
        &self.scope
    }

    /// A context of its session at its URL (session id and path parameters set).
    pub(crate) fn context(&self) -> Context {
        self.scope.context()
    }

    /// The latest render. Read it before checking [`is_retired`](Self::is_retired): a
    /// rotating action marks the group retired before it stores its render, so a render read
    /// from a group not yet retired never holds the state the rotation moved away.
    pub(crate) fn tree(&self) -> Arc<Rendered> {
        Arc::clone(&lock(&self.tree))
    }

    /// Whether the session was rotated away from this group ([`Retired`]).
    pub(crate) fn is_retired(&self) -> bool {
        self.retired.load(Ordering::SeqCst)
    }

    /// Connects a tab: it receives the renders other tabs' actions produce.
    #[cfg(test)]
    pub(crate) fn attach(self: &Arc<Self>) -> (Tab<C>, TabEvents) {
        self.try_attach(usize::MAX)
            .unwrap_or_else(|_| unreachable!("no limit, not retired"))
    }

    /// Connects a tab unless `limit` tabs are live already (check and registration are one
    /// step, so concurrent handshakes cannot overshoot it) or the group was dropped.
    pub(crate) fn try_attach(
        self: &Arc<Self>,
        limit: usize,
    ) -> Result<(Tab<C>, TabEvents), AttachError> {
        let mut tabs = lock(&self.tabs);
        if tabs.retired || self.is_retired() {
            return Err(AttachError::Retired);
        }
        if tabs.live >= limit {
            return Err(AttachError::Full);
        }
        // One slot: a pending wake-up already covers every later render.
        let (sender, receiver) = mpsc::channel(1);
        tabs.live += 1;
        tabs.next += 1;
        let id = tabs.next;
        tabs.list.push((id, sender));
        *lock(&self.idle_since) = None;
        let tab = Tab {
            id,
            group: Arc::clone(self),
        };
        Ok((tab, receiver))
    }

    /// Takes one action from the session's budget (every transport draws from it), or says
    /// when to retry.
    pub(crate) fn spend(&self) -> Result<(), OverBudget> {
        lock(&self.budget).spend(Instant::now())
    }

    /// How many tabs are connected (a tab whose connection has not ended counts, wherever
    /// it is in catching up).
    #[cfg(test)]
    pub(crate) fn tab_count(&self) -> usize {
        lock(&self.tabs).live
    }

    /// Runs `ctx.action()` (one action at a time per group), renders, and carries out the
    /// effects that concern the group: `sync` updates the other tabs, subscriptions are
    /// registered, broadcasts are published. The caller replies to the acting tab.
    ///
    /// An action that asks to rotate the session (`ctx.rotate_session()`) retires the group
    /// before its state lock is released: no other action runs on the state it produced, and
    /// its `sync` reaches no other tab (they are about to be closed). The caller then moves
    /// the state with [`Groups::rotate_retired`]. A retired group runs nothing: [`Retired`].
    pub(crate) async fn act(
        &self,
        from: Option<u64>,
        ctx: &mut Context,
    ) -> Result<(Outcome, Arc<Rendered>), Retired> {
        self.run(from, ctx, true).await
    }

    /// [`act`](Self::act); without `may_rotate` (no browser to hand a cookie to) a rotation
    /// asked for is dropped with a warning.
    async fn run(
        &self,
        from: Option<u64>,
        ctx: &mut Context,
        may_rotate: bool,
    ) -> Result<(Outcome, Arc<Rendered>), Retired> {
        let (outcome, tree) = {
            let mut state = self.state.lock().await;
            if self.is_retired() {
                return Err(Retired);
            }
            let (mut outcome, tree) = match &self.store {
                None => act(&*self.controller, &mut state, ctx).await,
                Some(store) => {
                    self.act_stored(store.as_ref(), &mut state, ctx, may_rotate)
                        .await
                }
            };
            if outcome.rotates() {
                if may_rotate {
                    self.retired.store(true, Ordering::SeqCst);
                } else {
                    tracing::warn!(action = %ctx.action(), "ctx.rotate_session() outside a client's action is ignored");
                    outcome
                        .effects
                        .retain(|effect| *effect != crate::controller::Effect::RotateSession);
                }
            }
            let tree = tree.map_or_else(|_| self.tree(), |tree| self.set_tree(tree));
            (outcome, tree)
        };
        self.carry_out(&outcome.effects, from);
        Ok((outcome, tree))
    }

    /// An action with a store: catch up to the stored state, act, save under the version
    /// check; when another writer saved first, run the action again on their state. A
    /// rotating action's state is not saved under the old id (a request with that id must
    /// not load it): [`Groups::rotate_retired`] saves it under the new one.
    async fn act_stored(
        &self,
        store: &dyn SessionStore<C::State>,
        state: &mut C::State,
        ctx: &mut Context,
        may_rotate: bool,
    ) -> (Outcome, Result<Rendered, RenderError>) {
        const ATTEMPTS: usize = 32;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.catch_up(store, state).await;
            let (outcome, tree) = act(&*self.controller, state, ctx).await;
            if !outcome.succeeded() || (may_rotate && outcome.rotates()) {
                return (outcome, tree);
            }
            let expected = *lock(&self.version);
            match store.save(self.id(), state, expected).await {
                Ok(Saved::Version(version)) => {
                    *lock(&self.version) = Some(version);
                    self.unsaved.store(false, Ordering::Relaxed);
                    return (outcome, tree);
                }
                Ok(Saved::Conflict) if attempt < ATTEMPTS => {
                    tracing::debug!(session = %self.id(), attempt, "session changed elsewhere; running the action again");
                    // A random pause, growing with the attempts: two processes retrying in
                    // lockstep would otherwise let the same one win every time.
                    let spread = 100 * attempt as u64;
                    let pause = getrandom::u64().unwrap_or_default() % spread;
                    tokio::time::sleep(Duration::from_micros(pause)).await;
                }
                Ok(Saved::Conflict) => {
                    tracing::warn!(session = %self.id(), "session kept changing elsewhere; action dropped");
                    self.catch_up(store, state).await;
                    let mut outcome = outcome;
                    outcome.meta.success = false;
                    outcome.effects.clear();
                    outcome.meta.errors.insert(
                        crate::controller::GENERAL_ERROR.to_owned(),
                        "the page changed meanwhile; try again".to_owned(),
                    );
                    let tree = state.render_tree();
                    return (outcome, tree);
                }
                Err(error) => {
                    // Keep serving from memory; the next save, or the resync once the store
                    // is back, stores it.
                    tracing::warn!(%error, session = %self.id(), "cannot save the session");
                    self.unsaved.store(true, Ordering::Relaxed);
                    return (outcome, tree);
                }
            }
        }
    }

    /// With a store, catches the group up to the stored state (another process may have acted)
    /// and returns the latest render; without one, the latest render.
    pub(crate) async fn current(&self) -> Arc<Rendered> {
        let Some(store) = &self.store else {
            return self.tree();
        };
        let mut state = self.state.lock().await;
        let before = *lock(&self.version);
        self.catch_up(store.as_ref(), &mut state).await;
        if *lock(&self.version) != before {
            self.rerender(&state);
        }
        self.tree()
    }

    /// Catches up with the store after an outage or another process's change, then sends the
    /// latest render to every tab. Changes made while the store was unreachable are saved
    /// first (and announced), unless another process stored a newer state meanwhile — then
    /// that one wins, as the first writer after an outage.
    async fn resync_now(&self) {
        let Some(store) = &self.store else {
            self.refresh(None);
            return;
        };
        let mut state = self.state.lock().await;
        let before = *lock(&self.version);
        let mut announce = false;
        if self.unsaved.swap(false, Ordering::Relaxed) {
            let expected = match store.load(self.id()).await {
                Ok(None) => Ok(None),
                Ok(Some(stored)) if Some(stored.version) == before => Ok(before),
                Ok(Some(_)) => Err(()),
                Err(_) => {
                    self.unsaved.store(true, Ordering::Relaxed);
                    Err(())
                }
            };
            if let Ok(expected) = expected {
                match store.save(self.id(), &state, expected).await {
                    Ok(Saved::Version(version)) => {
                        *lock(&self.version) = Some(version);
                        announce = true;
                    }
                    Ok(Saved::Conflict) => {}
                    Err(error) => {
                        tracing::warn!(%error, session = %self.id(), "cannot save the session");
                        self.unsaved.store(true, Ordering::Relaxed);
                    }
                }
            } else if !self.unsaved.load(Ordering::Relaxed) {
                tracing::warn!(session = %self.id(), "the session changed elsewhere while the store was unreachable; taking that state");
            }
        }
        if !announce {
            self.catch_up(store.as_ref(), &mut state).await;
        }
        if *lock(&self.version) != before {
            self.rerender(&state);
        }
        drop(state);
        self.refresh(None);
        if announce {
            self.announce();
        }
    }

    /// Replaces the in-memory state with the stored one when the store has a newer version.
    /// When the store has lost it (expired, or a Redis restarted without persistence), the
    /// in-memory state is the newest there is: the next save stores it afresh.
    async fn catch_up(&self, store: &dyn SessionStore<C::State>, state: &mut C::State) {
        match store.load(self.id()).await {
            Ok(Some(stored)) if Some(stored.version) != *lock(&self.version) => {
                *state = stored.state;
                *lock(&self.version) = Some(stored.version);
            }
            Ok(None) => *lock(&self.version) = None,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, session = %self.id(), "cannot load the session"),
        }
    }

    /// Runs `on_connect` for a new tab (subscriptions are made here), renders what it changed,
    /// and carries out its effects.
    pub(crate) async fn connect(&self, tab: u64, ctx: &mut Context) -> Result<(), ActionError> {
        self.replay_missed(ctx).await;
        let mut state = self.state.lock().await;
        if self.is_retired() {
            return Err(ActionError::new(Retired.to_string()));
        }
        self.controller.on_connect(&mut state, ctx).await?;
        self.rerender(&state);
        drop(state);
        self.carry_out(&ctx.take_effects(), Some(tab));
        Ok(())
    }

    /// Runs `on_disconnect` for a tab that left, renders what it changed, and carries out its
    /// effects (a broadcast, a `sync` of the remaining tabs).
    pub(crate) async fn disconnect(&self, ctx: &mut Context) {
        let mut state = self.state.lock().await;
        if let Err(error) = self.controller.on_disconnect(&mut state, ctx).await {
            tracing::warn!(%error, "on_disconnect failed");
            ctx.take_effects();
            return;
        }
        self.rerender(&state);
        drop(state);
        self.carry_out(&ctx.take_effects(), None);
    }

    /// Renders `state` (changed by a lifecycle hook, or loaded from the store) as the latest
    /// tree; on a render error the previous tree stays.
    fn rerender(&self, state: &C::State) -> Arc<Rendered> {
        match state.render_tree() {
            Ok(tree) => self.set_tree(tree),
            Err(error) => {
                tracing::error!(%error, session = %self.id(), "the state does not render; keeping the previous render");
                self.tree()
            }
        }
    }

    /// Keeps `tree` as the latest render.
    fn set_tree(&self, tree: Rendered) -> Arc<Rendered> {
        let tree = Arc::new(tree);
        self.seat.resize(estimate(&tree));
        *lock(&self.tree) = Arc::clone(&tree);
        tree
    }

    fn carry_out(&self, effects: &[crate::controller::Effect], from: Option<u64>) {
        use crate::controller::Effect;
        // A rotating action's render must not reach the old id's other tabs.
        let mut synced = effects.contains(&Effect::RotateSession);
        for effect in effects {
            match effect {
                Effect::Sync if !synced => {
                    synced = true;
                    self.refresh(from);
                    self.announce();
                }
                Effect::Subscribe(topic) => self.subscribe(topic),
                Effect::Unsubscribe(topic) => {
                    let removed = lock(&self.topics).remove(topic);
                    if let Some(parked) = removed {
                        self.hub.leave(topic, &self.listener(), parked.is_some());
                    }
                }
                Effect::Broadcast {
                    topic,
                    action,
                    data,
                } => self
                    .broker
                    .publish(topic, Message::new(action.clone(), data.clone())),
                _ => {}
            }
        }
    }

    /// With a store, tells the other processes that this session changed, so their tabs of it
    /// catch up (a no-op with the in-memory broker).
    fn announce(&self) {
        if self.store.is_some() {
            self.broker.announce(self.id().as_str());
        }
    }

    /// Itself as the hub's listener.
    fn listener(&self) -> Weak<dyn Listener> {
        lock(&self.me).clone()
    }

    /// Joins `topic`: active with a tab open (or while catching up), else parked.
    fn subscribe(&self, topic: &str) {
        let missed = lock(&self.missed);
        let parked = !missed.replaying && lock(&self.tabs).live == 0;
        let mut topics = lock(&self.topics);
        if !topics.contains_key(topic) {
            let position = self.hub.join(topic, self.listener(), parked);
            topics.insert(topic.to_owned(), position);
        }
    }

    /// Ends a group whose session was rotated or evicted: it leaves its topics, and its tabs'
    /// update channels close, so their connections close (1013) and the browser reconnects.
    fn retire(&self) {
        self.leave_topics();
        let mut tabs = lock(&self.tabs);
        tabs.retired = true;
        tabs.list.clear();
    }

    fn leave_topics(&self) {
        let me = self.listener();
        for (topic, parked) in std::mem::take(&mut *lock(&self.topics)) {
            self.hub.leave(&topic, &me, parked.is_some());
        }
    }

    /// Parks the group on its topics once it has no tab (and is not catching up): from now
    /// on a broadcast costs it nothing until a tab or a request comes back.
    fn park(&self) {
        let missed = lock(&self.missed);
        if missed.replaying || lock(&self.tabs).live > 0 {
            return;
        }
        let me = self.listener();
        for (topic, position) in lock(&self.topics).iter_mut() {
            if position.is_none() {
                *position = Some(self.hub.park(topic, &me));
            }
        }
    }

    /// Makes the group active on its topics again; what it missed, in the order it was sent,
    /// or [`Lost`] if a topic's log no longer reaches back to where it parked.
    fn unpark(&self) -> Result<hub::Missed, Lost> {
        let me = self.listener();
        let mut missed = Vec::new();
        let mut lost = false;
        for (topic, position) in lock(&self.topics).iter_mut() {
            let Some(since) = position.take() else {
                continue;
            };
            match self.hub.unpark(topic, me.clone(), since) {
                Ok(messages) => missed.extend(
                    messages
                        .into_iter()
                        .map(|(number, message)| (number, topic.clone(), message)),
                ),
                Err(Lost) => lost = true,
            }
        }
        if lost {
            return Err(Lost);
        }
        missed.sort_by_key(|(number, _, _)| *number);
        Ok(missed)
    }

    /// Runs the messages the group missed while parked, in the order they were sent, then
    /// those that arrived meanwhile, and parks it again if it still has no tab. When it
    /// missed more than a topic keeps, its state is out of date: it mounts afresh (with
    /// `ctx`'s query and user) and leaves its topics, which `on_connect` joins again.
    pub(crate) async fn replay_missed(&self, ctx: &Context) {
        if lock(&self.topics).values().all(Option::is_none) {
            return;
        }
        let _running = self.replay.lock().await;
        let missed = {
            let mut missed = lock(&self.missed);
            missed.replaying = true;
            self.unpark()
        };
        match missed {
            Ok(missed) => {
                for (_, topic, message) in missed {
                    self.run_broadcast(&topic, message).await;
                }
            }
            Err(Lost) => self.remount(ctx).await,
        }
        loop {
            let next = {
                let mut missed = lock(&self.missed);
                let next = missed.queue.pop_front();
                if next.is_none() {
                    missed.replaying = false;
                }
                next
            };
            match next {
                Some((topic, message)) => self.run_broadcast(&topic, message).await,
                None => break,
            }
        }
        self.park();
    }

    /// Replaces the state with a fresh `mount`, as if the session had expired.
    async fn remount(&self, ctx: &Context) {
        tracing::debug!(session = %self.id(), "a session with no tab missed more than its topics keep; mounting afresh");
        self.leave_topics();
        let mut fresh = self
            .context()
            .with_query(ctx.query().clone())
            .with_user(ctx.user_id().map(str::to_owned));
        let state = match self.controller.mount(&mut fresh).await {
            Ok(state) => state,
            Err(error) => {
                tracing::warn!(%error, session = %self.id(), "mount failed; keeping the out-of-date state");
                return;
            }
        };
        let mut current = self.state.lock().await;
        *current = state;
        if let Some(store) = &self.store {
            let expected = *lock(&self.version);
            match store.save(self.id(), &current, expected).await {
                Ok(Saved::Version(version)) => *lock(&self.version) = Some(version),
                Ok(Saved::Conflict) => self.catch_up(store.as_ref(), &mut current).await,
                Err(error) => {
                    tracing::warn!(%error, session = %self.id(), "cannot save the session");
                    self.unsaved.store(true, Ordering::Relaxed);
                }
            }
        }
        self.rerender(&current);
    }

    /// Runs one broadcast message as an action and updates every tab.
    async fn run_broadcast(&self, topic: &str, message: Message) {
        if let Some(store) = &self.store {
            // The session may have groups in several processes: only one runs the
            // message, then announces the change to the others.
            match store.claim(self.id(), message.id).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(error) => {
                    tracing::warn!(%error, %topic, "cannot claim a broadcast; running it here")
                }
            }
        }
        let mut ctx = self.context().with_action(message.action, message.data);
        // Only a client's action can hand a new cookie to a browser: no rotation here.
        let Ok((outcome, _)) = self.run(None, &mut ctx, false).await else {
            return;
        };
        if outcome.succeeded() {
            // The change reaches every tab (and, with a store, the other processes) as a
            // `sync` does: once, also when the action synced itself.
            let sync = crate::controller::Effect::Sync;
            if !outcome.effects.contains(&sync) {
                self.carry_out(&[sync], None);
            }
        } else {
            tracing::warn!(%topic, errors = ?outcome.meta.errors, "broadcast action failed");
        }
    }

    /// Wakes every tab but `except` to catch up to the latest render ([`Group::tree`]). A tab that has a wake-up pending keeps it: it reads the newest render
    /// when it gets there, so it misses nothing and is never dropped for being busy. Only a
    /// tab whose connection has gone is removed.
    pub(crate) fn refresh(&self, except: Option<u64>) {
        let mut tabs = lock(&self.tabs);
        tabs.list.retain(|(id, sender)| {
            Some(*id) == except
                || !matches!(
                    sender.try_send(()),
                    Err(mpsc::error::TrySendError::Closed(()))
                )
        });
    }
}

impl<C: LiveController> Listener for Group<C> {
    fn hear(&self, topic: &str, message: Message) {
        {
            // Catching up: after what it missed, in order.
            let mut missed = lock(&self.missed);
            if missed.replaying {
                missed.queue.push_back((topic.to_owned(), message));
                return;
            }
        }
        let Some(group) = lock(&self.me).upgrade() else {
            return;
        };
        let topic = topic.to_owned();
        tokio::spawn(async move { group.run_broadcast(&topic, message).await });
    }

    fn resync(&self) {
        Subscriber::resync(self);
    }
}

impl<C: LiveController> Drop for Group<C> {
    fn drop(&mut self) {
        self.leave_topics();
        if self.store.is_some() {
            let me: Weak<dyn Subscriber> = lock(&self.me).clone();
            self.broker.unwatch(self.id().as_str(), &me);
        }
    }
}

impl<C: LiveController> Subscriber for Group<C> {
    fn deliver(&self, topic: &str, message: Message) {
        Listener::hear(self, topic, message);
    }

    fn resync(&self) {
        let Some(group) = lock(&self.me).upgrade() else {
            return;
        };
        tokio::spawn(async move {
            // Changes the store could not take are saved now; if it fails again (Redis only
            // just came back), try a few more times.
            for _ in 0..10 {
                group.resync_now().await;
                if !group.unsaved.load(Ordering::Relaxed) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pubsub::MemoryBroker;
    use crate::{Context, live_controller};

    /// The group of `id` on an exact route, mounted as a first request does.
    async fn group_of<C: LiveController>(
        groups: &Groups<C>,
        id: &SessionId,
    ) -> Result<Arc<Group<C>>, MountError> {
        groups
            .get_or_mount(
                &Scope::exact(id.clone()),
                &mut Context::new(id.as_str()),
                None,
            )
            .await
    }

    #[derive(Debug, Clone, askama::Template, crate::LiveTemplate)]
    #[template(source = "<p>{{ n }}</p>", ext = "html")]
    struct Page {
        n: u32,
    }

    struct Pages;

    #[live_controller]
    impl Pages {
        async fn mount(&self, _ctx: &mut Context) -> crate::Result<Page> {
            Ok(Page { n: 0 })
        }

        pub(crate) fn bump(&self, state: &mut Page, ctx: &mut Context) {
            state.n += 1;
            ctx.sync();
        }

        pub(crate) fn sign_in(&self, state: &mut Page, ctx: &mut Context) {
            state.n += 100;
            ctx.rotate_session();
            ctx.sync();
        }
    }

    #[derive(Debug, Clone, askama::Template, crate::LiveTemplate)]
    #[template(source = "<p>{{ tabs }} {{ filter }}</p>", ext = "html")]
    struct Lobby {
        tabs: u32,
        filter: String,
    }

    /// Counts its tabs in the state (on connect and disconnect) and reads a query filter.
    struct Lobbies;

    #[live_controller]
    impl Lobbies {
        async fn mount(&self, _ctx: &mut Context) -> crate::Result<Lobby> {
            Ok(Lobby {
                tabs: 0,
                filter: String::new(),
            })
        }

        async fn on_connect(&self, state: &mut Lobby, _ctx: &mut Context) -> crate::Result {
            state.tabs += 1;
            Ok(())
        }

        async fn on_disconnect(&self, state: &mut Lobby, ctx: &mut Context) -> crate::Result {
            state.tabs -= 1;
            ctx.sync();
            Ok(())
        }

        async fn on_navigate(&self, state: &mut Lobby, ctx: &mut Context) -> crate::Result {
            state.filter = ctx.query_get("filter").unwrap_or_default();
            Ok(())
        }
    }

    #[tokio::test]
    async fn lifecycle_hooks_are_rendered_and_their_effects_carried_out() -> Result<(), MountError>
    {
        let groups = Groups::new(
            Arc::new(Lobbies),
            Arc::new(MemoryBroker::new()),
            Duration::from_secs(60),
            4,
        );
        let id = SessionId::new();
        let group = group_of(&groups, &id).await?;
        let (first, mut first_events) = group.attach();
        group
            .connect(first.id(), &mut Context::new(id.as_str()))
            .await
            .map_err(MountError::Mount)?;
        assert_eq!(
            group.tree().to_html(),
            "<p>1 </p>",
            "on_connect's change is rendered"
        );
        let (second, _second_events) = group.attach();
        group
            .connect(second.id(), &mut Context::new(id.as_str()))
            .await
            .map_err(MountError::Mount)?;
        assert_eq!(group.tree().to_html(), "<p>2 </p>");

        drop(second);
        group.disconnect(&mut Context::new(id.as_str())).await;
        first_events.try_recv().map_err(|_| {
            MountError::Mount(ActionError::new("on_disconnect's sync reached no tab"))
        })?;
        assert_eq!(group.tree().to_html(), "<p>1 </p>");

        let mut query = crate::wire::FormData::new();
        query.insert("filter", "active");
        let mut ctx = Context::new(id.as_str())
            .with_action("__navigate__", query.clone())
            .with_query(query);
        let (outcome, tree) = group
            .act(Some(first.id()), &mut ctx)
            .await
            .map_err(|error| MountError::Mount(ActionError::new(error.to_string())))?;
        assert!(outcome.succeeded(), "{:?}", outcome.meta);
        assert_eq!(
            tree.to_html(),
            "<p>1 active</p>",
            "__navigate__ runs on_navigate"
        );
        Ok(())
    }

    fn groups(actions_per_second: u32, idle: Duration) -> Groups<Pages> {
        Groups::new(
            Arc::new(Pages),
            Arc::new(MemoryBroker::new()),
            idle,
            actions_per_second,
        )
    }

    #[tokio::test]
    async fn a_busy_tab_keeps_one_wake_up_for_many_syncs_and_is_never_dropped()
    -> Result<(), MountError> {
        let groups = groups(50, Duration::from_secs(60));
        let id = SessionId::new();
        let group = group_of(&groups, &id).await?;
        let (fast, mut fast_events) = group.attach();
        let (slow, mut slow_events) = group.attach();
        for round in 1..=3 {
            let mut ctx = Context::new(id.as_str()).with_action("bump", Default::default());
            let (outcome, _) = group
                .act(Some(fast.id()), &mut ctx)
                .await
                .map_err(|error| MountError::Mount(ActionError::new(error.to_string())))?;
            assert!(outcome.succeeded(), "round {round}");
            // The fast tab is the acting one; a third tab would read its events.
            assert!(fast_events.try_recv().is_err());
        }
        // Three syncs, one wake-up: the busy tab catches up to the newest render at once, and
        // stays in the group.
        assert!(slow_events.try_recv().is_ok());
        assert!(slow_events.try_recv().is_err());
        assert_eq!(group.tab_count(), 2);
        assert_eq!(group.tree().to_html(), "<p>3</p>");
        // Its slot stays taken until its connection ends (drops the tab).
        assert!(
            group.try_attach(2).is_err(),
            "the limit counts the busy tab"
        );
        drop(slow);
        assert_eq!(group.tab_count(), 1);
        assert!(group.try_attach(2).is_ok());
        Ok(())
    }

    /// Rotation moves the state to a new id and leaves the old one naming nothing, in memory
    /// and with a store; the old group's tabs are closed.
    #[tokio::test]
    async fn rotating_moves_the_state_and_retires_the_old_id() -> Result<(), MountError> {
        for stored in [false, true] {
            let groups = groups(50, Duration::from_secs(60));
            let groups = if stored {
                groups.with_store(Arc::new(MemoryStore::new()))
            } else {
                groups
            };
            let old = SessionId::new();
            let group = group_of(&groups, &old).await?;
            let (_tab, mut events) = group.attach();
            let mut ctx = Context::new(old.as_str()).with_action("bump", Default::default());
            let acted = group.act(None, &mut ctx).await;
            assert!(acted.is_ok_and(|(outcome, _)| outcome.succeeded()));
            assert!(events.recv().await.is_some(), "the sync reached the tab");

            let new = groups.rotate(&Scope::exact(old.clone())).await;
            assert_ne!(new, old);
            assert!(
                events.recv().await.is_none(),
                "the old group's tab is closed"
            );
            let moved = group_of(&groups, &new).await?;
            assert_eq!(
                moved.current().await.to_html(),
                "<p>1</p>",
                "stored: {stored}"
            );
            let fresh = group_of(&groups, &old).await?;
            assert_eq!(
                fresh.current().await.to_html(),
                "<p>0</p>",
                "stored: {stored}"
            );
        }
        Ok(())
    }

    #[derive(Debug, Clone, askama::Template, crate::LiveTemplate)]
    #[template(source = "<p>{{ heard }}</p>", ext = "html")]
    struct Listener {
        heard: String,
    }

    /// Subscribes to `room` when mounted and appends each `hear`d word, so the state shows
    /// which broadcasts ran, in what order.
    struct Listeners;

    #[live_controller]
    impl Listeners {
        async fn mount(&self, ctx: &mut Context) -> crate::Result<Listener> {
            ctx.subscribe("room");
            Ok(Listener {
                heard: String::new(),
            })
        }

        pub(crate) fn hear(&self, state: &mut Listener, ctx: &mut Context) {
            state
                .heard
                .push_str(&ctx.get::<String>("word").unwrap_or_default());
        }
    }

    fn listeners(backlog: usize, caps: census::Caps) -> (Groups<Listeners>, Arc<MemoryBroker>) {
        let broker = Arc::new(MemoryBroker::new());
        let groups = Groups::new(
            Arc::new(Listeners),
            Arc::clone(&broker) as Arc<dyn Broker>,
            Duration::from_secs(60),
            50,
        )
        .with_census(Census::new(caps), backlog);
        (groups, broker)
    }

    const NO_CAPS: census::Caps = census::Caps {
        sessions: usize::MAX,
        per_client: usize::MAX,
        memory: usize::MAX,
    };

    fn say(broker: &MemoryBroker, word: &str) {
        let mut data = crate::wire::FormData::new();
        data.insert("word", word);
        broker.publish("room", Message::new("hear", data));
    }

    /// Mounts `id` and carries out `mount`'s subscription, as a first request does.
    async fn mounted(
        groups: &Groups<Listeners>,
        id: &SessionId,
    ) -> Result<Arc<Group<Listeners>>, MountError> {
        let mut ctx = Context::new(id.as_str());
        let group = groups
            .get_or_mount(&Scope::exact(id.clone()), &mut ctx, None)
            .await?;
        group.subscribe("room");
        Ok(group)
    }

    /// Lets spawned broadcast tasks run.
    async fn settle() {
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
    }

    /// Attaches a tab and connects it, as a live connection does.
    async fn tab_of(
        group: &Arc<Group<Listeners>>,
    ) -> Result<(Tab<Listeners>, TabEvents), MountError> {
        let (tab, events) = group.attach();
        group
            .connect(tab.id(), &mut Context::new(group.id().as_str()))
            .await
            .map_err(MountError::Mount)?;
        Ok((tab, events))
    }

    #[tokio::test]
    async fn a_session_without_a_tab_is_parked_and_catches_up_when_one_returns()
    -> Result<(), MountError> {
        let (groups, broker) = listeners(8, NO_CAPS);
        let (with_tab, without) = (SessionId::new(), SessionId::new());
        let live = mounted(&groups, &with_tab).await?;
        let _live_tab = tab_of(&live).await?;
        let mut orphans = Vec::new();
        for _ in 0..50 {
            orphans.push(mounted(&groups, &SessionId::new()).await?);
        }
        let orphan = mounted(&groups, &without).await?;
        // However many are parked, the broker knows one subscriber: the page's topic.
        assert_eq!(broker.subscribers("room").len(), 1);
        for word in ["a", "b", "c"] {
            say(&broker, word);
        }
        settle().await;
        assert_eq!(live.tree().to_html(), "<p>abc</p>", "a tab: run at once");
        assert_eq!(orphan.tree().to_html(), "<p></p>", "no tab: nothing ran");
        assert!(orphans.iter().all(|o| o.tree().to_html() == "<p></p>"));
        // A request coming back runs them, in order, before it reads the state; the session
        // is parked again after (it still has no tab).
        let back = mounted(&groups, &without).await?;
        assert!(Arc::ptr_eq(&back, &orphan));
        assert_eq!(back.tree().to_html(), "<p>abc</p>");
        assert!(lock(&back.topics)["room"].is_some(), "parked again");
        say(&broker, "d");
        let (_tab, _events) = tab_of(&back).await?;
        assert_eq!(back.tree().to_html(), "<p>abcd</p>", "caught up on connect");
        say(&broker, "e");
        settle().await;
        assert_eq!(back.tree().to_html(), "<p>abcde</p>", "active with a tab");
        Ok(())
    }

    #[tokio::test]
    async fn past_the_backlog_a_session_without_a_tab_mounts_afresh() -> Result<(), MountError> {
        let (groups, broker) = listeners(2, NO_CAPS);
        let id = SessionId::new();
        let orphan = mounted(&groups, &id).await?;
        for word in ["a", "b", "c"] {
            say(&broker, word);
        }
        let back = group_of(&groups, &id).await?;
        assert!(
            Arc::ptr_eq(&back, &orphan),
            "the same group, mounted afresh"
        );
        assert_eq!(back.tree().to_html(), "<p></p>");
        assert!(lock(&back.topics).is_empty(), "it left its topics");
        assert!(broker.subscribers("room").is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn at_the_cap_sessions_without_a_tab_make_room_and_tabs_are_never_evicted()
    -> Result<(), MountError> {
        let caps = census::Caps {
            sessions: 2,
            ..NO_CAPS
        };
        let broker = Arc::new(MemoryBroker::new());
        let census = Census::new(caps);
        let groups = Arc::new(
            Groups::new(
                Arc::new(Listeners),
                Arc::clone(&broker) as Arc<dyn Broker>,
                Duration::from_secs(60),
                50,
            )
            .with_census(Arc::clone(&census), 8),
        );
        census.register(Arc::downgrade(&groups) as Weak<dyn Evict>);
        let (kept, gone) = (SessionId::new(), SessionId::new());
        let (_tab, _events) = mounted(&groups, &kept).await?.attach();
        let evicted = mounted(&groups, &gone).await?;
        mounted(&groups, &SessionId::new()).await?;
        assert!(groups.get(&kept).is_some(), "a session with a tab stays");
        assert!(groups.get(&gone).is_none(), "the tabless one made room");
        assert_eq!(evicted.try_attach(8).err(), Some(AttachError::Retired));
        assert_eq!(census.sessions(), 2);
        // Every session has a tab now: the next one is refused.
        let all: Vec<_> = lock(&groups.groups).values().cloned().collect();
        let _tabs: Vec<_> = all.iter().map(|group| group.attach()).collect();
        let refused = mounted(&groups, &SessionId::new()).await;
        assert!(
            matches!(refused, Err(MountError::Full(Full::Sessions(2)))),
            "{refused:?}"
        );
        Ok(())
    }

    /// An action that rotates retires its group before anything else can run on, or see, the
    /// state it produced: its sync reaches no other tab, the group refuses later actions and
    /// tabs, its id mounts afresh, and `rotate_retired` moves that state to the new id.
    #[tokio::test]
    async fn a_rotating_action_retires_its_group_at_once() -> Result<(), MountError> {
        let unexpected = |what: &str| MountError::Mount(ActionError::new(what));
        for stored in [false, true] {
            let groups = groups(50, Duration::from_secs(60));
            let groups = if stored {
                groups.with_store(Arc::new(MemoryStore::new()))
            } else {
                groups
            };
            let old = SessionId::new();
            let group = group_of(&groups, &old).await?;
            let (victim, _victim_events) = group.attach();
            let (_attacker, mut attacker_events) = group.attach();
            let mut ctx = Context::new(old.as_str()).with_action("sign_in", Default::default());
            let (outcome, _) = group
                .act(Some(victim.id()), &mut ctx)
                .await
                .map_err(|_| unexpected("the rotating action was refused"))?;
            assert!(outcome.rotates());
            assert!(group.is_retired());
            assert!(
                attacker_events.try_recv().is_err(),
                "the sync reached another tab"
            );
            let mut ctx = Context::new(old.as_str()).with_action("bump", Default::default());
            assert_eq!(group.act(None, &mut ctx).await.err(), Some(Retired));
            assert!(
                group
                    .connect(1, &mut Context::new(old.as_str()))
                    .await
                    .is_err()
            );
            let fresh = group_of(&groups, &old).await?;
            assert!(!Arc::ptr_eq(&fresh, &group));

            let new = groups.rotate_retired(&group).await;
            assert!(
                attacker_events.recv().await.is_none(),
                "the old tabs are closed"
            );
            let moved = group_of(&groups, &new).await?;
            assert_eq!(
                moved.current().await.to_html(),
                "<p>100</p>",
                "stored: {stored}"
            );
            // The fresh group mounted for the old id meanwhile stays, with a fresh state.
            let again = group_of(&groups, &old).await?;
            assert!(Arc::ptr_eq(&again, &fresh));
            assert_eq!(
                again.current().await.to_html(),
                "<p>0</p>",
                "stored: {stored}"
            );
        }
        Ok(())
    }

    #[tokio::test]
    async fn sessions_without_tabs_expire() -> Result<(), MountError> {
        let groups = groups(4, Duration::ZERO);
        let id = SessionId::new();
        let group = group_of(&groups, &id).await?;
        let tab = group.attach();
        assert_eq!(groups.sweep(), 0, "a session with a tab stays");
        drop(tab);
        assert_eq!(groups.sweep(), 1);
        assert!(groups.is_empty());
        Ok(())
    }
}
