//! The census of sessions: how many a router holds (in all and per client address) and how
//! much memory they are estimated to hold, against the configured caps.
//!
//! A new session takes a [`Seat`]; the seat is given back when its group is dropped or
//! evicted. When a cap is reached, sessions with no open tab are evicted, oldest first, to
//! make room (they cost their state and nothing else, and a returning browser mounts afresh,
//! as after expiry); only when every counted session has a tab is the new one refused.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use crate::pubsub::lock;
use crate::server::security::SessionId;

/// The caps a [`Census`] enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    /// Sessions in all (each live page of a browser counts once).
    pub(crate) sessions: usize,
    /// Sessions per client address (an IPv6 address counts by its /64 network).
    pub(crate) per_client: usize,
    /// Estimated bytes of all sessions together.
    pub(crate) memory: usize,
}

/// Why a new session was refused: every session counted against the cap has an open tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Full {
    /// [`Caps::sessions`] is reached.
    Sessions(usize),
    /// The client's address holds [`Caps::per_client`] sessions.
    Client(usize),
    /// [`Caps::memory`] is reached.
    Memory(usize),
}

impl Full {
    /// The text the refused client reads (with a `503`).
    pub(crate) fn message(self) -> &'static str {
        match self {
            Full::Sessions(_) | Full::Memory(_) => {
                "the server is at its limit of live sessions; try again in a moment"
            }
            Full::Client(_) => {
                "too many live sessions from your network; close some tabs or try again later"
            }
        }
    }

    /// The setting that decides it, for the server's log.
    pub(crate) fn setting(self) -> String {
        match self {
            Full::Sessions(max) => format!("Config::max_sessions = {max}"),
            Full::Client(max) => format!("Config::max_sessions_per_client = {max}"),
            Full::Memory(bytes) => format!("Config::session_memory = {bytes} bytes"),
        }
    }
}

/// A session with no open tab, as a page reports it to the census for eviction.
#[derive(Debug, Clone)]
pub(crate) struct Orphan {
    /// Since when it has had no tab.
    pub(crate) idle_since: Instant,
    pub(crate) id: SessionId,
    pub(crate) bytes: usize,
}

/// A page's sessions, as the census sees them (type-erased over the controller).
pub(crate) trait Evict: Send + Sync {
    /// The sessions without an open tab, of `client` only when given.
    fn orphans(&self, client: Option<IpAddr>) -> Vec<Orphan>;
    /// Drops session `id` if it still has no tab; whether it did.
    fn evict(&self, id: &SessionId) -> bool;
}

#[derive(Debug, Default)]
struct Counts {
    sessions: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// The sessions of one router, counted against its [`Caps`].
pub(crate) struct Census {
    caps: Caps,
    counts: Mutex<Counts>,
    /// Estimated bytes of all seats, kept apart from `counts` so that a render resizing its
    /// session takes no lock. Signed: an add and a subtract racing may cross for an instant.
    bytes: AtomicIsize,
    pages: Mutex<Vec<Weak<dyn Evict>>>,
}

impl std::fmt::Debug for Census {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Census")
            .field("caps", &self.caps)
            .field("counts", &*lock(&self.counts))
            .field("bytes", &self.total_bytes())
            .finish_non_exhaustive()
    }
}

/// A session's place in the census; given back when dropped (or released earlier).
pub(crate) struct Seat {
    census: Arc<Census>,
    client: Option<IpAddr>,
    bytes: AtomicUsize,
    released: AtomicBool,
}

impl std::fmt::Debug for Seat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seat")
            .field("client", &self.client)
            .field("bytes", &self.bytes.load(Ordering::Relaxed))
            .finish()
    }
}

/// The address sessions are counted under: IPv4 as it is, IPv6 by its /64 network (one
/// subscriber line gets a whole /64, so counting single addresses would count nothing).
pub(crate) fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(network.into())
            }
        },
    }
}

impl Census {
    pub(crate) fn new(caps: Caps) -> Arc<Self> {
        Arc::new(Census {
            caps,
            counts: Mutex::new(Counts::default()),
            bytes: AtomicIsize::new(0),
            pages: Mutex::new(Vec::new()),
        })
    }

    /// Lets the census evict `page`'s tabless sessions under pressure.
    pub(crate) fn register(&self, page: Weak<dyn Evict>) {
        lock(&self.pages).push(page);
    }

    /// A seat for a new session of `client` (`None` when the address is not known: only
    /// the global caps apply), evicting tabless sessions when a cap is reached.
    pub(crate) fn admit(self: &Arc<Self>, client: Option<IpAddr>) -> Result<Seat, Full> {
        let client = client.map(client_key);
        let full = match self.count_in(client) {
            Ok(seat) => return Ok(seat),
            Err(full) => full,
        };
        if self.evict_for(full, client) == 0 {
            return Err(full);
        }
        self.count_in(client)
    }

    /// How many sessions are counted.
    #[cfg(test)]
    pub(crate) fn sessions(&self) -> usize {
        lock(&self.counts).sessions
    }

