//! Opening a session with a password, and ending one.

use super::throttle::Guess;
use super::{OpenedSession, SignIn};
use crate::{AppError, Requester};
use trustline_audit::Outcome;
use trustline_crypto::SecretToken;
use trustline_domain::{AuditAction, SessionStage, SessionTimes, TenantSlug, Username, mfa_required};
use trustline_store::{Session, Tenant, User};
use zeroize::Zeroizing;

impl SignIn {
    /// A new session of `user` at `stage`, for the store and for the person.
    pub(super) fn new_session(&self, user: &User, stage: SessionStage) -> (Session, OpenedSession) {
        let token = SecretToken::generate("tls_");
        let now = self.clock.now();
        let session = Session {
            token_digest: token.digest(),
            tenant_id: user.tenant_id,
            user_id: user.id,
            stage,
            times: SessionTimes { created_at: now, last_seen_at: now },
        };
        (session, OpenedSession { token, stage })
    }

    /// Checks a password. Unknown organisations, unknown or disabled
    /// accounts and wrong passwords all get the same answer after the same
    /// work; every failure counts against the typed account and the address.
    pub async fn sign_in(
        &self,
        requester: &Requester,
        tenant: &str,
        username: &str,
        password: Zeroizing<String>,
    ) -> Result<OpenedSession, AppError> {
        let known_tenant = match TenantSlug::parse(tenant) {
            Ok(slug) => self.store.tenant_by_slug(slug.as_str()).await?,
            Err(_) => None,
        };
        let username_mac = self.username_mac(username);
        let guess = Guess {
            keys: self.password_guess_keys(tenant, username, &requester.source),
            audit: |outcome: Outcome, reason: &str| {
                known_tenant.as_ref().map(|t| {
                    let mut draft = requester
                        .audit(self.clock.now(), AuditAction::SessionLogin, "session")
                        .outcome(outcome)
                        .detail("username_mac", username_mac.clone())
                        .detail("reason", reason);
                    draft.tenant_id = t.id.0;
                    draft
                })
            },
        };
        self.admit(&guess, AppError::TooManyGuesses).await?;
        let user = match (&known_tenant, Username::parse(username)) {
            (Some(t), Ok(name)) => self.store.user_by_username(t.id, name.as_str()).await?,
            _ => None,
        };
        let verified = self.verify_password(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
        let (Some(tenant), Some(user)) = (known_tenant.clone(), user.filter(|u| verified && !u.disabled)) else {
            return self.wrong_guess(&guess, "invalid_credentials", AppError::InvalidCredentials).await;
        };
        self.right_guess(&guess).await?;
        let stage = stage_after_password(&tenant, &user);
        let (session, opened) = self.new_session(&user, stage);
        let mut draft =
            requester.audit(self.clock.now(), AuditAction::SessionLogin, format!("user:{}", user.id)).detail("stage", stage.as_str());
        draft.tenant_id = tenant.id.0;
        draft.actor = format!("user:{}", user.id);
        self.store.create_session(session, draft).await?;
        Ok(opened)
    }

    /// Ends the session whose token has digest `session`.
    pub async fn sign_out(&self, requester: &Requester, user: &User, session: &[u8; 32]) -> Result<(), AppError> {
        let draft = requester.audit(self.clock.now(), AuditAction::SessionLogout, format!("user:{}", user.id));
        self.store.delete_session(session, draft).await?;
        Ok(())
    }
}

fn stage_after_password(tenant: &Tenant, user: &User) -> SessionStage {
    if user.has_mfa() {
        SessionStage::MfaPending
    } else if mfa_required(user.role, tenant.require_mfa) {
        SessionStage::MfaEnrolmentRequired
    } else {
        stage_after_second_factor(user)
    }
}

/// A one-time password is replaced before anything else.
pub(super) fn stage_after_second_factor(user: &User) -> SessionStage {
    if user.password_must_change { SessionStage::PasswordChangeRequired } else { SessionStage::SignedIn }
}
