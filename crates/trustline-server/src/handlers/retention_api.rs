use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use trustline_domain::AuditAction;
use trustline_domain::contact::RetentionPolicy;

pub(crate) async fn show(State(state): State<AppState>, authed: Authed) -> Result<Json<RetentionPolicy>, ApiError> {
    Ok(Json(state.store.retention_policy(authed.principal.tenant.id).await?.unwrap_or_default()))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(policy): ApiJson<RetentionPolicy>,
) -> Result<StatusCode, ApiError> {
    policy.check().map_err(|reason| ApiError::new(ErrorCode::InvalidPolicy, reason))?;
    let tenant = authed.principal.tenant.id;
    let days = |d: Option<u32>| d.map_or_else(|| "none".to_owned(), |d| d.to_string());
    let audit = authed
        .caller
        .audit(&state, AuditAction::RetentionPolicyUpdate, format!("tenant:{tenant}"))
        .detail("contact_idle_days", days(policy.contact_idle_days))
        .detail("note_days", days(policy.note_days));
    state.store.set_retention_policy(tenant, policy, state.clock.now(), audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
