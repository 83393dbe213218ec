//! Passwords: hashing and checking (Argon2id takes tens of milliseconds of
//! CPU, so it runs on the blocking pool, off the async workers), the
//! strength rule for new ones, and a person replacing their own.

use super::SignIn;
use super::throttle::Guess;
use crate::{AppError, Requester};
use trustline_audit::Outcome;
use trustline_domain::AuditAction;
use trustline_store::User;
use zeroize::Zeroizing;

impl SignIn {
    pub async fn hash_password(&self, password: Zeroizing<String>) -> Result<String, AppError> {
        let hasher = self.hasher.clone();
        tokio::task::spawn_blocking(move || hasher.hash(&password))
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|_| AppError::Internal("password hashing failed"))
    }

    /// `stored` is `None` for an unknown account: the same work is done and
    /// the answer is `false`, so timing does not reveal which accounts exist.
    pub(super) async fn verify_password(&self, password: Zeroizing<String>, stored: Option<String>) -> Result<bool, AppError> {
        let hasher = self.hasher.clone();
        tokio::task::spawn_blocking(move || hasher.verify(&password, stored.as_deref())).await.map_err(|_| AppError::Busy)
    }

    /// A new password must be long and hard to guess, and not built on the
    /// person's names or the tenant's (`context`).
    pub fn check_new_password(&self, password: &str, context: &[&str]) -> Result<(), AppError> {
        self.password.check(password, context).map_err(|e| AppError::WeakPassword(e.to_string()))
    }

    /// A person replaces their own password: the current one must be right
    /// and the new one strong. Confirming the current password is a password
    /// guess, throttled and audited as signing in is. Every session of
    /// theirs ends, the one asking included.
    pub async fn change_own_password(
        &self,
        requester: &Requester,
        user: &User,
        tenant_slug: &str,
        current: Zeroizing<String>,
        new: Zeroizing<String>,
    ) -> Result<(), AppError> {
        let target = format!("user:{}", user.id);
        let guess = Guess {
            keys: self.password_guess_keys(tenant_slug, &user.username, &requester.source),
            audit: |outcome: Outcome, reason: &str| {
                Some(
                    requester
                        .audit(self.clock.now(), AuditAction::UserPasswordChange, target.clone())
                        .outcome(outcome)
                        .detail("username_mac", self.username_mac(&user.username))
                        .detail("reason", reason),
                )
            },
        };
        self.admit(&guess, AppError::TooManyGuesses).await?;
        if !self.verify_password(current, Some(user.password_hash.clone())).await? {
            return self.wrong_guess(&guess, "wrong_password", AppError::WrongPassword).await;
        }
        self.right_guess(&guess).await?;
        self.check_new_password(&new, &[&user.username, &user.display_name, tenant_slug])?;
        let hash = self.hash_password(new).await?;
        let draft = requester.audit(self.clock.now(), AuditAction::UserPasswordChange, target);
        self.store.set_password(user.tenant_id, user.id, &hash, draft).await?;
        Ok(())
    }
}
