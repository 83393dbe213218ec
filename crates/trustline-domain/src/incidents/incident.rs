//! An incident's kind, severity, response deadline, status moves and the
//! breach notification clock.

use crate::UnixTime;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    CredentialStuffing,
    BruteForce,
    /// Wrong second-factor codes for one account: its password is known.
    SecondFactorBruteForce,
    RepeatedDenials,
    MassPersonalDataAccess,
    AuditChainBroken,
    /// An access review past its due date with decisions pending.
    AccessReviewOverdue,
    /// A privileged account signed in from a network it never used.
    NewNetworkSignIn,
    /// Reported by a person.
    Reported,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 9] = [
        Self::CredentialStuffing,
        Self::BruteForce,
        Self::SecondFactorBruteForce,
        Self::RepeatedDenials,
        Self::MassPersonalDataAccess,
        Self::AuditChainBroken,
        Self::AccessReviewOverdue,
        Self::NewNetworkSignIn,
        Self::Reported,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CredentialStuffing => "credential_stuffing",
            Self::BruteForce => "brute_force",
            Self::SecondFactorBruteForce => "second_factor_brute_force",
            Self::RepeatedDenials => "repeated_denials",
            Self::MassPersonalDataAccess => "mass_personal_data_access",
            Self::AuditChainBroken => "audit_chain_broken",
            Self::AccessReviewOverdue => "access_review_overdue",
            Self::NewNetworkSignIn => "new_network_sign_in",
            Self::Reported => "reported",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Low, Self::Medium, Self::High, Self::Critical].into_iter().find(|s| s.as_str() == text)
    }

    /// How long the team has to contain an incident of this severity.
    pub fn response_seconds(self) -> i64 {
        match self {
            Self::Critical => 4 * 3_600,
            Self::High => 24 * 3_600,
            Self::Medium => 72 * 3_600,
            Self::Low => 7 * 86_400,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Investigating,
    Contained,
    Closed,
}

impl IncidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Investigating => "investigating",
            Self::Contained => "contained",
            Self::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Investigating, Self::Contained, Self::Closed].into_iter().find(|s| s.as_str() == text)
    }

    /// Still counts against its response deadline.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::Investigating)
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusChangeError {
    #[error("a closed incident stays closed")]
    Closed,
    #[error("closing needs a root cause and the lessons learned")]
    NoPostmortem,
    #[error("a personal-data breach cannot close before the regulator is notified (or the decision not to notify is recorded)")]
    BreachNotNotified,
}

/// Whether an incident may move from `from` to `to`. Closing needs a root
/// cause and lessons; a breach needs its notification settled first.
pub fn check_status_change(
    from: IncidentStatus,
    to: IncidentStatus,
    root_cause: &str,
    lessons: &str,
    breach_open: bool,
) -> Result<(), StatusChangeError> {
    if from == IncidentStatus::Closed {
        return Err(StatusChangeError::Closed);
    }
    if to == IncidentStatus::Closed {
        if root_cause.trim().is_empty() || lessons.trim().is_empty() {
            return Err(StatusChangeError::NoPostmortem);
        }
        if breach_open {
            return Err(StatusChangeError::BreachNotNotified);
        }
    }
    Ok(())
}

/// GDPR art. 33: the supervisory authority is told within 72 hours of
/// becoming aware of a personal-data breach.
pub fn breach_notify_by(aware_at: UnixTime) -> UnixTime {
    aware_at + 72 * 3_600
}

/// An incident's clocks, from when it opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    pub respond_by: UnixTime,
    /// Set for a personal-data breach.
    pub breach_aware_at: Option<UnixTime>,
    pub notify_by: Option<UnixTime>,
}

/// The clocks of an incident of `severity` opened at `at`.
pub fn deadlines(at: UnixTime, severity: Severity, personal_data_breach: bool) -> Deadlines {
    let breach_aware_at = personal_data_breach.then_some(at);
    Deadlines { respond_by: at + severity.response_seconds(), breach_aware_at, notify_by: breach_aware_at.map(breach_notify_by) }
}

