//! After-call work: how long an agent may stay in wrap-up before the call is
//! closed for them and they are made available again. Without a limit an
//! agent whose browser closed in wrap-up would stay there for ever, counted
//! as working.

use crate::UnixTime;
use crate::contact::FieldError;
use crate::dialing::DispositionOutcome;

/// Seconds of wrap-up allowed when a campaign or queue names none.
pub const DEFAULT_WRAP_UP_SECONDS: u32 = 120;
/// The longest limit that may be set: an hour. `0` sets none.
pub const MAX_WRAP_UP_SECONDS: u32 = 3600;

/// The disposition code a call gets when its wrap-up ran out.
pub const WRAP_UP_TIMED_OUT: &str = "wrap_up_timeout";

/// A wrap-up limit as written (absent: the default), checked.
pub fn check_wrap_up(value: Option<u32>, errors: &mut Vec<FieldError>) -> u32 {
    let seconds = value.unwrap_or(DEFAULT_WRAP_UP_SECONDS);
    if seconds > MAX_WRAP_UP_SECONDS {
        errors.push(FieldError::new("wrap_up_seconds", "must be 0 (no limit) to 3600 seconds"));
    }
    seconds
}

/// Seconds of wrap-up left at `now` for a call that ended at `ended_at`;
/// `None` when the limit is 0 (none). Never below zero.
pub fn wrap_up_left(ended_at: UnixTime, limit_seconds: u32, now: UnixTime) -> Option<i64> {
    (limit_seconds > 0).then(|| (ended_at.saturating_add(i64::from(limit_seconds)) - now).max(0))
}

/// What a wrap-up that ran out means for the contact: an outbound contact
/// is tried again later by the campaign's retry rule (nobody said how the
/// call went, so nothing is concluded); an inbound caller's call is over.
pub fn timed_out_outcome(outbound: bool) -> DispositionOutcome {
    if outbound { DispositionOutcome::RetryLater } else { DispositionOutcome::Final }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_limit_is_the_default_or_zero_to_an_hour() {
        let mut errors = Vec::new();
        assert_eq!(check_wrap_up(None, &mut errors), 120);
        assert_eq!(check_wrap_up(Some(0), &mut errors), 0);
        assert_eq!(check_wrap_up(Some(3600), &mut errors), 3600);
        assert!(errors.is_empty());
        check_wrap_up(Some(3601), &mut errors);
        assert_eq!(errors.first().map(|e| e.field.as_str()), Some("wrap_up_seconds"));
    }

    #[test]
    fn no_limit_never_runs_out() {
        assert_eq!(wrap_up_left(100, 0, i64::MAX), None);
        assert_eq!(wrap_up_left(100, 120, 150), Some(70));
        assert_eq!(wrap_up_left(100, 120, 500), Some(0));
    }

    proptest! {
        #[test]
        fn time_left_shrinks_to_zero_and_stays(ended in -1_000_000i64..1_000_000, limit in 1u32..=3600, passed in 0i64..10_000) {
            let left = wrap_up_left(ended, limit, ended + passed).unwrap();
            prop_assert_eq!(left, (i64::from(limit) - passed).max(0));
        }
    }
}
