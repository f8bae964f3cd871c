//! A session's action budget: one token bucket shared by its sockets and its POSTs.
//!
//! Every action a session sends — over any of its tabs' sockets, as a JSON `POST` or as a
//! plain form `POST` — takes one token. The bucket holds at most `rate` tokens (one second's
//! worth, so a burst of `rate` actions is served at once) and refills at `rate` tokens a
//! second. With `rate = 50`:
//!
//! ```text
//! t = 0.0 s  50 tokens   a burst of 50 actions from five tabs: all served, 0 left
//! t = 0.0 s   0 tokens   the 51st action: refused, retry after 1 s
//! t = 0.1 s   5 tokens   5 more actions served
//! ```
//!
//! The bucket belongs to the session, not to a TCP connection, so opening more connections or
//! keeping one alive buys nothing, and other sessions never share it.

use std::time::{Duration, Instant};

/// Why an action was refused: the session spent its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OverBudget {
    /// The session's limit, in actions per second.
    pub(crate) rate: u32,
    /// How long until the next action would be served, rounded up to whole seconds for
    /// `Retry-After` (at least 1).
    pub(crate) retry_after_secs: u64,
}

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "too many actions: this session may send {} a second; retry in {} s",
            self.rate, self.retry_after_secs
        )
    }
}

impl std::error::Error for OverBudget {}

/// A token bucket of `rate` tokens refilled at `rate` a second.
#[derive(Debug)]
pub(crate) struct Budget {
    rate: u32,
    tokens: f64,
    refilled: Instant,
}

impl Budget {
    /// A full bucket for `rate` actions a second (at least 1).
    pub(crate) fn new(rate: u32) -> Self {
        let rate = rate.max(1);
        Budget {
            rate,
            tokens: f64::from(rate),
            refilled: Instant::now(),
        }
    }

    /// Takes one token at `now`, or says how long until one is there.
    pub(crate) fn spend(&mut self, now: Instant) -> Result<(), OverBudget> {
        let rate = f64::from(self.rate);
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(rate);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait = Duration::from_secs_f64((1.0 - self.tokens) / rate);
        Err(OverBudget {
            rate: self.rate,
            retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_serves_a_burst_of_rate_then_refuses() {
        let start = Instant::now();
        let mut budget = Budget::new(50);
        for n in 0..50 {
            assert_eq!(budget.spend(start), Ok(()), "action {n}");
        }
        let refused = budget.spend(start).expect_err("the 51st action");
        assert_eq!(
            refused,
            OverBudget {
                rate: 50,
                retry_after_secs: 1
            }
        );
        assert_eq!(
            refused.to_string(),
            "too many actions: this session may send 50 a second; retry in 1 s"
        );
    }

    #[test]
    fn the_bucket_refills_at_its_rate_and_never_past_one_second_of_tokens() {
        let start = Instant::now();
        let mut budget = Budget::new(10);
        for _ in 0..10 {
            assert_eq!(budget.spend(start), Ok(()));
        }
        assert!(budget.spend(start).is_err());
        // 0.25 s refills 2.5 tokens: two actions, not three.
        let later = start + Duration::from_millis(250);
        assert_eq!(budget.spend(later), Ok(()));
        assert_eq!(budget.spend(later), Ok(()));
        assert!(budget.spend(later).is_err());
        // A long pause refills one second's worth, no more.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..10 {
            assert_eq!(budget.spend(much_later), Ok(()));
        }
        assert!(budget.spend(much_later).is_err());
    }

    #[test]
    fn a_slow_rate_asks_for_a_longer_wait() {
        let start = Instant::now();
        let mut budget = Budget::new(1);
        assert_eq!(budget.spend(start), Ok(()));
        let refused = budget.spend(start + Duration::from_millis(100));
        assert_eq!(refused.map_err(|e| e.retry_after_secs), Err(1));
    }
}
