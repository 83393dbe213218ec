//! Failed sign-in throttling, per account and per source address.
//!
//! Keys are derived from what was typed, whether or not the account exists,
//! so the response cannot reveal which usernames are real.

use crate::UnixTime;

#[derive(Clone, Copy, Debug)]
pub struct LoginThrottle {
    pub window_seconds: i64,
    pub max_failures_per_account: u32,
    pub max_failures_per_address: u32,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self { window_seconds: 15 * 60, max_failures_per_account: 5, max_failures_per_address: 50 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleVerdict {
    Allow,
    /// Refuse without checking the password, until the given time.
    Refuse {
        retry_after: UnixTime,
    },
}

impl LoginThrottle {
    /// The earliest failure time still counted at `now`: a failure stops
    /// counting exactly `window_seconds` after it happened.
    pub fn window_start(&self, now: UnixTime) -> UnixTime {
        now - self.window_seconds + 1
    }

    /// `account` and `address` are failures inside the window, each with the
    /// time of the oldest one counted.
    pub fn verdict(&self, account: (u32, Option<UnixTime>), address: (u32, Option<UnixTime>)) -> ThrottleVerdict {
        let mut retry_after = None;
        for ((count, oldest), limit) in [(account, self.max_failures_per_account), (address, self.max_failures_per_address)] {
            if count >= limit {
                let until = oldest.unwrap_or_default() + self.window_seconds;
                retry_after = Some(retry_after.map_or(until, |r: UnixTime| r.max(until)));
            }
        }
        match retry_after {
            Some(retry_after) => ThrottleVerdict::Refuse { retry_after },
            None => ThrottleVerdict::Allow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_counts_for_exactly_the_window() {
        let t = LoginThrottle::default();
        assert!(t.window_start(1000 + 899) <= 1000);
        assert!(t.window_start(1000 + 900) > 1000);
    }

    #[test]
    fn refuses_after_limits() {
        let t = LoginThrottle::default();
        assert_eq!(t.verdict((4, Some(10)), (4, Some(10))), ThrottleVerdict::Allow);
        assert_eq!(t.verdict((5, Some(10)), (5, Some(10))), ThrottleVerdict::Refuse { retry_after: 10 + 900 });
        assert_eq!(t.verdict((0, None), (50, Some(20))), ThrottleVerdict::Refuse { retry_after: 20 + 900 });
    }
}
