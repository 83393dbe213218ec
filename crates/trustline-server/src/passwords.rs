//! Password hashing and checking for the edge. Argon2id takes tens of
//! milliseconds of CPU, so it runs on the blocking pool, off the async workers.

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::sign_in_throttle;
use crate::state::AppState;
use trustline_audit::Outcome;
use trustline_domain::AuditAction;
use trustline_domain::ThrottleVerdict;
use zeroize::Zeroizing;

fn busy() -> ApiError {
    ApiError::new(ErrorCode::Busy, "the server is busy; try again")
}

pub(crate) async fn hash_password(state: &AppState, password: Zeroizing<String>) -> Result<String, ApiError> {
    let hasher = state.hasher.clone();
    tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(|_| busy())?
        .map_err(|_| ApiError::new(ErrorCode::Internal, "password hashing failed"))
}

/// `stored` is `None` for an unknown account: the same work is done and the
/// answer is `false`, so timing does not reveal which accounts exist.
pub(crate) async fn verify_password(state: &AppState, password: Zeroizing<String>, stored: Option<String>) -> Result<bool, ApiError> {
    let hasher = state.hasher.clone();
    tokio::task::spawn_blocking(move || hasher.verify(&password, stored.as_deref())).await.map_err(|_| busy())
}

crate::schema_only::schema_only!(
    /// How the API document describes a new password: strength is a
    /// judgement (zxcvbn, against the person's own names) no pattern can
    /// state, so the document says it in words and the format names it.
    NewPassword,
    |_| schemars::json_schema!({
        "type": "string",
        "format": "password",
        "description": "At least 12 characters unless the installation says otherwise, and hard to guess (zxcvbn \
            score 3 or more, not built on the person's names or the tenant's); refused with 422 weak_password.",
    })
);

pub(crate) fn check_new_password(state: &AppState, password: &str, context: &[&str]) -> Result<(), ApiError> {
    state.config.password.check(password, context).map_err(|e| ApiError::new(ErrorCode::WeakPassword, e.to_string()))
}

/// A person replaces their own password: the current one must be right and
/// the new one strong. Confirming the current password is a password guess,
/// throttled and audited as signing in is. Every session of theirs ends,
/// this one included.
pub(crate) async fn change_own(
    state: &AppState,
    authed: &crate::auth::Authed,
    current: Zeroizing<String>,
    new: Zeroizing<String>,
) -> Result<(), ApiError> {
    let user = &authed.principal.user;
    let keys = sign_in_throttle::throttle_keys(state, &authed.principal.tenant.slug, &user.username, &authed.caller.source);
    let attempt = |outcome: Outcome, reason: &str| {
        authed
            .caller
            .audit(state, AuditAction::UserPasswordChange, format!("user:{}", user.id))
            .outcome(outcome)
            .detail("username_mac", sign_in_throttle::username_mac(state, &user.username))
            .detail("reason", reason)
    };
    if let ThrottleVerdict::Refuse { .. } = sign_in_throttle::throttle_verdict(state, &keys).await? {
        state.appender.append(attempt(Outcome::Denied, "throttled")).await?;
        return Err(sign_in_throttle::throttled());
    }
    if !verify_password(state, current, Some(user.password_hash.clone())).await? {
        state.store.record_login_failure(&keys, state.clock.now()).await?;
        state.appender.append(attempt(Outcome::Failure, "wrong_password")).await?;
        return Err(ApiError::new(ErrorCode::WrongPassword, "the current password is not correct"));
    }
    let [account_key, _] = &keys;
    state.store.clear_login_failures(account_key).await?;
    check_new_password(state, &new, &[&user.username, &user.display_name, &authed.principal.tenant.slug])?;
    let hash = hash_password(state, new).await?;
    let draft = authed.caller.audit(state, AuditAction::UserPasswordChange, format!("user:{}", user.id));
    state.store.set_password(user.tenant_id, user.id, &hash, draft).await?;
    Ok(())
}
