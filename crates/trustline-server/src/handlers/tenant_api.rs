use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) async fn show(authed: Authed) -> Json<Value> {
    let t = &authed.principal.tenant;
    Json(json!({ "id": t.id, "slug": t.slug, "name": t.name, "require_mfa": t.require_mfa }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settings {
    require_mfa: bool,
}

pub(crate) async fn update(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<Settings>,
) -> Result<StatusCode, ApiError> {
    let tenant = authed.principal.tenant.id;
    let draft = authed
        .caller
        .audit(&state, "tenant.settings.update", format!("tenant:{tenant}"))
        .detail("require_mfa", input.require_mfa.to_string());
    state.store.set_tenant_require_mfa(tenant, input.require_mfa, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}
