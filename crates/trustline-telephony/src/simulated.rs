//! The simulated carrier: the outcome of each dialled call.

use crate::SeededRandom;
use serde::{Deserialize, Serialize};

/// How the called population behaves. Times are in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarrierProfile {
    /// Share of calls a person answers.
    pub answer_rate: f64,
    /// Share answered by a machine (voicemail), detected and dropped.
    pub machine_rate: f64,
    /// Share that are busy.
    pub busy_rate: f64,
    /// Median time until a person or machine answers.
    pub ring_median_ms: f64,
    /// A call nobody answers is given up after this long.
    pub no_answer_timeout_ms: u32,
    pub busy_signal_ms: u32,
    /// Time for answering-machine detection after a machine answers.
    pub machine_detection_ms: u32,
    /// Median length of a conversation, and the spread of its log.
    pub talk_median_ms: f64,
    pub talk_sigma: f64,
}

impl Default for CarrierProfile {
    /// Consumer outbound calling: 30 % reached, 15 % voicemail, 5 % busy,
    /// the rest unanswered after 30 s; conversations of 75 s median (many
    /// answers are short), with a long tail.
    fn default() -> Self {
        Self {
            answer_rate: 0.30,
            machine_rate: 0.15,
            busy_rate: 0.05,
            ring_median_ms: 9_000.0,
            no_answer_timeout_ms: 30_000,
            busy_signal_ms: 3_000,
            machine_detection_ms: 2_500,
            talk_median_ms: 75_000.0,
            talk_sigma: 0.6,
        }
    }
}

/// What happens to one dialled call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// A person answers after `ring_ms` and, once connected, talks for `talk_ms`.
    Person {
        ring_ms: u32,
        talk_ms: u32,
    },
    /// A machine answers after `ring_ms`; it is recognised `detection_ms` later.
    Machine {
        ring_ms: u32,
        detection_ms: u32,
    },
    Busy {
        after_ms: u32,
    },
    NoAnswer {
        after_ms: u32,
    },
}

impl CallOutcome {
    /// When the dialer learns whether a person is on the line.
    pub fn resolved_after_ms(self) -> u32 {
        match self {
            CallOutcome::Person { ring_ms, .. } => ring_ms,
            CallOutcome::Machine { ring_ms, detection_ms } => ring_ms + detection_ms,
            CallOutcome::Busy { after_ms } | CallOutcome::NoAnswer { after_ms } => after_ms,
        }
    }
}

/// Draws call outcomes from a profile; the same seed gives the same calls.
#[derive(Clone, Debug)]
pub struct SimulatedCarrier {
    profile: CarrierProfile,
    random: SeededRandom,
}

fn millis(value: f64) -> u32 {
    value.clamp(0.0, f64::from(u32::MAX)) as u32
}

impl SimulatedCarrier {
    pub fn new(profile: CarrierProfile, seed: u64) -> Self {
        Self { profile, random: SeededRandom::new(seed) }
    }

    pub fn profile(&self) -> &CarrierProfile {
        &self.profile
    }

    /// The outcome of the next dialled call.
    pub fn dial(&mut self) -> CallOutcome {
        let p = &self.profile;
        let draw = self.random.unit();
        let timeout = p.no_answer_timeout_ms;
        let ring = |random: &mut SeededRandom| millis(random.log_normal(p.ring_median_ms, 0.4)).clamp(1_000, timeout.saturating_sub(1));
        if draw < p.answer_rate {
            let ring_ms = ring(&mut self.random);
            let talk_ms = millis(self.random.log_normal(p.talk_median_ms, p.talk_sigma)).max(5_000);
            CallOutcome::Person { ring_ms, talk_ms }
        } else if draw < p.answer_rate + p.machine_rate {
            CallOutcome::Machine { ring_ms: ring(&mut self.random), detection_ms: p.machine_detection_ms }
        } else if draw < p.answer_rate + p.machine_rate + p.busy_rate {
            CallOutcome::Busy { after_ms: p.busy_signal_ms }
        } else {
            CallOutcome::NoAnswer { after_ms: timeout }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_the_profile_and_repeat_with_the_seed() {
        let mut carrier = SimulatedCarrier::new(CarrierProfile::default(), 42);
        let calls: Vec<CallOutcome> = (0..20_000).map(|_| carrier.dial()).collect();
        let people = calls.iter().filter(|c| matches!(c, CallOutcome::Person { .. })).count() as f64 / 20_000.0;
        let machines = calls.iter().filter(|c| matches!(c, CallOutcome::Machine { .. })).count() as f64 / 20_000.0;
        assert!((people - 0.30).abs() < 0.02, "{people}");
        assert!((machines - 0.15).abs() < 0.02, "{machines}");
        assert!(calls.iter().all(|c| c.resolved_after_ms() <= 30_000 + 2_500));
        let mut again = SimulatedCarrier::new(CarrierProfile::default(), 42);
        assert!(calls.iter().all(|c| *c == again.dial()));
    }
}
