//! Simulated inbound callers: each has a patience (how long they hold before
//! hanging up), a talk time once an agent takes the call, and an answer to
//! the callback offer. `InboundTraffic` draws them, arriving at random
//! (a Poisson stream) at a fixed rate, from a seed.

use crate::SeededRandom;
use serde::{Deserialize, Serialize};

/// How one caller behaves. Times are in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// How long they hold before hanging up, if no agent takes the call.
    pub patience_ms: u32,
    /// How long they talk once joined to an agent.
    pub talk_ms: u32,
    /// Whether they take a callback when offered one.
    pub accepts_callback: bool,
}

/// Calls arriving at the simulated carrier. Times are in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboundTraffic {
    /// The numbers callers dial, chosen at random for each call.
    pub numbers: Vec<String>,
    /// The numbers callers call from (E.164), chosen at random.
    pub callers: Vec<String>,
    pub calls_per_hour: f64,
    pub patience_median_ms: f64,
    pub talk_median_ms: f64,
    /// Share of callers who take a callback when offered one.
    pub callback_acceptance: f64,
}

impl InboundTraffic {
    /// A service line: callers hold 90 s (median) and talk 3 minutes; half
    /// take a callback.
    pub fn new(numbers: Vec<String>, callers: Vec<String>, calls_per_hour: f64) -> Self {
        Self { numbers, callers, calls_per_hour, patience_median_ms: 90_000.0, talk_median_ms: 180_000.0, callback_acceptance: 0.5 }
    }
}

/// One arrival: after `gap_ms` from the previous one, `from` dials `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub gap_ms: u32,
    pub to: String,
    pub from: Option<String>,
    pub caller: Caller,
}

fn millis(value: f64) -> u32 {
    value.clamp(0.0, f64::from(u32::MAX)) as u32
}

fn pick<'a>(random: &mut SeededRandom, from: &'a [String]) -> Option<&'a String> {
    let len = u64::try_from(from.len()).ok().filter(|&n| n > 0)?;
    from.get(usize::try_from(random.next_u64() % len).ok()?)
}

impl InboundTraffic {
    /// The next arrival; `None` without numbers to dial or with no traffic.
    pub fn next(&self, random: &mut SeededRandom) -> Option<Arrival> {
        if self.calls_per_hour.is_nan() || self.calls_per_hour <= 0.0 {
            return None;
        }
        let to = pick(random, &self.numbers)?.clone();
        let mean_gap_ms = 3_600_000.0 / self.calls_per_hour;
        let gap_ms = millis(-(1.0 - random.unit()).ln() * mean_gap_ms);
        let from = pick(random, &self.callers).cloned();
        let caller = Caller {
            patience_ms: millis(random.log_normal(self.patience_median_ms, 0.5)).max(3_000),
            talk_ms: millis(random.log_normal(self.talk_median_ms, 0.6)).max(10_000),
            accepts_callback: random.unit() < self.callback_acceptance,
        };
        Some(Arrival { gap_ms, to, from, caller })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_come_at_the_rate_and_repeat_with_the_seed() {
        let traffic = InboundTraffic::new(vec!["+442079460999".into()], vec!["+442079460001".into()], 120.0);
        let mut random = SeededRandom::new(3);
        let arrivals: Vec<Arrival> = (0..10_000).map_while(|_| traffic.next(&mut random)).collect();
        let mean_gap = arrivals.iter().map(|a| f64::from(a.gap_ms)).sum::<f64>() / 10_000.0;
        assert!((mean_gap - 30_000.0).abs() < 1_000.0, "120 an hour is one every 30 s: {mean_gap}");
        let accepting = arrivals.iter().filter(|a| a.caller.accepts_callback).count();
        assert!((4_700..5_300).contains(&accepting), "{accepting}");
        let mut again = SeededRandom::new(3);
        assert!(arrivals.iter().all(|a| Some(a) == traffic.next(&mut again).as_ref()));
        assert_eq!(InboundTraffic::new(Vec::new(), Vec::new(), 120.0).next(&mut random), None);
        assert_eq!(InboundTraffic::new(vec!["+442079460999".into()], Vec::new(), 0.0).next(&mut random), None);
    }
}
