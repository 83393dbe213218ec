//! How a call ended, what that means for the contact, and when (if ever)
//! the contact may be dialled again.

use crate::UnixTime;
use serde::{Deserialize, Serialize};

/// What a disposition means for the contact's place in the campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
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
    pub const ALL: [DispositionOutcome; 6] =
        [Self::Success, Self::Callback, Self::RetryLater, Self::DoNotCall, Self::WrongNumber, Self::Final];

    /// The stable name, as stored and shown (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Callback => "callback",
            Self::RetryLater => "retry_later",
            Self::DoNotCall => "do_not_call",
            Self::WrongNumber => "wrong_number",
            Self::Final => "final",
        }
    }

    /// The outcome named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// Whether the contact leaves the campaign for good.
    pub fn closes_contact(self) -> bool {
        matches!(self, Self::Success | Self::DoNotCall | Self::WrongNumber | Self::Final)
    }
}

/// When a contact with a `RetryLater` outcome may be dialled again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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

    /// After a call to the contact was placed at `at`. Until its result is
    /// known it counts as "retry later", so a call whose result is lost (a
    /// crash) is retried after the delay, not at once.
    pub fn dialled(self, at: UnixTime) -> Self {
        Self {
            attempts: self.attempts.saturating_add(1),
            last_attempt_at: Some(at),
            last_outcome: Some(DispositionOutcome::RetryLater),
            callback_at: None,
        }
    }

    /// After the result of the last call: a disposition, or what the carrier
    /// reported (retry later) when no one was reached.
    pub fn concluded(self, outcome: DispositionOutcome, callback_at: Option<UnixTime>) -> Self {
        let callback_at = if outcome == DispositionOutcome::Callback { callback_at } else { None };
        Self { last_outcome: Some(outcome), callback_at, ..self }
    }
}

/// Callbacks are booked at most this far ahead.
const MAX_CALLBACK_AHEAD_SECONDS: i64 = 90 * 86_400;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("a callback disposition needs callback_at, the time to call back")]
    Missing,
    #[error("callback_at must be in the future and at most 90 days ahead")]
    OutOfRange,
    #[error("callback_at is only for a callback disposition")]
    NotACallback,
}

/// Checks the time of a callback booked with a disposition at `now`.
pub fn check_callback(outcome: DispositionOutcome, callback_at: Option<UnixTime>, now: UnixTime) -> Result<(), CallbackError> {
    match (outcome, callback_at) {
        (DispositionOutcome::Callback, None) => Err(CallbackError::Missing),
        (DispositionOutcome::Callback, Some(at)) if at <= now || at - now > MAX_CALLBACK_AHEAD_SECONDS => Err(CallbackError::OutOfRange),
        (DispositionOutcome::Callback, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(CallbackError::NotACallback),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: RetryRule = RetryRule { delay_seconds: 600, max_attempts: 2 };

    #[test]
    fn each_outcome_reads_back_from_its_name_which_is_its_serde_name() {
        for outcome in DispositionOutcome::ALL {
            assert_eq!(DispositionOutcome::parse(outcome.as_str()), Some(outcome));
            assert_eq!(serde_json::to_value(outcome).unwrap(), serde_json::Value::String(outcome.as_str().to_owned()));
        }
        assert_eq!(DispositionOutcome::parse("sold"), None);
    }

    #[test]
    fn a_dialled_contact_waits_for_the_delay_even_if_its_result_is_lost() {
        let placed = AttemptHistory::default().dialled(1_000);
        assert_eq!(placed.next_attempt_at(RULE), Some(1_600));
        let callback = placed.concluded(DispositionOutcome::Callback, Some(5_000));
        assert_eq!(callback.next_attempt_at(RULE), Some(5_000));
        let done = callback.dialled(5_000).concluded(DispositionOutcome::RetryLater, Some(9_000));
        assert_eq!(done.callback_at, None, "only a callback keeps its time");
        assert_eq!(done.next_attempt_at(RULE), None, "two attempts used");
        assert_eq!(placed.concluded(DispositionOutcome::Success, None).next_attempt_at(RULE), None);
    }

    #[test]
    fn callbacks_are_booked_ahead_and_only_with_a_callback() {
        use DispositionOutcome as O;
        assert_eq!(check_callback(O::Callback, Some(1_060), 1_000), Ok(()));
        assert_eq!(check_callback(O::Callback, None, 1_000), Err(CallbackError::Missing));
        assert_eq!(check_callback(O::Callback, Some(1_000), 1_000), Err(CallbackError::OutOfRange));
        assert_eq!(check_callback(O::Callback, Some(1_000 + 91 * 86_400), 1_000), Err(CallbackError::OutOfRange));
        assert_eq!(check_callback(O::Success, Some(2_000), 1_000), Err(CallbackError::NotACallback));
        assert_eq!(check_callback(O::Final, None, 1_000), Ok(()));
    }
}
