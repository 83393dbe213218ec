//! The dialer simulator with fixed seeds: the predictive goal, the
//! abandonment cap over long runs, and repeatability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use trustline_dialer::{SimulationConfig, simulate, simulate_all};
use trustline_domain::dialing::{DialingMode, WindowLength};

#[test]
fn predictive_beats_progressive_within_the_cap_at_fifty_agents() {
    let report = simulate_all(&SimulationConfig::new(50, 8.0, 0.3, 1)).unwrap();
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
        let report = simulate(&config, mode).unwrap();
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
        let report = simulate(&config, DialingMode::Predictive).unwrap();
        assert!(report.abandonment_rate <= cap, "seed {seed}: {} over a cap of {cap}", report.abandonment_rate);
        assert!(report.abandoned > 0, "seed {seed}: dials ahead at all");
    }
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let config = SimulationConfig::new(15, 2.0, 0.3, 42);
    assert_eq!(simulate_all(&config).unwrap(), simulate_all(&config).unwrap());
    let other = SimulationConfig { seed: 43, ..config.clone() };
    assert_ne!(simulate(&config, DialingMode::Predictive).unwrap(), simulate(&other, DialingMode::Predictive).unwrap());
}

/// Over two days across the start of daylight saving time in the United
/// States, with contacts in four zones, some on the do-not-contact list and
/// a limit of three attempts an hour apart: no mode ever dials a contact
/// outside 08:00-21:00 of its own zone, on the list, or past its attempts.
#[test]
fn no_mode_ever_dials_a_contact_it_must_not() {
    use std::collections::HashMap;
    use trustline_dialer::{ListConfig, simulate_calls};
    use trustline_domain::dialing::RetryRule;
    let zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"];
    let mut config = SimulationConfig::new(20, 48.0, 0.3, 11);
    config.list = ListConfig {
        contacts: 40_000,
        zones: zones.iter().map(|z| z.to_string()).collect(),
        region: Some("US".into()),
        do_not_contact_every: Some(7),
        retry: RetryRule { delay_seconds: 3_600, max_attempts: 3 },
        // Saturday 7 March 2026, 11:00 UTC: 06:00 in New York, 03:00 in Los Angeles.
        start: 1_772_881_200,
    };
    for mode in DialingMode::ALL {
        let (_, calls) = simulate_calls(&config, mode).unwrap();
        assert!(calls.len() > 1_000, "{mode:?} placed only {} calls", calls.len());
        let mut last: HashMap<usize, i64> = HashMap::new();
        for call in &calls {
            let zone = config.list.zone_of(call.contact);
            let local = jiff::Timestamp::from_second(call.at).unwrap().to_zoned(jiff::tz::TimeZone::get(zone).unwrap());
            assert!((8..21).contains(&local.hour()), "{mode:?} dialled contact {} at {local}", call.contact);
            assert!(!config.list.on_do_not_contact_list(call.contact), "{mode:?} dialled do-not-contact {}", call.contact);
            assert!(call.attempt <= 3, "{mode:?} dialled contact {} a {}th time", call.contact, call.attempt);
            if let Some(previous) = last.insert(call.contact, call.at) {
                assert!(call.at - previous >= 3_600, "{mode:?} retried contact {} after {} s", call.contact, call.at - previous);
            }
        }
        // Sunday after the change: New York opens at 12:00 UTC, not 13:00.
        let sunday_morning = calls.iter().any(|c| c.at >= 1_772_971_200 && c.at < 1_772_974_800 && c.contact % 4 == 0);
        assert!(sunday_morning, "{mode:?} called New York in the first hour of summer time");
    }
}
