//! Signing in, the second factor, MFA enrolment and signing out. Shared by the
//! HTML pages and the JSON API so both follow exactly the same rules.

use crate::auth::{Caller, Credential, Principal};
use crate::csrf_token::csrf_token;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::passwords::verify_password;
use crate::sign_in_throttle::{throttle_keys, throttle_verdict, throttled, username_mac};
use crate::state::AppState;
use trustline_audit::Outcome;
use trustline_crypto::{SecretToken, Totp, TotpSecret, recovery_code, sha256};
use trustline_domain::{AuditAction, SessionStage, SessionTimes, TenantSlug, ThrottleVerdict, Username, mfa_required};
use trustline_store::{Session, Tenant, User};
use zeroize::Zeroizing;

/// A new session: its secret goes into the cookie, its stage says what is next.
pub(crate) struct NewSession {
    pub token: SecretToken,
    pub stage: SessionStage,
    pub csrf: String,
}

const RECOVERY_CODES: usize = 10;

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "the organisation, username or password is not correct")
}

fn invalid_code() -> ApiError {
    ApiError::new(ErrorCode::InvalidCode, "the code is not correct or was already used")
}

/// Second-factor throttling keys: the account itself, whatever the session
/// (a correct password never clears it; only a completed sign-in does), and
/// the address.
fn second_factor_keys(user: &User, source: &str) -> [String; 2] {
    [format!("second_factor:user:{}", user.id), format!("address:{source}")]
}