    /// How many bytes the counted sessions are estimated to hold.
    pub(crate) fn total_bytes(&self) -> usize {
        usize::try_from(self.bytes.load(Ordering::Relaxed)).unwrap_or(0)
    }

    fn add_bytes(&self, bytes: usize, sign: isize) {
        let bytes = isize::try_from(bytes).unwrap_or(isize::MAX);
        self.bytes.fetch_add(sign * bytes, Ordering::Relaxed);
    }

    fn count_in(self: &Arc<Self>, client: Option<IpAddr>) -> Result<Seat, Full> {
        let mut counts = lock(&self.counts);
        if counts.sessions >= self.caps.sessions {
            return Err(Full::Sessions(self.caps.sessions));
        }
        if self.total_bytes() >= self.caps.memory {
            return Err(Full::Memory(self.caps.memory));
        }
        if let Some(client) = client {
            let held = counts.per_client.entry(client).or_default();
            if *held >= self.caps.per_client {
                return Err(Full::Client(self.caps.per_client));
            }
            *held += 1;
        }
        counts.sessions += 1;
        Ok(Seat {
            census: Arc::clone(self),
            client,
            bytes: AtomicUsize::new(0),
            released: AtomicBool::new(false),
        })
    }

    /// Evicts tabless sessions, oldest first, to get under the cap `full` names; several at
    /// once (a sixteenth of the cap), so a flood at the cap pays for the scan rarely. Returns
    /// how many went.
    fn evict_for(&self, full: Full, client: Option<IpAddr>) -> usize {
        let pages: Vec<_> = lock(&self.pages).iter().filter_map(Weak::upgrade).collect();
        let only = match full {
            Full::Client(_) => client,
            Full::Sessions(_) | Full::Memory(_) => None,
        };
        let mut orphans: Vec<(Orphan, usize)> = pages
            .iter()
            .enumerate()
            .flat_map(|(page, evict)| evict.orphans(only).into_iter().map(move |o| (o, page)))
            .collect();
        orphans.sort_by_key(|(orphan, _)| orphan.idle_since);
        let (mut count_goal, mut byte_goal) = match full {
            Full::Sessions(max) | Full::Client(max) => ((max / 16).max(1), 0),
            Full::Memory(bytes) => (1, (bytes / 16).max(1)),
        };
        let mut evicted = 0;
        for (orphan, page) in orphans {
            if count_goal == 0 && byte_goal == 0 {
                break;
            }
            if pages[page].evict(&orphan.id) {
                evicted += 1;
                count_goal = count_goal.saturating_sub(1);
                byte_goal = byte_goal.saturating_sub(orphan.bytes);
            }
        }
        if evicted > 0 {
            tracing::debug!(evicted, setting = %full.setting(), "evicted sessions without a tab to make room");
        }
        evicted
    }
}

impl Seat {
    /// Records the session's estimated size, in bytes. Lock-free (every render calls it):
    /// whoever swaps a value out of the seat takes it out of the census total, so a release
    /// racing with a resize leaves nothing behind.
    pub(crate) fn resize(&self, bytes: usize) {
        if self.released.load(Ordering::Acquire) {
            return;
        }
        let old = self.bytes.swap(bytes, Ordering::AcqRel);
        self.census.add_bytes(bytes, 1);
        self.census.add_bytes(old, -1);
        if self.released.load(Ordering::Acquire) {
            let left = self.bytes.swap(0, Ordering::AcqRel);
            self.census.add_bytes(left, -1);
        }
    }

    /// The client address the session is counted under.
    pub(crate) fn client(&self) -> Option<IpAddr> {
        self.client
    }

    /// Moves the place to a new seat (a rotated session keeps its place under its new id):
    /// this one is given back without counting out. If it was given back already, the new
    /// seat counts in again, past the caps: rotation must not fail.
    pub(crate) fn hand_over(&self) -> Seat {
        let mut counts = lock(&self.census.counts);
        if self.released.swap(true, Ordering::AcqRel) {
            counts.sessions += 1;
            if let Some(client) = self.client {
                *counts.per_client.entry(client).or_default() += 1;
            }
        }
        // The bytes move with the place: out of this seat, into the new one.
        let bytes = self.bytes.swap(0, Ordering::AcqRel);
        Seat {
            census: Arc::clone(&self.census),
            client: self.client,
            bytes: AtomicUsize::new(bytes),
            released: AtomicBool::new(false),
        }
    }

