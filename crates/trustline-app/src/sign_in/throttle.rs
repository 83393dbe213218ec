//! The sign-in throttle as every guess at a secret shares it (signing in,
//! a second factor, confirming one's own password, a desk phone's
//! registration): which counters a guess counts against, whether they
//! allow another try, and how each outcome is counted and audited.

use super::SignIn;
use crate::AppError;
use trustline_audit::{AuditDraft, Outcome};
use trustline_domain::ThrottleVerdict;
use trustline_store::StoreError;

impl SignIn {
    /// Throttling keys of a password guess (signing in, or confirming one's
    /// current password): the account as typed (whether or not it exists)
    /// and the address.
    pub(super) fn password_guess_keys(&self, tenant: &str, username: &str, source: &str) -> [String; 2] {
        let typed = format!("{}\n{}", tenant.trim().to_ascii_lowercase(), username.trim().to_ascii_lowercase());
        [format!("account:{}", self.keys.throttle.mac_hex(typed.as_bytes())), format!("address:{source}")]
    }

    /// Whether the counters under `keys` allow another guess now.
    async fn may_guess(&self, keys: &[String; 2]) -> Result<bool, StoreError> {
        let since = self.throttle.window_start(self.clock.now());
        let [account, address] = keys;
        let account = self.store.login_failures(account, since).await?;
        let address = self.store.login_failures(address, since).await?;
        Ok(!matches!(self.throttle.verdict(account, address), ThrottleVerdict::Refuse { .. }))
    }

    /// The MAC incident detection groups password guesses by.
    pub(super) fn username_mac(&self, username: &str) -> String {
        self.keys.audit_values.mac_hex(username.trim().to_ascii_lowercase().as_bytes())
    }
}

/// One guess at a secret (a password, a code, a desk phone's digest
/// answer): the counters it counts against, and its audit record for an
/// outcome and a reason (`None` where nobody can be named, such as an
/// unknown organisation or login).
pub(super) struct Guess<A: Fn(Outcome, &str) -> Option<AuditDraft>> {
    pub keys: [String; 2],
    pub audit: A,
}

impl SignIn {
    /// Refuses the guess with `refusal`, audited as denied, when its
    /// counters allow no more now.
    pub(super) async fn admit<A: Fn(Outcome, &str) -> Option<AuditDraft>>(
        &self,
        guess: &Guess<A>,
        refusal: AppError,
    ) -> Result<(), AppError> {
        if self.may_guess(&guess.keys).await? {
            return Ok(());
        }
        self.append_guess(guess, Outcome::Denied, "throttled").await?;
        Err(refusal)
    }

    /// A wrong guess: counted against both counters, audited as a failure
    /// with `reason`, and answered with `refusal`.
    pub(super) async fn wrong_guess<T, A: Fn(Outcome, &str) -> Option<AuditDraft>>(
        &self,
        guess: &Guess<A>,
        reason: &str,
        refusal: AppError,
    ) -> Result<T, AppError> {
        self.store.record_login_failure(&guess.keys, self.clock.now()).await?;
        self.append_guess(guess, Outcome::Failure, reason).await?;
        Err(refusal)
    }

    /// A right guess clears the account's failures (the address keeps its own).
    pub(super) async fn right_guess<A: Fn(Outcome, &str) -> Option<AuditDraft>>(&self, guess: &Guess<A>) -> Result<(), AppError> {
        let [account, _] = &guess.keys;
        self.store.clear_login_failures(account).await?;
        Ok(())
    }

    async fn append_guess<A: Fn(Outcome, &str) -> Option<AuditDraft>>(
        &self,
        guess: &Guess<A>,
        outcome: Outcome,
        reason: &str,
    ) -> Result<(), AppError> {
        if let Some(draft) = (guess.audit)(outcome, reason) {
            self.appender.append(draft).await?;
        }
        Ok(())
    }
}
