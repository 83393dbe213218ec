//! Detection rules over a stream of signals, each with a sliding window:
//!
//! - credential stuffing: sign-in failures for many different accounts from
//!   one address;
//! - brute force: many failures for one account, from anywhere;
//! - second-factor brute force: wrong codes for one account after correct
//!   passwords (its password is known to whoever tries);
//! - repeated authorization failures by one caller;
//! - mass reveal or export of personal data by one caller, above the
//!   baseline a person working normally stays under.
//!
//! A rule reports a key (the address, account or caller) once per episode:
//! not again until its window has emptied, so one attack is one finding.

use super::incident::{IncidentKind, Severity};
use super::signal::Signal;
use crate::UnixTime;
use std::collections::{HashMap, HashSet, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub window_seconds: i64,
    /// Distinct accounts failing from one address.
    pub stuffing_accounts: usize,
    /// Failures for one account.
    pub brute_force_failures: usize,
    /// Wrong second-factor codes for one account. The second factor locks
    /// at 5 in 15 minutes, so this must stay at or under 5 to ever fire.
    pub second_factor_failures: usize,
    /// Refusals of one caller.
    pub denials: usize,
    /// Reveals and exports by one caller within `mass_read_window_seconds`.
    pub mass_reads: usize,
    pub mass_read_window_seconds: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            window_seconds: 600,
            stuffing_accounts: 10,
            brute_force_failures: 20,
            second_factor_failures: 5,
            denials: 10,
            mass_reads: 30,
            mass_read_window_seconds: 3_600,
        }
    }
}

/// What a rule found: enough to open an incident or add to an open one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: IncidentKind,
    /// Identifies the episode: the same key while an incident is open adds
    /// to that incident.
    pub key: String,
    pub severity: Severity,
    pub at: UnixTime,
    pub summary: String,
    /// A possible personal-data breach (starts the 72-hour clock).
    pub personal_data: bool,
}

#[derive(Default)]
struct Window {
    /// (time, what) in arrival order.
    seen: VecDeque<(UnixTime, String)>,
    reported: bool,
}

impl Window {
    fn push(&mut self, at: UnixTime, what: String, length: i64) {
        while self.seen.front().is_some_and(|(t, _)| at - t > length) {
            self.seen.pop_front();
        }
        if self.seen.is_empty() {
            self.reported = false;
        }
        self.seen.push_back((at, what));
    }

    fn distinct(&self) -> usize {
        self.seen.iter().map(|(_, w)| w.as_str()).collect::<HashSet<_>>().len()
    }
}

/// The rules' state. Feed signals in time order.
#[derive(Default)]
pub struct Detector {
    thresholds: Thresholds,
    by_source: HashMap<String, Window>,
    by_account: HashMap<String, Window>,
    second_factor: HashMap<String, Window>,
    denials: HashMap<String, Window>,
    reads: HashMap<String, Window>,
}

/// Counts one more event of `key` (from `what`) in its window of `length`
/// seconds; the count, when it reaches `threshold` for the first time in
/// this episode.
fn counted(windows: &mut HashMap<String, Window>, key: &str, at: UnixTime, what: &str, length: i64, threshold: usize) -> Option<usize> {
    let window = windows.entry(key.to_owned()).or_default();
    window.push(at, what.to_owned(), length);
    let count = window.seen.len();
    once(window, count >= threshold).then_some(count)
}

impl Finding {
    /// A finding of `kind`; a mass read of personal data is a possible breach.
    fn of(kind: IncidentKind, key: String, severity: Severity, at: UnixTime, summary: String) -> Self {
        Self { kind, key, severity, at, summary, personal_data: kind == IncidentKind::MassPersonalDataAccess }
    }
}

fn once(window: &mut Window, reached: bool) -> bool {
    if reached && !window.reported {
        window.reported = true;
        return true;
    }
    false
}

impl Detector {
    pub fn new(thresholds: Thresholds) -> Self {
        Self { thresholds, ..Self::default() }
    }

