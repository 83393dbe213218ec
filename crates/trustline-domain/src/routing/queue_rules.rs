//! A queue's service level, when to offer a callback instead of waiting,
//! and its opening hours.

use crate::UnixTime;
use crate::dialing::calling_window::local_date;
use crate::dialing::{WeeklyHours, WindowClosed};
use std::collections::BTreeSet;

/// Answered within the threshold over all calls answered, plus those
/// abandoned after the threshold (callers who hung up sooner are not held
/// against the queue), e.g. 80 % within 20 s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServiceLevel {
    threshold_ms: u64,
    answered_in_time: u64,
    answered: u64,
    abandoned_late: u64,
}

impl ServiceLevel {
    pub fn new(threshold_ms: u64) -> Self {
        Self { threshold_ms, ..Self::default() }
    }

    pub fn answered(&mut self, waited_ms: u64) {
        self.answered += 1;
        self.answered_in_time += u64::from(waited_ms <= self.threshold_ms);
    }

    pub fn abandoned(&mut self, waited_ms: u64) {
        self.abandoned_late += u64::from(waited_ms > self.threshold_ms);
    }

    /// `None` before any call counts.
    pub fn share(&self) -> Option<f64> {
        let counted = self.answered + self.abandoned_late;
        (counted > 0).then(|| self.answered_in_time as f64 / counted as f64)
    }
}

/// Whether a caller at `position` (1 = next) should be offered a callback:
/// when the expected wait, position x average handle time / agents serving,
/// exceeds `max_wait_ms`. With nobody serving, always.
pub fn offer_callback(position: usize, agents_serving: usize, average_handle_ms: u64, max_wait_ms: u64) -> bool {
    if agents_serving == 0 {
        return true;
    }
    let expected = (position as u64).saturating_mul(average_handle_ms) / agents_serving as u64;
    expected > max_wait_ms
}

/// When a queue takes calls, in its own time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpeningHours {
    pub hours: WeeklyHours,
    pub zone: String,
    /// Local dates it stays closed.
    pub holidays: BTreeSet<jiff::civil::Date>,
}

impl OpeningHours {
    pub fn is_open(&self, at: UnixTime) -> Result<bool, WindowClosed> {
        if self.holidays.contains(&local_date(&self.zone, at)?) {
            return Ok(false);
        }
        self.hours.is_open(&self.zone, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_level_counts_late_abandons_only() {
        let mut level = ServiceLevel::new(20_000);
        assert_eq!(level.share(), None);
        for wait in [1_000, 5_000, 19_000, 25_000] {
            level.answered(wait);
        }
        level.abandoned(3_000);
        level.abandoned(40_000);
        assert_eq!(level.share(), Some(3.0 / 5.0));
    }

    #[test]
    fn callbacks_are_offered_when_the_wait_is_long() {
        assert!(!offer_callback(2, 10, 240_000, 120_000), "2 x 4 min / 10 agents = 48 s");
        assert!(offer_callback(8, 10, 240_000, 120_000), "8 x 4 min / 10 agents = 192 s");
        assert!(offer_callback(1, 0, 240_000, 120_000));
    }

    #[test]
    fn opening_hours_follow_the_queue_zone() {
        let hours = WeeklyHours::closed().with_rule("mon-fri 09:00-17:00").unwrap();
        let desk = OpeningHours { hours, zone: "Europe/Berlin".into(), holidays: BTreeSet::new() };
        // Monday 15 June 2026, 07:30 UTC = 09:30 in Berlin (CEST).
        assert_eq!(desk.is_open(1_781_508_600), Ok(true));
        assert_eq!(desk.is_open(1_781_508_600 - 3_600), Ok(false));
        let nowhere = OpeningHours { zone: "Nowhere/Atlantis".into(), ..desk };
        assert!(nowhere.is_open(1_781_508_600).is_err());
    }
}