fn new_session(state: &AppState, user: &User, stage: SessionStage) -> (Session, NewSession) {
    let token = SecretToken::generate("tls_");
    let now = state.clock.now();
    let digest = token.digest();
    let session = Session {
        token_digest: digest,
        tenant_id: user.tenant_id,
        user_id: user.id,
        stage,
        times: SessionTimes { created_at: now, last_seen_at: now },
    };
    (session, NewSession { token, stage, csrf: csrf_token(state, &digest) })
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
fn stage_after_second_factor(user: &User) -> SessionStage {
    if user.password_must_change { SessionStage::PasswordChangeRequired } else { SessionStage::SignedIn }
}

pub(crate) async fn sign_in(
    state: &AppState,
    caller: &Caller,
    tenant: &str,
    username: &str,
    password: Zeroizing<String>,
) -> Result<NewSession, ApiError> {
    let keys = throttle_keys(state, tenant, username, &caller.source);
    let known_tenant = match TenantSlug::parse(tenant) {
        Ok(slug) => state.store.tenant_by_slug(slug.as_str()).await?,
        Err(_) => None,
    };
    let username_mac = username_mac(state, username);
    let audit_attempt = |outcome: Outcome, reason: &str| {
        known_tenant.as_ref().map(|t| {
            let mut draft = caller
                .audit(state, AuditAction::SessionLogin, "session")
                .outcome(outcome)
                .detail("username_mac", username_mac.clone())
                .detail("reason", reason);
            draft.tenant_id = t.id.0;
            draft
        })
    };
    if let ThrottleVerdict::Refuse { .. } = throttle_verdict(state, &keys).await? {
        if let Some(draft) = audit_attempt(Outcome::Denied, "throttled") {
            state.appender.append(draft).await?;
        }
        return Err(throttled());
    }
    let user = match (&known_tenant, Username::parse(username)) {
        (Some(t), Ok(name)) => state.store.user_by_username(t.id, name.as_str()).await?,
        _ => None,
    };
    let verified = verify_password(state, password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let (Some(tenant), Some(user)) = (known_tenant.clone(), user.filter(|u| verified && !u.disabled)) else {
        state.store.record_login_failure(&keys, state.clock.now()).await?;
        if let Some(draft) = audit_attempt(Outcome::Failure, "invalid_credentials") {
            state.appender.append(draft).await?;
        }
        return Err(invalid_credentials());
    };
    let [account_key, _] = &keys;
    state.store.clear_login_failures(account_key).await?;
    let stage = stage_after_password(&tenant, &user);
    let (session, created) = new_session(state, &user, stage);
    let mut draft = caller.audit(state, AuditAction::SessionLogin, format!("user:{}", user.id)).detail("stage", stage.as_str());
    draft.tenant_id = tenant.id.0;
    draft.actor = format!("user:{}", user.id);
    state.store.create_session(session, draft).await?;
    Ok(created)
}

fn session_digest(principal: &Principal) -> Result<[u8; 32], ApiError> {
    match principal.credential {
        Credential::Session { digest, .. } => Ok(digest),
        Credential::Token { .. } => Err(ApiError::new(ErrorCode::SessionRequired, "API tokens cannot use this route")),
    }
}

fn seed_place(user: &User) -> String {
    format!("user:{}:totp", user.id)
}

fn open_seed(state: &AppState, user: &User, sealed: &[u8]) -> Result<TotpSecret, ApiError> {
    state.keys.totp.open(sealed, &seed_place(user)).map(TotpSecret::from_bytes).map_err(|_| {
        ApiError::new(ErrorCode::MfaSeedUnreadable, "the stored MFA secret cannot be opened; ask an administrator to reset MFA")
    })
}

/// Accepts a TOTP code or, failing that, an unused recovery code.
pub(crate) async fn second_factor(state: &AppState, caller: &Caller, principal: &Principal, code: &str) -> Result<NewSession, ApiError> {
    let digest = session_digest(principal)?;
    let user = &principal.user;
    let keys = second_factor_keys(user, &caller.source);
    let attempt = |outcome: Outcome, reason: &str| {
        caller.audit(state, AuditAction::SessionMfa, format!("user:{}", user.id)).outcome(outcome).detail("reason", reason)
    };
    if let ThrottleVerdict::Refuse { .. } = throttle_verdict(state, &keys).await? {
        state.appender.append(attempt(Outcome::Denied, "throttled")).await?;
        return Err(ApiError::new(ErrorCode::TooManyAttempts, "too many wrong codes for this account; wait a few minutes and try again"));
    }
    let Some(sealed) = &user.totp_seed else {
        return Err(ApiError::new(ErrorCode::MfaNotEnrolled, "no authenticator is set up for this account"));
    };
    let seed = open_seed(state, user, sealed)?;
    let now = state.clock.now();
    let accepted = match Totp::verify(&seed, code, now, user.totp_last_step) {
        Some(step) => state.store.use_totp_step(user.tenant_id, user.id, step).await?.then_some("totp"),
        None => {
            let normalised: String = code.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
            state.store.use_recovery_code(user.tenant_id, user.id, &sha256(normalised.as_bytes()), now).await?.then_some("recovery_code")
        }
    };
    let Some(method) = accepted else {
        state.store.record_login_failure(&keys, now).await?;
        state.appender.append(attempt(Outcome::Failure, "invalid_code")).await?;
        return Err(invalid_code());
    };
    let (session, created) = new_session(state, user, stage_after_second_factor(user));
    let draft = caller.audit(state, AuditAction::SessionMfa, format!("user:{}", user.id)).detail("method", method);
    state.store.rotate_session(&digest, session, draft).await?;
    let [account_key, _] = &keys;
    state.store.clear_login_failures(account_key).await?;
    Ok(created)
}

/// What an authenticator app needs: the base32 seed and the otpauth URI.
pub(crate) type EnrolmentSecret = (Zeroizing<String>, Zeroizing<String>);

/// A fresh TOTP seed awaiting confirmation.
pub(crate) async fn start_enrolment(state: &AppState, caller: &Caller, principal: &Principal) -> Result<EnrolmentSecret, ApiError> {
    session_digest(principal)?;
    let user = &principal.user;
    if user.has_mfa() {
        return Err(ApiError::new(ErrorCode::MfaAlreadyEnrolled, "an authenticator is already set up; an administrator can reset it"));
    }
    let seed = TotpSecret::generate();
    let sealed = state
        .keys
        .totp
        .seal(seed.as_bytes(), &seed_place(user))
        .map_err(|_| ApiError::new(ErrorCode::Internal, "could not protect the new secret"))?;
    let draft = caller.audit(state, AuditAction::MfaEnrolmentStart, format!("user:{}", user.id));
    state.store.begin_totp_enrolment(user.tenant_id, user.id, &sealed, draft).await?;
    Ok(secret_and_uri(state, principal, &seed))
}

fn secret_and_uri(state: &AppState, principal: &Principal, seed: &TotpSecret) -> EnrolmentSecret {
    (seed.base32(), otpauth_uri(state, principal, seed))
}

fn otpauth_uri(state: &AppState, principal: &Principal, seed: &TotpSecret) -> Zeroizing<String> {
    let issuer = format!("{} {}", state.config.issuer, principal.tenant.slug);
    Totp::otpauth_uri(seed, &issuer, &principal.user.username)
}

/// The seed awaiting confirmation, if any, as (base32 seed, otpauth URI).
pub(crate) fn pending_enrolment(state: &AppState, principal: &Principal) -> Result<Option<EnrolmentSecret>, ApiError> {
    let user = &principal.user;
    match &user.totp_pending {
        Some(sealed) if !user.has_mfa() => Ok(Some(secret_and_uri(state, principal, &open_seed(state, user, sealed)?))),
        _ => Ok(None),
    }
}

/// Confirms enrolment with a first code; returns the new, fully signed-in
/// session and the recovery codes, which are shown once and stored as digests.
pub(crate) async fn confirm_enrolment(
    state: &AppState,
    caller: &Caller,
    principal: &Principal,
    code: &str,
) -> Result<(NewSession, Vec<Zeroizing<String>>), ApiError> {
    let digest = session_digest(principal)?;
    let user = &principal.user;
    let Some(sealed) = user.totp_pending.as_ref().filter(|_| !user.has_mfa()) else {
        return Err(ApiError::new(ErrorCode::NoEnrolmentPending, "start enrolment first"));
    };
    let seed = open_seed(state, user, sealed)?;
    let Some(step) = Totp::verify(&seed, code, state.clock.now(), None) else {
        return Err(invalid_code());
    };
    let codes: Vec<Zeroizing<String>> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let digests: Vec<[u8; 32]> = codes.iter().map(|c| sha256(c.as_bytes())).collect();
    let draft = caller.audit(state, AuditAction::MfaEnrol, format!("user:{}", user.id));
    state.store.confirm_totp(user.tenant_id, user.id, step, &digests, draft).await?;
    let (session, created) = new_session(state, user, stage_after_second_factor(user));
    let rotation = caller.audit(state, AuditAction::SessionRotate, format!("user:{}", user.id)).detail("reason", "mfa_enrolled");
    state.store.rotate_session(&digest, session, rotation).await?;
    Ok((created, codes))
}

pub(crate) async fn sign_out(state: &AppState, caller: &Caller, principal: &Principal) -> Result<(), ApiError> {
    let digest = session_digest(principal)?;
    let draft = caller.audit(state, AuditAction::SessionLogout, format!("user:{}", principal.user.id));
    state.store.delete_session(&digest, draft).await?;
    Ok(())
}