    /// The findings `signal` completes.
    pub fn observe(&mut self, signal: &Signal) -> Vec<Finding> {
        let t = self.thresholds;
        let mut found = Vec::new();
        match signal {
            Signal::SignInFailure { at, account, source } => {
                let w = self.by_source.entry(source.clone()).or_default();
                w.push(*at, account.clone(), t.window_seconds);
                let accounts = w.distinct();
                let minutes = t.window_seconds / 60;
                if once(w, accounts >= t.stuffing_accounts) {
                    let summary = format!("sign-in failures for {accounts} different accounts from {source} within {minutes} min");
                    found.push(Finding::of(
                        IncidentKind::CredentialStuffing,
                        format!("credential_stuffing:{source}"),
                        Severity::High,
                        *at,
                        summary,
                    ));
                }
                if let Some(failures) = counted(&mut self.by_account, account, *at, source, t.window_seconds, t.brute_force_failures) {
                    let summary = format!("{failures} sign-in failures for one account (username MAC {account}) within {minutes} min");
                    found.push(Finding::of(IncidentKind::BruteForce, format!("brute_force:{account}"), Severity::Medium, *at, summary));
                }
            }
            Signal::SecondFactorFailure { at, account, source } => {
                if let Some(failures) = counted(&mut self.second_factor, account, *at, source, t.window_seconds, t.second_factor_failures) {
                    let summary = format!(
                        "{failures} wrong second-factor codes for {account} within {} min, each after a correct password",
                        t.window_seconds / 60
                    );
                    let key = format!("second_factor_brute_force:{account}");
                    found.push(Finding::of(IncidentKind::SecondFactorBruteForce, key, Severity::High, *at, summary));
                }
            }
            Signal::AccessDenied { at, actor, source } => {
                if let Some(refusals) = counted(&mut self.denials, actor, *at, source, t.window_seconds, t.denials) {
                    let summary = format!("{actor} was refused {refusals} times within {} min", t.window_seconds / 60);
                    found.push(Finding::of(
                        IncidentKind::RepeatedDenials,
                        format!("repeated_denials:{actor}"),
                        Severity::Medium,
                        *at,
                        summary,
                    ));
                }
            }
            Signal::PersonalDataRead { at, actor, source } => {
                if let Some(reads) = counted(&mut self.reads, actor, *at, source, t.mass_read_window_seconds, t.mass_reads) {
                    let summary =
                        format!("{actor} revealed or exported {reads} people's data within {} min", t.mass_read_window_seconds / 60);
                    let key = format!("mass_personal_data:{actor}");
                    found.push(Finding::of(IncidentKind::MassPersonalDataAccess, key, Severity::Critical, *at, summary));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(at: UnixTime, account: &str, source: &str) -> Signal {
        Signal::SignInFailure { at, account: account.into(), source: source.into() }
    }

    #[test]
    fn a_stuffing_run_is_one_finding_and_normal_failures_none() {
        let mut detector = Detector::default();
        let mut found = Vec::new();
        for i in 0..200 {
            found.extend(detector.observe(&failure(i, &format!("acct{i}"), "198.51.100.7")));
        }
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, IncidentKind::CredentialStuffing);
        assert_eq!(found[0].key, "credential_stuffing:198.51.100.7");
        assert_eq!(found[0].at, 9, "at the tenth account");
        // Ten people mistyping from ten offices: nothing.
        let mut quiet = Detector::default();
        assert!((0..10).flat_map(|i| quiet.observe(&failure(i * 100, &format!("p{i}"), &format!("10.0.0.{i}")))).next().is_none());
        // Spread beyond the window: nothing either.
        let mut slow = Detector::default();
        assert!((0..30).flat_map(|i| slow.observe(&failure(i * 700, &format!("a{i}"), "198.51.100.7"))).next().is_none());
    }

    #[test]
    fn a_new_episode_after_the_window_is_a_new_finding() {
        let mut detector = Detector::default();
        let first: Vec<_> = (0..10).flat_map(|i| detector.observe(&failure(i, &format!("a{i}"), "x"))).collect();
        let second: Vec<_> = (0..10).flat_map(|i| detector.observe(&failure(10_000 + i, &format!("b{i}"), "x"))).collect();
        assert_eq!((first.len(), second.len()), (1, 1));
    }

    #[test]
    fn brute_force_denials_and_mass_reads_are_found() {
        let mut detector = Detector::default();
        let brute: Vec<_> = (0..25).flat_map(|i| detector.observe(&failure(i, "victim", &format!("10.0.{i}.1")))).collect();
        assert_eq!(brute.iter().map(|f| f.kind).collect::<Vec<_>>(), [IncidentKind::BruteForce]);
        let codes: Vec<_> = (0..6)
            .flat_map(|i| detector.observe(&Signal::SecondFactorFailure { at: i, account: "user:4".into(), source: "s".into() }))
            .collect();
        assert_eq!(codes.iter().map(|f| (f.kind, f.at)).collect::<Vec<_>>(), [(IncidentKind::SecondFactorBruteForce, 4)]);
        let denied: Vec<_> =
            (0..12).flat_map(|i| detector.observe(&Signal::AccessDenied { at: i, actor: "user:5".into(), source: "s".into() })).collect();
        assert_eq!(denied.len(), 1);
        let reads: Vec<_> = (0..40)
            .flat_map(|i| detector.observe(&Signal::PersonalDataRead { at: i * 60, actor: "user:6".into(), source: "s".into() }))
            .collect();
        assert_eq!(reads.len(), 1);
        assert!(reads[0].personal_data && reads[0].severity == Severity::Critical);
    }
}
