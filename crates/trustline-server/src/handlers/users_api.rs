use super::views::UserView;
use crate::account_access;
use crate::auth::{Authed, Principal};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trustline_domain::{AuditAction, Role, UserId, Username, bounded_text};
use trustline_store::{NewUser, User};
use zeroize::Zeroizing;

/// Who is signed in, and where.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Me {
    /// The tenant's slug, as typed at sign-in.
    tenant: String,
    user: UserView,
}

pub(crate) async fn me(authed: Authed) -> Json<Me> {
    Json(Me { tenant: authed.principal.tenant.slug.as_str().to_owned(), user: UserView::from(&authed.principal.user) })
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    #[schemars(with = "String")]
    current_password: Zeroizing<String>,
    #[schemars(with = "crate::password_schema::NewPassword")]
    new_password: Zeroizing<String>,
}

/// Ends every session of the user, this one included.
pub(crate) async fn change_own_password(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let p = &authed.principal;
    state
        .sign_in
        .change_own_password(&authed.caller.requester(), &p.user, &p.tenant.slug, input.current_password, input.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Staff names are personal data: listing them is audited.
pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<UserView>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let users = state.store.list_users(tenant).await?;
    state
        .appender
        .append(authed.caller.audit(&state, AuditAction::UserList, format!("tenant:{tenant}")).detail("count", users.len().to_string()))
        .await?;
    Ok(Json(users.iter().map(UserView::from).collect()))
}

async fn target(state: &AppState, principal: &Principal, id: i64) -> Result<User, ApiError> {
    state.store.user(principal.tenant.id, UserId(id)).await?.ok_or_else(ApiError::not_found)
}

pub(crate) async fn show(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<Json<UserView>, ApiError> {
    let user = target(&state, &authed.principal, id).await?;
    state.appender.append(authed.caller.audit(&state, AuditAction::UserRead, format!("user:{}", user.id))).await?;
    Ok(Json(UserView::from(&user)))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserInput {
    /// 2 to 64 letters, digits, '.', '_', '-' or '@', starting with a
    /// letter or digit; compared without case.
    #[schemars(pattern(Username::PATTERN))]
    username: String,
    #[schemars(length(min = 1, max = 100), pattern(trustline_domain::NOT_BLANK))]
    display_name: String,
    #[schemars(extend("enum" = Role::names()))]
    role: String,
    /// When absent, a strong one is generated and returned once.
    #[schemars(with = "Option<crate::password_schema::NewPassword>")]
    password: Option<Zeroizing<String>>,
}

/// A new account, with the one-time password the service chose when the
/// request gave none (shown this once; it must be changed at first sign-in).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct NewUserView<'a> {
    user: UserView,
    initial_password: Option<&'a str>,
}

pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<NewUserInput>,
) -> Result<Response, ApiError> {
    let username = Username::parse(&input.username).map_err(|e| ApiError::new(ErrorCode::InvalidUsername, e.to_string()))?;
    let Some(display_name) = bounded_text(&input.display_name, 1, 100).map(str::to_owned) else {
        return Err(ApiError::new(ErrorCode::InvalidDisplayName, "display_name must be 1 to 100 characters, not blank"));
    };
    let role = Role::parse(&input.role).map_err(|e| ApiError::new(ErrorCode::InvalidRole, e.to_string()))?;
    account_access::may_manage(&authed.principal, role)?;
    let (password, generated) = match input.password {
        Some(p) => (p, false),
        None => (trustline_crypto::random_password(), true),
    };
    state.sign_in.check_new_password(&password, &[username.as_str(), &display_name, &authed.principal.tenant.slug])?;
    let password_hash = state.sign_in.hash_password(password.clone()).await?;
    let new = NewUser {
        tenant_id: authed.principal.tenant.id,
        username: username.as_str().to_owned(),
        display_name,
        role,
        password_hash,
        created_at: state.clock.now(),
        password_must_change: generated,
    };
    let draft = authed.caller.audit(&state, AuditAction::UserCreate, "user").detail("role", role.as_str());
    let user = state.store.create_user(new, draft).await?;
    let body = NewUserView { user: UserView::from(&user), initial_password: generated.then(|| password.as_str()) };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn set_disabled(state: AppState, authed: Authed, id: i64, disabled: bool) -> Result<StatusCode, ApiError> {
    let action = if disabled { AuditAction::UserDisable } else { AuditAction::UserEnable };
    let draft = authed.caller.audit(&state, action, format!("user:{id}"));
    account_access::set_disabled(&state, &authed.principal, UserId(id), disabled, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn disable(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    set_disabled(state, authed, id, true).await
}

pub(crate) async fn enable(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    set_disabled(state, authed, id, false).await
}

pub(crate) async fn reset_mfa(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    let user = account_access::manageable(&state, &authed.principal, UserId(id)).await?;
    let draft = authed.caller.audit(&state, AuditAction::UserResetMfa, format!("user:{}", user.id));
    state.store.reset_mfa(user.tenant_id, user.id, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManualCallsChange {
    /// Whether the account may call numbers it types at the desk.
    allowed: bool,
}

/// A privilege, so kept as its own event with the change; the account's
/// next request sees it (nothing is cached in its session).
pub(crate) async fn set_manual_calls(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ManualCallsChange>,
) -> Result<StatusCode, ApiError> {
    let user = account_access::manageable(&state, &authed.principal, UserId(id)).await?;
    let draft = authed
        .caller
        .audit(&state, AuditAction::UserManualCalls, format!("user:{}", user.id))
        .detail("from", user.manual_calls.to_string())
        .detail("to", input.allowed.to_string());
    state.store.set_user_manual_calls(user.tenant_id, user.id, input.allowed, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleChange {
    #[schemars(extend("enum" = Role::names()))]
    role: String,
}

pub(crate) async fn change_role(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RoleChange>,
) -> Result<StatusCode, ApiError> {
    let role = Role::parse(&input.role).map_err(|e| ApiError::new(ErrorCode::InvalidRole, e.to_string()))?;
    let user = account_access::manageable(&state, &authed.principal, UserId(id)).await?;
    account_access::may_manage(&authed.principal, role)?;
    let draft = authed
        .caller
        .audit(&state, AuditAction::UserChangeRole, format!("user:{}", user.id))
        .detail("from", user.role.as_str())
        .detail("to", role.as_str());
    state.store.set_user_role(user.tenant_id, user.id, role, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}