/// Still open or under investigation past its response deadline.
pub fn response_overdue(status: Option<IncidentStatus>, respond_by: UnixTime, now: UnixTime) -> bool {
    status.is_some_and(IncidentStatus::is_active) && now > respond_by
}

/// A breach past its 72 hours without the regulator's notification.
pub fn notification_overdue(notify_by: Option<UnixTime>, notified_at: Option<UnixTime>, now: UnixTime) -> bool {
    notify_by.is_some_and(|by| notified_at.is_none() && now > by)
}

/// Hours left on a breach's 72-hour clock at which its owner is reminded;
/// 0 is the deadline itself.
pub const REMINDER_MARKS: [i64; 4] = [48, 24, 6, 0];

/// The reminder a breach is due now, as the hours left at its mark, given the
/// last mark reminded. Only the most urgent mark reached counts: a server
/// that was down does not send the ones it missed.
pub fn reminder_due(notify_by: Option<UnixTime>, notified_at: Option<UnixTime>, now: UnixTime, last_reminded: Option<i64>) -> Option<i64> {
    let by = notify_by.filter(|_| notified_at.is_none())?;
    let mark = REMINDER_MARKS.into_iter().filter(|hours| now >= by - hours * 3_600).min()?;
    last_reminded.is_none_or(|last| mark < last).then_some(mark)
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentStatus::{Closed, Contained, Investigating, Open};

    #[test]
    fn closing_needs_a_postmortem_and_a_settled_breach() {
        assert_eq!(check_status_change(Open, Investigating, "", "", true), Ok(()));
        assert_eq!(check_status_change(Contained, Closed, "", "patched", false), Err(StatusChangeError::NoPostmortem));
        assert_eq!(
            check_status_change(Contained, Closed, "reused password", "require MFA", true),
            Err(StatusChangeError::BreachNotNotified)
        );
        assert_eq!(check_status_change(Contained, Closed, "reused password", "require MFA", false), Ok(()));
        assert_eq!(check_status_change(Closed, Open, "x", "y", false), Err(StatusChangeError::Closed));
        assert_eq!(breach_notify_by(1_000), 1_000 + 259_200);
        let breach = deadlines(1_000, Severity::High, true);
        assert_eq!((breach.respond_by, breach.breach_aware_at, breach.notify_by), (1_000 + 86_400, Some(1_000), Some(1_000 + 259_200)));
        assert_eq!(deadlines(1_000, Severity::Low, false).notify_by, None);
        assert!(
            response_overdue(Some(Open), 10, 11) && !response_overdue(Some(Contained), 10, 11) && !response_overdue(Some(Open), 10, 10)
        );
        assert!(
            notification_overdue(Some(10), None, 11)
                && !notification_overdue(Some(10), Some(5), 11)
                && !notification_overdue(None, None, 11)
        );
        assert!(Severity::Critical.response_seconds() < Severity::Low.response_seconds());
    }

    #[test]
    fn breach_reminders_come_at_each_mark_once() {
        let by = 1_000_000;
        let at = |hours_left: i64| by - hours_left * 3_600;
        assert_eq!(reminder_due(Some(by), None, at(49), None), None, "plenty of time");
        assert_eq!(reminder_due(Some(by), None, at(48), None), Some(48));
        assert_eq!(reminder_due(Some(by), None, at(30), Some(48)), None, "already reminded");
        assert_eq!(reminder_due(Some(by), None, at(24), Some(48)), Some(24));
        assert_eq!(reminder_due(Some(by), None, at(5), Some(48)), Some(6), "a missed mark is skipped, not sent late");
        assert_eq!(reminder_due(Some(by), None, by + 1, Some(6)), Some(0));
        assert_eq!(reminder_due(Some(by), None, by + 86_400, Some(0)), None, "the deadline is reminded once");
        assert_eq!(reminder_due(Some(by), Some(at(10)), at(5), Some(24)), None, "notified: the clock stopped");
        assert_eq!(reminder_due(None, None, by, None), None, "not a breach");
    }
}
