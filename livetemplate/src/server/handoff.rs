//! Handing a rotated session's new id to the one tab that rotated it over its live
//! connection: a socket cannot set a cookie, so the tab is sent to a one-time URL whose `GET`
//! can.
//!
//! When an action on a socket calls `ctx.rotate_session()`, the session moves to a new id and
//! the acting tab gets a redirect frame to its page with `?_lvt_rotate=<token>`. The token is
//! 128 random bits (a [`SessionId`]'s strength) and went only to that socket; the table below
//! maps it to the new id for [`TTL`]. The `GET` that carries it is answered `303` to the page
//! without the parameter, with the new session cookie — once: the token is gone after its
//! first use, right or wrong, and it is honoured only for the browser that still holds the
//! old cookie. An attacker who planted the old cookie never sees the token, so never learns
//! the new id; a token sent to someone else's browser (to donate a session) does not redeem
//! there.
//!
//! ```text
//! tab ──{"action":"login",…}──▶ server   rotate: old id → new id, token → (new, old)
//! tab ◀──reply, {"type":"redirect","to":"/page?_lvt_rotate=T"}──
//! GET /page?_lvt_rotate=T  (Cookie: old)  ──▶  303 Location: /page,  Set-Cookie: new
//! ```
//!
//! The table holds at most [`MAX_PENDING`] tokens: a flood of rotations evicts the oldest
//! (whose tab then lands on a fresh session), never grows memory past the cap.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::security::SessionId;
use crate::pubsub::lock;

/// How long a token may wait for its tab's `GET`: the tab navigates as soon as it reads the
/// redirect frame.
pub(crate) const TTL: Duration = Duration::from_secs(10);

/// The most tokens pending at once, per live page. Each costs about 200 bytes (two ids, the
/// token, an optional redirect target of at most [`MAX_THEN`] bytes), so the table stays under
/// about 10 MiB even with every entry carrying the longest target.
pub(crate) const MAX_PENDING: usize = 4096;

/// The longest redirect target (the action's `ctx.redirect`) a token carries; a longer one is
/// dropped for the page itself.
pub(crate) const MAX_THEN: usize = 2048;

/// A pending rotation, under its token.
#[derive(Debug)]
struct Pending {
    new: SessionId,
    old: SessionId,
    then: Option<String>,
    expires: Instant,
}

/// What redeeming a token gives: the new session, and where to send the browser afterwards
/// when the action asked (`ctx.redirect`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redeemed {
    pub(crate) new: SessionId,
    pub(crate) then: Option<String>,
}

/// Why a token did not redeem (for the log line; the browser is treated alike for all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Never issued, already used, or evicted.
    Unknown,
    /// Issued more than [`TTL`] ago.
    Expired,
    /// The request does not carry the session the token was issued for.
    OtherBrowser,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::Unknown => "unknown or already used",
            Refused::Expired => "expired",
            Refused::OtherBrowser => "presented without the session it was issued for",
        })
    }
}

/// The pending rotations of one live page; bounded in count and age.
#[derive(Debug)]
pub(crate) struct Handoffs {
    inner: Mutex<Table>,
    ttl: Duration,
    cap: usize,
}

#[derive(Debug, Default)]
struct Table {
    by_token: HashMap<String, Pending>,
    /// Tokens in the order issued (so in the order they expire); may name used ones.
    order: VecDeque<(Instant, String)>,
}

impl Default for Handoffs {
    fn default() -> Self {
        Handoffs::new(TTL, MAX_PENDING)
    }
}

impl Handoffs {
    /// A table whose tokens live `ttl`, holding at most `cap` (at least one).
    pub(crate) fn new(ttl: Duration, cap: usize) -> Self {
        Handoffs {
            inner: Mutex::new(Table::default()),
            ttl,
            cap: cap.max(1),
        }
    }

    /// A new token for the rotation `old` → `new`, then going to `then` (or the page).
    pub(crate) fn issue(
        &self,
        old: SessionId,
        new: SessionId,
        then: Option<String>,
        now: Instant,
    ) -> String {
        let token = SessionId::new().as_str().to_owned();
        let then = then.filter(|to| {
            let fits = to.len() <= MAX_THEN;
            if !fits {
                tracing::warn!(
                    len = to.len(),
                    "a redirect after a session rotation is too long; the tab returns to its page"
                );
            }
            fits
        });
        let mut table = lock(&self.inner);
        table.forget_expired(now);
        let mut evicted = 0_usize;
        while table.order.len() >= self.cap {
            if let Some((_, oldest)) = table.order.pop_front()
                && table.by_token.remove(&oldest).is_some()
            {
                evicted += 1;
            }
        }
        if evicted > 0 {
            tracing::warn!(
                evicted,
                cap = self.cap,
                "too many session rotations pending; the oldest tab will start a fresh session"
            );
        }
        let pending = Pending {
            new,
            old,
            then,
            expires: now + self.ttl,
        };
        table.order.push_back((pending.expires, token.clone()));
        table.by_token.insert(token.clone(), pending);
        token
    }

