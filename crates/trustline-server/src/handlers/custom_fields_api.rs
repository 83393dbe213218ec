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
use trustline_domain::OneLine;
use trustline_domain::contact::{CustomFieldDef, CustomFieldKind};

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<CustomFieldDef>>, ApiError> {
    Ok(Json(state.store.custom_fields(authed.principal.tenant.id).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldInput {
    #[schemars(with = "OneLine<100>")]
    label: String,
    #[serde(flatten)]
    kind: CustomFieldKind,
    #[serde(default)]
    required: bool,
}

pub(crate) async fn put(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(name): ApiPath<String>,
    ApiJson(input): ApiJson<FieldInput>,
) -> Result<StatusCode, ApiError> {
    let label =
        OneLine::<100>::parse(&input.label).map_err(|e| ApiError::new(ErrorCode::InvalidCustomField, format!("label {e}")))?.into_string();
    let field = CustomFieldDef { name, label, kind: input.kind, required: input.required };
    field.check().map_err(|reason| ApiError::new(ErrorCode::InvalidCustomField, reason))?;
    let audit = authed.caller.audit(&state, AuditAction::CustomFieldPut, format!("custom_field:{}", field.name));
    state.store.put_custom_field(authed.principal.tenant.id, field, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Values already stored under the field stay (encrypted) with their contacts.
pub(crate) async fn delete(State(state): State<AppState>, authed: Authed, ApiPath(name): ApiPath<String>) -> Result<StatusCode, ApiError> {
    let audit = authed.caller.audit(&state, AuditAction::CustomFieldDelete, format!("custom_field:{name}"));
    state.store.delete_custom_field(authed.principal.tenant.id, &name, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
