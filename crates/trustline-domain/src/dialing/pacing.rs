//! How many calls to place now.
//!
//! Predictive pacing keeps `n` calls ringing so that the answers they bring
//! meet agents, while the answers expected to find none stay within the
//! target share of all answers. Answers arrive over time, so the check is
//! made at several moments `h` from now: the answers by then `X` (from the
//! calls already ringing, given how long they have rung, and from `m` new
//! ones) against the agents free by then plus the wait an answered call is
//! allowed, `F` (the free agents plus the busy ones finishing). Both counts
//! are taken as Poisson, which is wider than the exact counts and so on the
//! safe side. The largest `m` with `E[(X - F)+] <= target * p * calls` at
//! every moment is placed. With thin estimates it falls back to one call per
//! free agent (progressive), which never abandons.

use super::DialingMode;

/// Answers and handling times of recent calls, weighted towards the latest
/// (about the last few hundred) so the estimates follow the time of day.
#[derive(Clone, Debug)]
pub struct PacingEstimate {
    attempts: u64,
    answer_rate: f64,
    /// How long a person takes to answer.
    answer_times: Durations,
    talk_times: Durations,
    wrap_times: Durations,
    wrap_ms: f64,
}

impl Default for PacingEstimate {
    fn default() -> Self {
        Self {
            attempts: 0,
            answer_rate: 0.0,
            answer_times: Durations::new(&[2, 4, 6, 9, 13, 20, 30, 45, 60]),
            talk_times: Durations::new(&[5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900, 1800]),
            wrap_times: Durations::new(&[2, 5, 8, 12, 16, 20, 30, 45, 60, 90, 120, 300]),
            wrap_ms: 0.0,
        }
    }
}

/// Weight of the newest observation once the estimate is warm.
const RECENT_WEIGHT: f64 = 1.0 / 300.0;
/// Below these counts the estimates are too thin to dial ahead on.
const MIN_ATTEMPTS: u64 = 100;
const MIN_HANDLED: u64 = 20;
/// Moments from now at which answers are matched against agents.
const MOMENTS_MS: [u32; 7] = [2_000, 4_000, 6_000, 9_000, 13_000, 20_000, 30_000];
/// The most calls pacing will keep in flight, whatever the estimates say.
const MAX_IN_FLIGHT: u32 = 1000;

fn blend(average: &mut f64, count: u64, value: f64) {
    let weight = (1.0 / count as f64).max(RECENT_WEIGHT);
    *average += weight * (value - *average);
}

/// A recent distribution of durations: the share at or below each of a few
/// fixed points (seconds), interpolated in between.
#[derive(Clone, Debug)]
struct Durations {
    count: u64,
    points_ms: Vec<f64>,
    shares: Vec<f64>,
}

impl Durations {
    fn new(points_s: &[u32]) -> Self {
        Self { count: 0, points_ms: points_s.iter().map(|&s| f64::from(s) * 1000.0).collect(), shares: vec![0.0; points_s.len()] }
    }

    fn record(&mut self, ms: u32) {
        self.count += 1;
        let ms = f64::from(ms);
        for (share, &point) in self.shares.iter_mut().zip(&self.points_ms) {
            blend(share, self.count, if ms <= point { 1.0 } else { 0.0 });
        }
    }

    /// The share at or below `ms`.
    fn share_within(&self, ms: f64) -> f64 {
        let mut previous = (0.0, 0.0);
        for (&point, &share) in self.points_ms.iter().zip(&self.shares) {
            if ms <= point {
                return previous.1 + (share - previous.1) * (ms.max(0.0) - previous.0) / (point - previous.0);
            }
            previous = (point, share);
        }
        1.0
    }

    /// The chance that a duration already past `elapsed` ends by `by`.
    fn ends_between(&self, elapsed: f64, by: f64) -> f64 {
        if by <= elapsed {
            return 0.0;
        }
        let done = self.share_within(elapsed);
        // Longer than anything recent: no telling, so count it as unlikely.
        if done >= 1.0 - 1e-9 {
            return 0.1;
        }
        ((self.share_within(by) - done) / (1.0 - done)).clamp(0.0, 1.0)
    }
}

/// What a busy agent is doing, for the chance they are free soon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AgentBusy {
    Talking { elapsed_ms: u32 },
    WrappingUp { elapsed_ms: u32 },
}

