//! The dialer simulator with fixed seeds: the predictive goal, the
//! abandonment cap over long runs, and repeatability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use trustline_dialer::{SimulationConfig, simulate, simulate_all};
use trustline_domain::dialing::{DialingMode, WindowLength};

#[test]
fn predictive_beats_progressive_within_the_cap_at_fifty_agents() {
    let report = simulate_all(&SimulationConfig::new(50, 8.0, 0.3, 1));
    let (progressive, predictive) = (&report.progressive, &report.predictive);
    assert!(predictive.occupancy >= 0.85, "occupancy {}", predictive.occupancy);
    assert!(predictive.abandonment_rate <= 0.03, "abandonment {}", predictive.abandonment_rate);
    let gain = predictive.talk_minutes_per_agent_hour / progressive.talk_minutes_per_agent_hour;
    assert!(gain >= 1.25, "talk time per agent hour only {gain:.2}x progressive");
    assert!(report.preview.occupancy < progressive.occupancy);
}

#[test]
fn only_predictive_abandons_calls() {
    let config = SimulationConfig::new(20, 4.0, 0.3, 9);
    for mode in [DialingMode::Preview, DialingMode::Progressive] {
        let report = simulate(&config, mode);
        assert_eq!(report.abandoned, 0, "{mode:?} reserves an agent for every call");
        assert!(report.answered > 0);
    }
}

#[test]
fn the_cap_holds_over_long_runs_and_strict_caps() {
    for (seed, cap, window) in [(3, 0.03, WindowLength::Hours24), (4, 0.01, WindowLength::Days30), (5, 0.02, WindowLength::Hours24)] {
        let mut config = SimulationConfig::new(30, 48.0, 0.25, seed);
        config.policy.cap = cap;
        config.policy.window = window;
        let report = simulate(&config, DialingMode::Predictive);
        assert!(report.abandonment_rate <= cap, "seed {seed}: {} over a cap of {cap}", report.abandonment_rate);
        assert!(report.abandoned > 0, "seed {seed}: dials ahead at all");
    }
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let config = SimulationConfig::new(15, 2.0, 0.3, 42);
    assert_eq!(simulate_all(&config), simulate_all(&config));
    let other = SimulationConfig { seed: 43, ..config.clone() };
    assert_ne!(simulate(&config, DialingMode::Predictive), simulate(&other, DialingMode::Predictive));
}
