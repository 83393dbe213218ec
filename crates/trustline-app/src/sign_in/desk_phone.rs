//! A desk phone signing in: its REGISTER's digest answer checked against
//! the login it names. The same rules as a person signing in: unknown
//! logins and wrong answers are refused alike after the same work, every
//! refusal counts against the login as typed and the address (the same
//! throttle, in the database, so every node sees it), and each attempt on
//! a real login is audited in its tenant, where the detection rules see a
//! guessing attack as they see one on the sign-in page.

use super::SignIn;
use super::throttle::Guess;
use crate::{AppError, Requester, open_desk_phone_login};
use trustline_audit::Outcome;
use trustline_crypto::{DigestAnswer, DigestSecrets};
use trustline_domain::{Action, AuditAction, TenantId, UserId, permits};

/// Who a desk phone signed in as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeskPhoneHolder {
    pub tenant: TenantId,
    pub user: UserId,
}

/// A phone's attempt: the login it names, its answer, and how it came.
pub struct DeskPhoneAttempt<'a> {
    pub username: &'a str,
    pub answer: &'a DigestAnswer,
    /// The phone's address.
    pub source: &'a str,
    /// A phone may sign in over TLS only; its answer is checked (and a
    /// wrong one counted) either way.
    pub over_tls: bool,
    /// It renews a registration it holds: a success is not audited again.
    pub renewal: bool,
}

impl SignIn {
    pub async fn sign_in_desk_phone(&self, attempt: DeskPhoneAttempt<'_>) -> Result<DeskPhoneHolder, AppError> {
        let login = self.store.desk_phone_login_named(attempt.username).await?;
        let requester = |tenant: TenantId| Requester { tenant: Some(tenant), actor: "anonymous".into(), source: attempt.source.to_owned() };
        let username_mac = self.username_mac(attempt.username);
        let guess = Guess {
            keys: self.password_guess_keys("desk-phone", attempt.username, attempt.source),
            audit: |outcome: Outcome, reason: &str| {
                login.as_ref().map(|login| {
                    requester(login.tenant_id)
                        .audit(self.clock.now(), AuditAction::DeskPhoneRegister, format!("user:{}", login.user_id))
                        .outcome(outcome)
                        .detail("username_mac", username_mac.clone())
                        .detail("reason", reason)
                })
            },
        };
        self.admit(&guess, AppError::TooManyGuesses).await?;
        let secrets = login.as_ref().and_then(|login| open_desk_phone_login(&self.keys, login).ok());
        // An unknown login is checked against secrets nobody has, so it takes the same work.
        let proved = attempt.answer.proves(secrets.as_ref().unwrap_or(&unknown_login()));
        let user = match &login {
            Some(login) if proved => self.store.user(login.tenant_id, login.user_id).await?,
            _ => None,
        };
        let allowed = user.filter(|user| !user.disabled && permits(user.role, Action::AgentWork));
        let (Some(login), Some(_), true) = (&login, allowed, attempt.over_tls) else {
            let reason = if proved && !attempt.over_tls { "not_over_tls" } else { "invalid_credentials" };
            return self.wrong_guess(&guess, reason, AppError::InvalidCredentials).await;
        };
        self.right_guess(&guess).await?;
        if !attempt.renewal
            && let Some(draft) = (guess.audit)(Outcome::Success, "registered")
        {
            self.appender.append(draft).await?;
        }
        Ok(DeskPhoneHolder { tenant: login.tenant_id, user: login.user_id })
    }
}

fn unknown_login() -> DigestSecrets {
    DigestSecrets::new("", "", "")
}
