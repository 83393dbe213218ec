//! When a failed delivery is tried again: quickly at first, then backing
//! off to hours, for about half a day in all; then it is given up and shown
//! as failed.

use crate::UnixTime;

/// Seconds to wait after each failed attempt.
const BACKOFF_SECONDS: [i64; 7] = [10, 60, 300, 1_800, 3_600, 3 * 3_600, 6 * 3_600];

/// Attempts in all, the first included.
pub const MAX_ATTEMPTS: u32 = BACKOFF_SECONDS.len() as u32 + 1;

/// What happens after an attempt that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryAttempt {
    /// Try again at this time.
    RetryAt(UnixTime),
    /// No attempts left.
    GiveUp,
}

/// After the `attempts`-th failed attempt (1 = the first) at `now`.
pub fn next_attempt(attempts: u32, now: UnixTime) -> DeliveryAttempt {
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    match BACKOFF_SECONDS.get(index) {
        Some(wait) => DeliveryAttempt::RetryAt(now + wait),
        None => DeliveryAttempt::GiveUp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_end() {
        assert_eq!(next_attempt(1, 1_000), DeliveryAttempt::RetryAt(1_010));
        assert_eq!(next_attempt(2, 1_000), DeliveryAttempt::RetryAt(1_060));
        assert_eq!(next_attempt(7, 0), DeliveryAttempt::RetryAt(6 * 3_600));
        assert_eq!(next_attempt(MAX_ATTEMPTS, 0), DeliveryAttempt::GiveUp);
        let total: i64 = BACKOFF_SECONDS.iter().sum();
        assert!((10 * 3_600..14 * 3_600).contains(&total), "about half a day: {total}");
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| match next_attempt(n, 0) {
                DeliveryAttempt::RetryAt(at) => at,
                DeliveryAttempt::GiveUp => i64::MAX,
            })
            .collect();
        assert!(waits.windows(2).all(|w| w.first() < w.get(1)), "{waits:?}");
    }
}
