//! How a call ended, what that means for the contact, and when (if ever)
//! the contact may be dialled again.

use crate::UnixTime;
use serde::{Deserialize, Serialize};

/// What a disposition means for the contact's place in the campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispositionOutcome {
    /// The campaign's goal was reached; the contact is done.
    Success,
    /// The contact asked to be called back at a time.
    Callback,
    /// Try again after the rule's delay (no answer, busy, machine, "not now").
    RetryLater,
    /// The person asked not to be called: the number goes on the tenant's
    /// do-not-contact list.
    DoNotCall,
    /// The number does not reach this person; never dialled again.
    WrongNumber,
    /// Done without success (e.g. not interested).
    Final,
}

impl DispositionOutcome {
    /// Whether the contact leaves the campaign for good.
    pub fn closes_contact(self) -> bool {
        matches!(self, Self::Success | Self::DoNotCall | Self::WrongNumber | Self::Final)
    }
}

/// When a contact with a `RetryLater` outcome may be dialled again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryRule {
    /// Seconds to wait after the attempt.
    pub delay_seconds: u32,
    /// Attempts in all, after which the contact is not dialled again.
    pub max_attempts: u32,
}

impl Default for RetryRule {
    fn default() -> Self {
        Self { delay_seconds: 4 * 3600, max_attempts: 5 }
    }
}

/// A contact's attempts in one campaign.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptHistory {
    pub attempts: u32,
    pub last_attempt_at: Option<UnixTime>,
    pub last_outcome: Option<DispositionOutcome>,
    /// For `Callback`: when the contact asked to be called.
    pub callback_at: Option<UnixTime>,
}

impl AttemptHistory {
    /// The earliest time the contact may be dialled again under `rule`, or
    /// `None` if never.
    pub fn next_attempt_at(&self, rule: RetryRule) -> Option<UnixTime> {
        if self.attempts >= rule.max_attempts {
            return None;
        }
        match self.last_outcome {
            None => Some(UnixTime::MIN),
            Some(outcome) if outcome.closes_contact() => None,
            Some(DispositionOutcome::Callback) => Some(self.callback_at.or(self.last_attempt_at).unwrap_or(UnixTime::MIN)),
            Some(_) => Some(self.last_attempt_at.map_or(UnixTime::MIN, |at| at.saturating_add(i64::from(rule.delay_seconds)))),
        }
    }
}
