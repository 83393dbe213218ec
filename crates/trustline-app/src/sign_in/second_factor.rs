//! The second factor: a TOTP code or a recovery code after the password,
//! and enrolling an authenticator app.

use super::sessions::stage_after_second_factor;
use super::throttle::Guess;
use super::{OpenedSession, SignIn};
use crate::{AppError, Requester};
use trustline_audit::Outcome;
use trustline_crypto::{Totp, TotpSecret, recovery_code, sha256};
use trustline_domain::AuditAction;
use trustline_store::User;
use zeroize::Zeroizing;

const RECOVERY_CODES: usize = 10;

/// What an authenticator app needs: the base32 seed and the otpauth URI.
pub type EnrolmentSecret = (Zeroizing<String>, Zeroizing<String>);

/// Second-factor throttling keys: the account itself, whatever the session
/// (a correct password never clears it; only a completed sign-in does), and
/// the address.
fn second_factor_keys(user: &User, source: &str) -> [String; 2] {
    [format!("second_factor:user:{}", user.id), format!("address:{source}")]
}

fn seed_place(user: &User) -> String {
    format!("user:{}:totp", user.id)
}

impl SignIn {
    fn open_seed(&self, user: &User, sealed: &[u8]) -> Result<TotpSecret, AppError> {
        self.keys.totp.open(sealed, &seed_place(user)).map(TotpSecret::from_bytes).map_err(|_| AppError::MfaSeedUnreadable)
    }

    /// Accepts a TOTP code or, failing that, an unused recovery code, and
    /// replaces the session whose token has digest `session` with a new one.
    pub async fn second_factor(
        &self,
        requester: &Requester,
        user: &User,
        session: &[u8; 32],
        code: &str,
    ) -> Result<OpenedSession, AppError> {
        let guess = Guess {
            keys: second_factor_keys(user, &requester.source),
            audit: |outcome: Outcome, reason: &str| {
                Some(
                    requester
                        .audit(self.clock.now(), AuditAction::SessionMfa, format!("user:{}", user.id))
                        .outcome(outcome)
                        .detail("reason", reason),
                )
            },
        };
        self.admit(&guess, AppError::TooManyCodes).await?;
        let Some(sealed) = &user.totp_seed else {
            return Err(AppError::MfaNotEnrolled);
        };
        let seed = self.open_seed(user, sealed)?;
        let now = self.clock.now();
        let accepted = match Totp::verify(&seed, code, now, user.totp_last_step) {
            Some(step) => self.store.use_totp_step(user.tenant_id, user.id, step).await?.then_some("totp"),
            None => {
                let normalised: String = code.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
                self.store.use_recovery_code(user.tenant_id, user.id, &sha256(normalised.as_bytes()), now).await?.then_some("recovery_code")
            }
        };
        let Some(method) = accepted else {
            return self.wrong_guess(&guess, "invalid_code", AppError::InvalidCode).await;
        };
        let (new, opened) = self.new_session(user, stage_after_second_factor(user));
        let draft = requester.audit(now, AuditAction::SessionMfa, format!("user:{}", user.id)).detail("method", method);
        self.store.rotate_session(session, new, draft).await?;
        self.right_guess(&guess).await?;
        Ok(opened)
    }

    /// A fresh TOTP seed awaiting confirmation; `tenant_slug` names the
    /// account in the authenticator app.
    pub async fn start_enrolment(&self, requester: &Requester, user: &User, tenant_slug: &str) -> Result<EnrolmentSecret, AppError> {
        if user.has_mfa() {
            return Err(AppError::MfaAlreadyEnrolled);
        }
        let seed = TotpSecret::generate();
        let sealed =
            self.keys.totp.seal(seed.as_bytes(), &seed_place(user)).map_err(|_| AppError::Internal("could not protect the new secret"))?;
        let draft = requester.audit(self.clock.now(), AuditAction::MfaEnrolmentStart, format!("user:{}", user.id));
        self.store.begin_totp_enrolment(user.tenant_id, user.id, &sealed, draft).await?;
        Ok(self.secret_and_uri(user, tenant_slug, &seed))
    }

    fn secret_and_uri(&self, user: &User, tenant_slug: &str, seed: &TotpSecret) -> EnrolmentSecret {
        let issuer = format!("{} {tenant_slug}", self.issuer);
        (seed.base32(), Totp::otpauth_uri(seed, &issuer, &user.username))
    }

    /// The seed awaiting confirmation, if any.
    pub fn pending_enrolment(&self, user: &User, tenant_slug: &str) -> Result<Option<EnrolmentSecret>, AppError> {
        match &user.totp_pending {
            Some(sealed) if !user.has_mfa() => Ok(Some(self.secret_and_uri(user, tenant_slug, &self.open_seed(user, sealed)?))),
            _ => Ok(None),
        }
    }

    /// Confirms enrolment with a first code; returns the new, fully
    /// signed-in session and the recovery codes, which are shown once and
    /// stored as digests.
    pub async fn confirm_enrolment(
        &self,
        requester: &Requester,
        user: &User,
        session: &[u8; 32],
        code: &str,
    ) -> Result<(OpenedSession, Vec<Zeroizing<String>>), AppError> {
        let Some(sealed) = user.totp_pending.as_ref().filter(|_| !user.has_mfa()) else {
            return Err(AppError::NoEnrolmentPending);
        };
        let seed = self.open_seed(user, sealed)?;
        let Some(step) = Totp::verify(&seed, code, self.clock.now(), None) else {
            return Err(AppError::InvalidCode);
        };
        let codes: Vec<Zeroizing<String>> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
        let digests: Vec<[u8; 32]> = codes.iter().map(|c| sha256(c.as_bytes())).collect();
        let draft = requester.audit(self.clock.now(), AuditAction::MfaEnrol, format!("user:{}", user.id));
        self.store.confirm_totp(user.tenant_id, user.id, step, &digests, draft).await?;
        let (new, opened) = self.new_session(user, stage_after_second_factor(user));
        let rotation =
            requester.audit(self.clock.now(), AuditAction::SessionRotate, format!("user:{}", user.id)).detail("reason", "mfa_enrolled");
        self.store.rotate_session(session, new, rotation).await?;
        Ok((opened, codes))
    }
}
