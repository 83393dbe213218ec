//! Where an agent's time went over a period, from the moves between states:
//! the basis of occupancy and the agent time report.

use crate::UnixTime;
use std::collections::BTreeMap;

/// Seconds per state code over a period (offline included).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateTimes(pub BTreeMap<String, i64>);

impl StateTimes {
    pub fn seconds(&self, code: &str) -> i64 {
        self.0.get(code).copied().unwrap_or(0)
    }

    /// Time logged in: everything but offline.
    pub fn logged_in(&self) -> i64 {
        self.0.iter().filter(|(code, _)| code.as_str() != "offline").map(|(_, s)| s).sum()
    }

    /// Time on calls and in wrap-up over time logged in; `None` if never logged in.
    pub fn occupancy(&self) -> Option<f64> {
        let logged_in = self.logged_in();
        (logged_in > 0).then(|| (self.seconds("on_call") + self.seconds("wrap_up")) as f64 / logged_in as f64)
    }
}

/// The time in each state within `[from, to)`, for an agent who was in
/// `initial` at `from` (offline if `None`) and then made `moves` (time,
/// state entered), oldest first. Moves outside the period are ignored.
pub fn state_times(initial: Option<&str>, moves: &[(UnixTime, &str)], from: UnixTime, to: UnixTime) -> StateTimes {
    let mut times = StateTimes::default();
    if to <= from {
        return times;
    }
    let mut current = initial.unwrap_or("offline");
    let mut since = from;
    for &(at, state) in moves.iter().filter(|(at, _)| *at >= from && *at < to) {
        *times.0.entry(current.to_owned()).or_default() += at - since;
        current = state;
        since = at;
    }
    *times.0.entry(current.to_owned()).or_default() += to - since;
    times
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_split_by_state_within_the_period() {
        // Logged in at 100, call 200-500, wrap-up to 560, break 600-900, out at 1000.
        let moves = [
            (100, "available"),
            (150, "reserved"),
            (200, "on_call"),
            (500, "wrap_up"),
            (560, "available"),
            (600, "break"),
            (900, "available"),
            (1000, "offline"),
        ];
        let times = state_times(None, &moves, 0, 1200);
        assert_eq!(times.seconds("offline"), 100 + 200);
        assert_eq!(times.seconds("on_call"), 300);
        assert_eq!(times.seconds("wrap_up"), 60);
        assert_eq!(times.seconds("break"), 300);
        assert_eq!(times.logged_in(), 900);
        assert_eq!(times.0.values().sum::<i64>(), 1200, "every second counted once");
        assert_eq!(times.occupancy(), Some(360.0 / 900.0));
    }

    #[test]
    fn the_period_cuts_moves_and_starts_from_the_state_then() {
        let moves = [(50, "on_call"), (150, "wrap_up"), (250, "available")];
        let times = state_times(Some("available"), &moves, 100, 200);
        assert_eq!(times.seconds("available"), 50, "the on_call move at 50 is before the period");
        assert_eq!(times.seconds("wrap_up"), 50);
        assert_eq!(state_times(None, &[], 10, 10), StateTimes::default());
        assert_eq!(state_times(None, &[], 0, 100).occupancy(), None);
    }
}
