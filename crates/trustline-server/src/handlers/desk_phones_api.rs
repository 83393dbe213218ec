//! Agents' desk phone logins over HTTP: an administrator gives an account
//! that works calls a login for a SIP desk phone (its password shown once,
//! in this answer only), sees which it has, or takes it away. Each is kept
//! in the audit log with the login's name, never its password.

use crate::account_access;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use trustline_app::{DESK_PHONE_REALM, issue_desk_phone_login};
use trustline_domain::{Action, AuditAction, UserId, permits};
use trustline_store::StoreError;

/// A login just made: what the phone is set up with.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct IssuedDeskPhoneView {
    username: String,
    /// Shown this once; only its digest secrets are kept.
    password: String,
    /// The digest realm the phone answers in.
    realm: &'static str,
}

/// An account's desk phone login, without its secret.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct DeskPhoneView {
    username: String,
    created_at: i64,
}

pub(crate) async fn issue(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<IssuedDeskPhoneView>), ApiError> {
    let user = account_access::manageable(&state, &authed.principal, UserId(id)).await?;
    if !permits(user.role, Action::AgentWork) {
        return Err(ApiError::new(ErrorCode::NoCallWork, format!("a {} account works no calls, so has no desk phone", user.role.as_str())));
    }
    let issued = issue_desk_phone_login(&state.keys, user.tenant_id, user.id, state.clock.now())
        .map_err(|_| ApiError::from(StoreError::Corrupt("desk phone login".into())))?;
    let username = issued.stored.username.clone();
    let draft = authed.caller.audit(&state, AuditAction::DeskPhoneIssue, format!("user:{}", user.id)).detail("username", username.clone());
    state.store.set_desk_phone_login(issued.stored, draft).await?;
    let view = IssuedDeskPhoneView { username, password: issued.password.as_str().to_owned(), realm: DESK_PHONE_REALM };
    Ok((StatusCode::CREATED, Json(view)))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DeskPhoneView>, ApiError> {
    let user = account_access::manageable(&state, &authed.principal, UserId(id)).await?;
    let login = state.store.desk_phone_login(user.tenant_id, user.id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(DeskPhoneView { username: login.username, created_at: login.created_at }))
}

pub(crate) async fn revoke(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    let user = account_access::manageable(&state, &authed.principal, UserId(id)).await?;
    let draft = authed.caller.audit(&state, AuditAction::DeskPhoneRevoke, format!("user:{}", user.id));
    state.store.remove_desk_phone_login(user.tenant_id, user.id, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}
