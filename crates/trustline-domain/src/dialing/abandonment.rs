//! The abandonment cap: of the calls a person answered, the share that found
//! no agent within the allowed delay, over a rolling window (30 days by
//! default, as regulators count it; 24 hours as an option).

use crate::UnixTime;
use serde::{Deserialize, Serialize};

const HOUR: i64 = 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowLength {
    Days30,
    Hours24,
}

impl WindowLength {
    fn hours(self) -> usize {
        match self {
            WindowLength::Days30 => 30 * 24,
            WindowLength::Hours24 => 24,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AbandonmentPolicy {
    /// The highest share of answered calls that may be abandoned (0.03 = 3 %).
    pub cap: f64,
    pub window: WindowLength,
    /// Milliseconds an answered call may wait for an agent before it counts
    /// as abandoned.
    pub max_wait_ms: u32,
}

impl Default for AbandonmentPolicy {
    fn default() -> Self {
        Self { cap: 0.03, window: WindowLength::Days30, max_wait_ms: 2000 }
    }
}

/// Below this many answered calls in the window, its rate says too little to
/// be trusted either way.
const MIN_ANSWERED: u64 = 50;

impl AbandonmentPolicy {
    /// The abandonment rate the pacing may aim for now: most of the cap
    /// while the window is well under it, falling to zero (dial only for
    /// free agents) as the window's rate approaches the cap.
    pub fn target_rate(&self, window: &AbandonmentWindow, now: UnixTime) -> f64 {
        let (answered, abandoned) = window.totals(now);
        let observed = if answered < MIN_ANSWERED { 0.0 } else { abandoned as f64 / answered as f64 };
        let headroom = (2.0 * (1.0 - observed / self.cap)).clamp(0.0, 1.0);
        0.9 * self.cap * headroom
    }
}

/// Answered and abandoned calls per hour over the window, oldest first.
#[derive(Clone, Debug)]
pub struct AbandonmentWindow {
    length: WindowLength,
    /// (hour, answered, abandoned), at most `length.hours()` entries.
    hours: std::collections::VecDeque<(i64, u64, u64)>,
}

impl AbandonmentWindow {
    pub fn new(length: WindowLength) -> Self {
        Self { length, hours: std::collections::VecDeque::new() }
    }

    /// A call a person answered at `at`; `abandoned` if no agent took it in time.
    pub fn record(&mut self, at: UnixTime, abandoned: bool) {
        let hour = at.div_euclid(HOUR);
        match self.hours.back_mut() {
            Some(last) if last.0 == hour => {
                last.1 += 1;
                last.2 += u64::from(abandoned);
            }
            _ => self.hours.push_back((hour, 1, u64::from(abandoned))),
        }
        let oldest = hour - self.length.hours() as i64 + 1;
        while self.hours.front().is_some_and(|h| h.0 < oldest) {
            self.hours.pop_front();
        }
    }

    /// (answered, abandoned) within the window ending at `now`.
    pub fn totals(&self, now: UnixTime) -> (u64, u64) {
        let oldest = now.div_euclid(HOUR) - self.length.hours() as i64 + 1;
        self.hours.iter().filter(|h| h.0 >= oldest).fold((0, 0), |(a, b), h| (a + h.1, b + h.2))
    }

    pub fn rate(&self, now: UnixTime) -> Option<f64> {
        let (answered, abandoned) = self.totals(now);
        (answered > 0).then(|| abandoned as f64 / answered as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_hours_leave_the_window() {
        let mut window = AbandonmentWindow::new(WindowLength::Hours24);
        window.record(0, true);
        window.record(10, false);
        assert_eq!(window.totals(100), (2, 1));
        window.record(24 * HOUR, false);
        assert_eq!(window.totals(24 * HOUR), (1, 0), "hour 0 is 24 hours old");
        assert_eq!(window.rate(24 * HOUR), Some(0.0));
    }

    #[test]
    fn the_target_falls_to_zero_as_the_window_reaches_the_cap() {
        let policy = AbandonmentPolicy { window: WindowLength::Hours24, ..AbandonmentPolicy::default() };
        let mut window = AbandonmentWindow::new(WindowLength::Hours24);
        for i in 0..1000 {
            window.record(i, false);
        }
        let fresh = policy.target_rate(&window, 1000);
        assert!((fresh - 0.027).abs() < 1e-9);
        for i in 0..20 {
            window.record(1000 + i, true);
        }
        let half = policy.target_rate(&window, 1100);
        assert!(half < fresh && half > 0.0, "{half}");
        for i in 0..40 {
            window.record(1100 + i, true);
        }
        assert_eq!(policy.target_rate(&window, 1200), 0.0, "at the cap: dial only for free agents");
    }
}