    /// The session's estimated size, in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Gives the seat back (once; dropping it later does nothing more).
    pub(crate) fn release(&self) {
        let mut counts = lock(&self.census.counts);
        if self.released.swap(true, Ordering::AcqRel) {
            return;
        }
        counts.sessions = counts.sessions.saturating_sub(1);
        let bytes = self.bytes.swap(0, Ordering::AcqRel);
        self.census.add_bytes(bytes, -1);
        if let Some(client) = self.client
            && let Some(held) = counts.per_client.get_mut(&client)
        {
            *held = held.saturating_sub(1);
            if *held == 0 {
                counts.per_client.remove(&client);
            }
        }
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn caps(sessions: usize, per_client: usize, memory: usize) -> Caps {
        Caps {
            sessions,
            per_client,
            memory,
        }
    }

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    /// A page whose sessions are all tabless, evicted in the order asked.
    #[derive(Default)]
    struct Orphans {
        held: Mutex<Vec<(Orphan, IpAddr, Seat)>>,
    }

    impl Evict for Orphans {
        fn orphans(&self, client: Option<IpAddr>) -> Vec<Orphan> {
            lock(&self.held)
                .iter()
                .filter(|(_, addr, _)| client.is_none_or(|c| c == *addr))
                .map(|(orphan, _, _)| orphan.clone())
                .collect()
        }

        fn evict(&self, id: &SessionId) -> bool {
            let mut held = lock(&self.held);
            let before = held.len();
            held.retain(|(orphan, _, _)| orphan.id != *id);
            held.len() < before
        }
    }

    #[test]
    fn seats_count_in_and_out() -> Result<(), Full> {
        let census = Census::new(caps(2, 2, usize::MAX));
        let first = census.admit(Some(A))?;
        let second = census.admit(Some(B))?;
        assert_eq!(census.admit(None).err(), Some(Full::Sessions(2)));
        first.resize(300);
        second.resize(200);
        assert_eq!(census.total_bytes(), 500);
        drop(first);
        assert_eq!((census.sessions(), census.total_bytes()), (1, 200));
        let moved = second.hand_over();
        drop(second);
        assert_eq!((census.sessions(), census.total_bytes()), (1, 200));
        moved.release();
        drop(moved);
        assert_eq!((census.sessions(), census.total_bytes()), (0, 0));
        Ok(())
    }

    #[test]
    fn a_full_client_is_refused_while_others_are_served() -> Result<(), Full> {
        let census = Census::new(caps(10, 2, usize::MAX));
        let _held = [census.admit(Some(A))?, census.admit(Some(A))?];
        assert_eq!(census.admit(Some(A)).err(), Some(Full::Client(2)));
        census.admit(Some(B))?;
        Ok(())
    }

    #[test]
    fn memory_is_a_cap_too() -> Result<(), Full> {
        let census = Census::new(caps(10, 10, 1000));
        let big = census.admit(None)?;
        big.resize(1000);
        assert_eq!(census.admit(None).err(), Some(Full::Memory(1000)));
        big.resize(10);
        census.admit(None)?;
        Ok(())
    }

    #[test]
    fn at_the_cap_the_oldest_tabless_sessions_make_room() -> Result<(), Full> {
        let census = Census::new(caps(32, 32, usize::MAX));
        let page = Arc::new(Orphans::default());
        census.register(Arc::downgrade(&page) as Weak<dyn Evict>);
        let start = Instant::now();
        for n in 0..32u64 {
            let seat = census.admit(Some(A))?;
            let orphan = Orphan {
                idle_since: start + std::time::Duration::from_millis(32 - n),
                id: SessionId::from_bytes([n as u8; 16]),
                bytes: 0,
            };
            lock(&page.held).push((orphan, A, seat));
        }
        // The 33rd evicts a sixteenth of the cap, oldest first (the last ones added).
        let _new = census.admit(Some(B))?;
        let held = lock(&page.held);
        assert_eq!(held.len(), 30);
        assert!(
            held.iter()
                .all(|(o, _, _)| o.id != SessionId::from_bytes([31; 16])
                    && o.id != SessionId::from_bytes([30; 16]))
        );
        assert_eq!(census.sessions(), 31);
        Ok(())
    }

    #[test]
    fn a_full_client_evicts_only_its_own_sessions() -> Result<(), Full> {
        let census = Census::new(caps(100, 2, usize::MAX));
        let page = Arc::new(Orphans::default());
        census.register(Arc::downgrade(&page) as Weak<dyn Evict>);
        let now = Instant::now();
        for (n, addr) in [(1u8, B), (2, A), (3, A)] {
            let seat = census.admit(Some(addr))?;
            let orphan = Orphan {
                idle_since: now,
                id: SessionId::from_bytes([n; 16]),
                bytes: 0,
            };
            lock(&page.held).push((orphan, addr, seat));
        }
        let _new = census.admit(Some(A))?;
        let held = lock(&page.held);
        assert!(
            held.iter()
                .any(|(o, _, _)| o.id == SessionId::from_bytes([1; 16]))
        );
        assert_eq!(held.len(), 2);
        Ok(())
    }

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let one: IpAddr = Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 3, 4, 5, 6).into();
        let same_net: IpAddr = Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 9, 9, 9, 9).into();
        let other: IpAddr = Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 3, 4, 5, 6).into();
        assert_eq!(client_key(one), client_key(same_net));
        assert_ne!(client_key(one), client_key(other));
        let mapped: IpAddr = Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped().into();
        assert_eq!(client_key(mapped), A);
    }
}