    /// Takes `token` (it never redeems again) and gives its new session, if it is pending,
    /// not expired, and `holder` (the request's session) is the one it was issued for.
    pub(crate) fn redeem(
        &self,
        token: &str,
        holder: Option<&SessionId>,
        now: Instant,
    ) -> Result<Redeemed, Refused> {
        let pending = {
            let mut table = lock(&self.inner);
            let pending = table.by_token.remove(token);
            table.forget_expired(now);
            pending.ok_or(Refused::Unknown)?
        };
        if now >= pending.expires {
            return Err(Refused::Expired);
        }
        if holder != Some(&pending.old) {
            return Err(Refused::OtherBrowser);
        }
        Ok(Redeemed {
            new: pending.new,
            then: pending.then,
        })
    }

    /// How many tokens are pending (used ones excepted).
    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.inner).by_token.len()
    }
}

impl Table {
    /// Drops the tokens whose time is up.
    fn forget_expired(&mut self, now: Instant) {
        while let Some((expires, _)) = self.order.front() {
            if *expires > now {
                break;
            }
            if let Some((_, token)) = self.order.pop_front() {
                self.by_token.remove(&token);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (SessionId, SessionId) {
        (SessionId::new(), SessionId::new())
    }

    #[test]
    fn a_token_redeems_once_for_the_browser_it_was_issued_for() {
        let handoffs = Handoffs::default();
        let now = Instant::now();
        let (old, new) = ids();
        let token = handoffs.issue(old.clone(), new.clone(), None, now);
        assert!(SessionId::parse(&token).is_some(), "128 random bits");
        assert_eq!(
            handoffs.redeem(&token, Some(&old), now),
            Ok(Redeemed {
                new: new.clone(),
                then: None
            })
        );
        assert_eq!(
            handoffs.redeem(&token, Some(&old), now),
            Err(Refused::Unknown),
            "single use"
        );
        assert_eq!(handoffs.len(), 0);

        let then = Some("/dashboard".to_owned());
        let token = handoffs.issue(old.clone(), new.clone(), then.clone(), now);
        assert_eq!(
            handoffs.redeem(&token, Some(&old), now).map(|r| r.then),
            Ok(then)
        );
        let unknown = SessionId::new();
        assert_eq!(
            handoffs.redeem(unknown.as_str(), Some(&old), now),
            Err(Refused::Unknown)
        );
    }

    #[test]
    fn another_browser_cannot_redeem_and_burns_the_token() {
        let handoffs = Handoffs::default();
        let now = Instant::now();
        let (old, new) = ids();
        let token = handoffs.issue(old.clone(), new, None, now);
        // A victim lured to a token issued for the attacker's own session (session donation).
        let other = SessionId::new();
        assert_eq!(
            handoffs.redeem(&token, Some(&other), now),
            Err(Refused::OtherBrowser)
        );
        assert_eq!(
            handoffs.redeem(&token, Some(&old), now),
            Err(Refused::Unknown)
        );
        let token = handoffs.issue(old, SessionId::new(), None, now);
        assert_eq!(
            handoffs.redeem(&token, None, now),
            Err(Refused::OtherBrowser)
        );
    }

    #[test]
    fn tokens_expire() {
        let handoffs = Handoffs::new(Duration::from_secs(10), 16);
        let start = Instant::now();
        let (old, new) = ids();
        let late = handoffs.issue(old.clone(), new.clone(), None, start);
        let swept = handoffs.issue(old.clone(), new.clone(), None, start);
        let in_time = handoffs.issue(old.clone(), new.clone(), None, start);
        assert_eq!(
            handoffs
                .redeem(&in_time, Some(&old), start + Duration::from_secs(9))
                .map(|r| r.new),
            Ok(new)
        );
        assert_eq!(
            handoffs.redeem(&late, Some(&old), start + Duration::from_secs(10)),
            Err(Refused::Expired)
        );
        // That call swept the other expired token as well.
        assert_eq!(handoffs.len(), 0);
        assert_eq!(
            handoffs.redeem(&swept, Some(&old), start + Duration::from_secs(10)),
            Err(Refused::Unknown)
        );
    }

    #[test]
    fn a_flood_of_rotations_stays_under_the_cap_evicting_the_oldest() {
        let cap = 64;
        let handoffs = Handoffs::new(Duration::from_secs(10), cap);
        let now = Instant::now();
        let (old, new) = ids();
        let first = handoffs.issue(old.clone(), new.clone(), None, now);
        let mut last = String::new();
        for _ in 0..10 * cap {
            last = handoffs.issue(old.clone(), new.clone(), Some("/x".repeat(100)), now);
            assert!(handoffs.len() <= cap);
            assert!(lock(&handoffs.inner).order.len() <= cap);
        }
        assert_eq!(handoffs.len(), cap);
        assert_eq!(
            handoffs.redeem(&first, Some(&old), now),
            Err(Refused::Unknown),
            "the oldest was evicted"
        );
        assert!(handoffs.redeem(&last, Some(&old), now).is_ok());
        // Used tokens' places are reclaimed too: issuing and redeeming forever stays bounded.
        for _ in 0..10 * cap {
            let token = handoffs.issue(old.clone(), new.clone(), None, now);
            assert!(handoffs.redeem(&token, Some(&old), now).is_ok());
            assert!(lock(&handoffs.inner).order.len() <= cap);
        }
    }

    #[test]
    fn an_overlong_redirect_target_is_dropped() {
        let handoffs = Handoffs::default();
        let now = Instant::now();
        let (old, new) = ids();
        let token = handoffs.issue(old.clone(), new, Some("/".repeat(MAX_THEN + 1)), now);
        assert_eq!(
            handoffs.redeem(&token, Some(&old), now).map(|r| r.then),
            Ok(None)
        );
    }
}
