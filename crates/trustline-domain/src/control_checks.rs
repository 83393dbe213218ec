//! The history of each security control's checks: what the trust center
//! keeps of the assessments it makes, so an auditor sees since when a
//! control has passed and when it failed, not only its state today.

use crate::UnixTime;

/// One control's result at one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlCheck {
    pub control_id: String,
    /// `PASS`, `FAIL` or `MANUAL`.
    pub status: String,
    /// What was found, in words.
    pub evidence: String,
    pub checked_at: UnixTime,
}

/// An unchanged result is kept again after this long, so the history shows
/// the control was still being checked (at least daily).
pub const CONFIRM_EVERY_SECONDS: i64 = 86_400;

/// Which of `current` the history keeps, given each control's newest kept
/// check: a control never kept, one whose status changed, and one whose
/// newest check is a day old or more. Evidence alone does not count: much
/// of it counts things (events in the chain) and changes at every look.
pub fn worth_keeping(current: Vec<ControlCheck>, newest: &[ControlCheck]) -> Vec<ControlCheck> {
    current
        .into_iter()
        .filter(|check| match newest.iter().find(|kept| kept.control_id == check.control_id) {
            None => true,
            Some(kept) => kept.status != check.status || check.checked_at.saturating_sub(kept.checked_at) >= CONFIRM_EVERY_SECONDS,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, status: &str, evidence: &str, at: UnixTime) -> ControlCheck {
        ControlCheck { control_id: id.into(), status: status.into(), evidence: evidence.into(), checked_at: at }
    }

    #[test]
    fn changes_and_daily_confirmations_are_kept_repeats_are_not() {
        let newest = [check("AC-01", "PASS", "2 of 2", 1000), check("AC-02", "PASS", "ok", 1000), check("AC-03", "FAIL", "x", 1000)];
        let current = vec![
            check("AC-01", "PASS", "2 of 2", 1000 + CONFIRM_EVERY_SECONDS - 1),
            check("AC-02", "FAIL", "ok", 1500),
            check("AC-03", "FAIL", "y, with another count", 1500),
            check("AC-04", "MANUAL", "none", 1500),
        ];
        let kept: Vec<String> = worth_keeping(current, &newest).into_iter().map(|c| c.control_id).collect();
        assert_eq!(kept, ["AC-02", "AC-04"]);
        let day_later = vec![check("AC-01", "PASS", "2 of 2", 1000 + CONFIRM_EVERY_SECONDS)];
        assert_eq!(worth_keeping(day_later, &newest).len(), 1, "a day on, the same result is kept again");
    }
}
