//! Access recertification: how often access is reviewed, how long a
//! campaign has, and when an unused account counts as dormant.

use crate::UnixTime;
use serde::Deserialize;

const DAY: i64 = 86_400;
/// An enabled account unused this long is suspended.
pub const DORMANT_ACCOUNT_DAYS: i64 = 90;
/// A review campaign must be finished within this.
pub const REVIEW_DUE_DAYS: i64 = 14;
/// Access is reviewed at least this often.
pub const REVIEW_EVERY_DAYS: i64 = 90;

/// Whether an account last used at `last_sign_in_at` (or, if never,
/// created at `created_at`) is dormant at `now`.
pub fn is_dormant(last_sign_in_at: Option<UnixTime>, created_at: UnixTime, now: UnixTime) -> bool {
    now - last_sign_in_at.unwrap_or(created_at) > DORMANT_ACCOUNT_DAYS * DAY
}

/// A reviewer's decision on one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessDecision {
    /// The access is still needed.
    Confirm,
    /// The access goes: the account is disabled at once.
    Revoke,
}

impl AccessDecision {
    pub fn recorded_as(self) -> &'static str {
        match self {
            AccessDecision::Confirm => "confirmed",
            AccessDecision::Revoke => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dormancy_counts_from_the_last_sign_in_or_creation() {
        let now = 1_000 * DAY;
        assert!(!is_dormant(Some(now - 90 * DAY), 0, now));
        assert!(is_dormant(Some(now - 91 * DAY), 0, now));
        assert!(is_dormant(None, now - 91 * DAY, now));
        assert!(!is_dormant(None, now - DAY, now));
    }
}