impl PacingEstimate {
    /// A dialled call's outcome: whether a person answered, and after how
    /// long it rang.
    pub fn record_attempt(&mut self, person_answered: bool, ring_ms: u32) {
        self.attempts += 1;
        blend(&mut self.answer_rate, self.attempts, if person_answered { 1.0 } else { 0.0 });
        if person_answered {
            self.answer_times.record(ring_ms);
        }
    }

    /// A conversation and the wrap-up after it.
    pub fn record_handled(&mut self, talk_ms: u32, wrap_ms: u32) {
        self.talk_times.record(talk_ms);
        self.wrap_times.record(wrap_ms);
        blend(&mut self.wrap_ms, self.wrap_times.count, f64::from(wrap_ms));
    }

    pub fn is_reliable(&self) -> bool {
        self.attempts >= MIN_ATTEMPTS && self.talk_times.count >= MIN_HANDLED && self.answer_rate > 0.0
    }

    pub fn answer_rate(&self) -> f64 {
        self.answer_rate
    }

    /// The chance that an agent in `busy` is free within `horizon_ms`: a
    /// conversation must end early enough for the wrap-up after it.
    pub fn chance_free_within(&self, busy: AgentBusy, horizon_ms: f64) -> f64 {
        match busy {
            AgentBusy::Talking { elapsed_ms } => {
                let elapsed = f64::from(elapsed_ms);
                self.talk_times.ends_between(elapsed, elapsed + horizon_ms - self.wrap_ms)
            }
            AgentBusy::WrappingUp { elapsed_ms } => {
                let elapsed = f64::from(elapsed_ms);
                self.wrap_times.ends_between(elapsed, elapsed + horizon_ms)
            }
        }
    }
}

/// What the dialer sees of one campaign at a decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DialerView<'a> {
    /// Agents free and not waiting for a call already placed for them.
    pub free_agents: u32,
    /// What each busy agent of the campaign is doing.
    pub busy: &'a [AgentBusy],
    /// How long each call placed and not yet answered or given up (and not
    /// tied to an agent) has been ringing.
    pub ringing: &'a [u32],
    /// How long an answered call may wait for an agent.
    pub answer_wait_ms: u32,
}

/// A Poisson distribution with `mean`, over its whole likely range, shifted
/// up by `offset`. Index = count.
fn poisson(offset: u32, mean: f64) -> Vec<f64> {
    let mean = mean.max(0.0);
    let last = (mean + 10.0 * mean.sqrt() + 10.0).ceil() as usize;
    let mut all = vec![0.0; offset as usize];
    let mut chance = (-mean).exp();
    for k in 0..=last {
        all.push(chance);
        chance *= mean / (k + 1) as f64;
    }
    all
}

/// `E[(X - F)+]`: the answers expected to find no agent, for `X` Poisson with
/// mean `answers` and `F` distributed as `agents` (index = count).
pub fn expected_abandoned(answers: f64, agents: &[f64]) -> f64 {
    let x = poisson(0, answers);
    // excess[f] = E[(X - f)+], from the top down: excess[f] = excess[f+1] + P(X > f).
    let mut excess = Vec::with_capacity(x.len());
    let (mut running, mut above) = (0.0, 0.0);
    for &chance in x.iter().rev() {
        running += above;
        excess.push(running);
        above += chance;
    }
    excess.reverse();
    agents.iter().enumerate().map(|(f, &chance)| chance * excess.get(f).copied().unwrap_or(0.0)).sum()
}

impl PacingEstimate {
    /// The chance that a call ringing for `rung_ms` is answered by a person
    /// within the next `ms`.
    fn answer_within(&self, rung_ms: u32, ms: f64) -> f64 {
        let p = self.answer_rate;
        let rung = f64::from(rung_ms);
        let before = p * self.answer_times.share_within(rung);
        let gained = p * (self.answer_times.share_within(rung + ms) - self.answer_times.share_within(rung));
        if before >= 1.0 { 0.0 } else { (gained / (1.0 - before)).clamp(0.0, 1.0) }
    }
}

