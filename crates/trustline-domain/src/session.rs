use crate::UnixTime;
use serde::Serialize;

/// How far a signed-in session has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// Password accepted; a TOTP or recovery code is still owed.
    MfaPending,
    /// Password accepted; the role requires MFA and none is set up, so only
    /// enrolment is reachable.
    MfaEnrolmentRequired,
    /// Signed in with a password somebody else chose (a one-time password):
    /// only changing it is reachable.
    PasswordChangeRequired,
    /// Fully signed in.
    SignedIn,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::MfaPending => "mfa_pending",
            SessionStage::MfaEnrolmentRequired => "mfa_enrolment_required",
            SessionStage::PasswordChangeRequired => "password_change_required",
            SessionStage::SignedIn => "signed_in",
        }
    }
    pub fn parse(value: &str) -> Option<Self> {
        [SessionStage::MfaPending, SessionStage::MfaEnrolmentRequired, SessionStage::PasswordChangeRequired, SessionStage::SignedIn]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// When a session started and when it was last used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionTimes {
    pub created_at: UnixTime,
    pub last_seen_at: UnixTime,
}

/// Idle and absolute lifetimes (OWASP session management guidance).
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle_seconds: i64,
    pub absolute_seconds: i64,
    /// A half-finished sign-in (MFA pending) must complete quickly.
    pub pending_seconds: i64,
    /// `last_seen_at` is refreshed at most this often, to spare writes.
    pub touch_interval_seconds: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_seconds: 30 * 60, absolute_seconds: 12 * 3600, pending_seconds: 5 * 60, touch_interval_seconds: 60 }
    }
}

impl SessionPolicy {
    pub fn is_expired(&self, stage: SessionStage, times: SessionTimes, now: UnixTime) -> bool {
        if stage != SessionStage::SignedIn && now - times.created_at >= self.pending_seconds {
            return true;
        }
        now - times.last_seen_at >= self.idle_seconds || now - times.created_at >= self.absolute_seconds
    }

    pub fn needs_touch(&self, times: SessionTimes, now: UnixTime) -> bool {
        now - times.last_seen_at >= self.touch_interval_seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_absolute_timeouts() {
        let p = SessionPolicy::default();
        let t = SessionTimes { created_at: 0, last_seen_at: 0 };
        assert!(!p.is_expired(SessionStage::SignedIn, t, 29 * 60));
        assert!(p.is_expired(SessionStage::SignedIn, t, 30 * 60));
        let busy = SessionTimes { created_at: 0, last_seen_at: 12 * 3600 - 1 };
        assert!(p.is_expired(SessionStage::SignedIn, busy, 12 * 3600));
        assert!(p.is_expired(SessionStage::MfaPending, t, 5 * 60));
        assert!(!p.is_expired(SessionStage::MfaPending, t, 4 * 60));
    }
}
