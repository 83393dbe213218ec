//! Data-subject requests: access and portability (art. 15, 20) and erasure (art. 17).

use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use trustline_domain::AuditAction;
use trustline_domain::ContactId;
use trustline_domain::contact::ErasureReason;
use trustline_vault::{SubjectExport, subject_label};

/// The export is audited before it is produced, so it lists itself.
pub(crate) async fn export(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SubjectExport>, ApiError> {
    let tenant = authed.principal.tenant.id;
    state.store.contact(tenant, ContactId(id)).await?.ok_or_else(ApiError::not_found)?;
    state.appender.append(authed.caller.audit(&state, AuditAction::SubjectExport, subject_label(ContactId(id)))).await?;
    Ok(Json(state.vault.export_subject(tenant, ContactId(id)).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErasureRequest {
    #[schemars(extend("enum" = ErasureReason::REQUESTABLE.map(ErasureReason::as_str)))]
    reason: String,
}

pub(crate) async fn erase(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ErasureRequest>,
) -> Result<StatusCode, ApiError> {
    let reason = ErasureReason::parse_requested(&input.reason).map_err(|e| ApiError::new(ErrorCode::InvalidReason, e.to_string()))?;
    let contact = ContactId(id);
    let audit = authed.caller.audit(&state, AuditAction::SubjectErase, subject_label(contact)).detail("reason", reason.as_str());
    state.vault.erase_subject(authed.principal.tenant.id, contact, reason, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