/// New calls to place now for a campaign in `mode`.
pub fn calls_to_place(mode: DialingMode, view: DialerView<'_>, estimate: &PacingEstimate, target_rate: f64) -> u32 {
    let ringing = u32::try_from(view.ringing.len()).unwrap_or(u32::MAX);
    let one_per_free_agent = view.free_agents.saturating_sub(if mode == DialingMode::Predictive { ringing } else { 0 });
    if mode != DialingMode::Predictive || !estimate.is_reliable() || target_rate <= 0.0 {
        return one_per_free_agent;
    }
    let p = estimate.answer_rate();
    let mut most = MAX_IN_FLIGHT.saturating_sub(ringing);
    for moment in MOMENTS_MS {
        let moment = f64::from(moment);
        let by = moment + f64::from(view.answer_wait_ms);
        let finishing: f64 = view.busy.iter().map(|&busy| estimate.chance_free_within(busy, by)).sum();
        let agents = poisson(view.free_agents, finishing);
        let from_ringing: f64 = view.ringing.iter().map(|&rung| estimate.answer_within(rung, moment)).sum();
        let per_new_call = p * estimate.answer_times.share_within(moment);
        let within = |calls: u32| {
            let answers = from_ringing + f64::from(calls) * per_new_call;
            expected_abandoned(answers, &agents) <= target_rate * p * f64::from(calls + ringing)
        };
        // The share abandoned grows with the calls in flight: search the
        // largest count that stays within the target.
        let (mut low, mut high) = (0u32, most);
        while low < high {
            let middle = low + (high - low).div_ceil(2);
            if within(middle) { low = middle } else { high = middle - 1 }
        }
        most = low;
    }
    most.max(one_per_free_agent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WRAPPING: AgentBusy = AgentBusy::WrappingUp { elapsed_ms: 0 };

    fn warm(answer_rate: f64) -> PacingEstimate {
        let mut estimate = PacingEstimate::default();
        for i in 0..1000u32 {
            estimate.record_attempt(f64::from(i % 100) < answer_rate * 100.0, 3_000 + (i % 7) * 1_000);
        }
        for _ in 0..100 {
            estimate.record_handled(90_000, 15_000);
        }
        estimate
    }

    #[test]
    fn thin_estimates_dial_one_call_per_free_agent() {
        let view = DialerView { free_agents: 5, busy: &[WRAPPING; 3], ringing: &[0, 0], answer_wait_ms: 2000 };
        assert_eq!(calls_to_place(DialingMode::Predictive, view, &PacingEstimate::default(), 0.03), 3);
        assert_eq!(calls_to_place(DialingMode::Progressive, view, &warm(0.3), 0.03), 5);
        assert_eq!(calls_to_place(DialingMode::Preview, view, &warm(0.3), 0.03), 5);
    }

    #[test]
    fn predictive_dials_ahead_and_stops_at_a_zero_target() {
        let view = DialerView { free_agents: 5, busy: &[WRAPPING; 3], ringing: &[], answer_wait_ms: 2000 };
        let ahead = calls_to_place(DialingMode::Predictive, view, &warm(0.3), 0.027);
        assert!(ahead > 8, "with a 30 % answer rate, well over one call per agent: {ahead}");
        assert_eq!(calls_to_place(DialingMode::Predictive, view, &warm(0.3), 0.0), 5);
    }

    #[test]
    fn expected_abandoned_matches_simple_cases() {
        assert!((expected_abandoned(1.0, &poisson(0, 0.0)) - 1.0).abs() < 1e-9, "no agent: every answer abandons");
        assert_eq!(expected_abandoned(0.0, &poisson(3, 0.0)), 0.0);
        assert!(expected_abandoned(2.0, &poisson(40, 0.0)) < 1e-12, "forty agents for two answers");
        assert!(expected_abandoned(3.0, &poisson(2, 1.0)) < expected_abandoned(3.0, &poisson(2, 0.0)));
    }

    proptest! {
        #[test]
        fn more_agents_or_a_higher_target_never_mean_fewer_calls(
            free in 0u32..60, talking in proptest::collection::vec(0u32..200_000, 0..30),
            ringing in proptest::collection::vec(0u32..30_000, 0..50), rate in 0.05f64..0.9, target in 0.0f64..0.05,
        ) {
            let estimate = warm(rate);
            let busy: Vec<AgentBusy> = talking.into_iter().map(|elapsed_ms| AgentBusy::Talking { elapsed_ms }).collect();
            let view = DialerView { free_agents: free, busy: &busy, ringing: &ringing, answer_wait_ms: 2000 };
            let base = calls_to_place(DialingMode::Predictive, view, &estimate, target);
            let more_agents = calls_to_place(DialingMode::Predictive, DialerView { free_agents: free + 1, ..view }, &estimate, target);
            let higher_target = calls_to_place(DialingMode::Predictive, view, &estimate, target + 0.01);
            prop_assert!(more_agents >= base);
            prop_assert!(higher_target >= base);
            prop_assert!(base <= MAX_IN_FLIGHT);
        }
    }
}
