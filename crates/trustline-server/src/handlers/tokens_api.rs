use super::views::TokenView;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trustline_crypto::SecretToken;
use trustline_domain::{Action, AuditAction, TokenId, bounded_text};
use trustline_store::NewApiToken;

const MAX_DAYS: i64 = 365;

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens = state.store.list_tokens(authed.principal.tenant.id).await?;
    Ok(Json(tokens.iter().map(TokenView::from).collect()))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTokenInput {
    #[schemars(length(min = 1, max = 100), pattern(trustline_domain::NOT_BLANK))]
    name: String,
    /// What the token may do: permissions you hold yourself.
    #[schemars(schema_with = "scopes_schema")]
    scopes: Vec<String>,
    #[schemars(range(min = 1, max = MAX_DAYS))]
    expires_in_days: i64,
}

fn scopes_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "array", "minItems": 1, "items": { "type": "string", "enum": Action::names() } })
}

/// The secret is in this response only; the server keeps its digest.
/// A new token: its secret, shown this once, and its record.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct NewTokenView<'a> {
    token: &'a str,
    details: TokenView,
}

pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<NewTokenInput>,
) -> Result<Response, ApiError> {
    let Some(name) = bounded_text(&input.name, 1, 100).map(str::to_owned) else {
        return Err(ApiError::new(ErrorCode::InvalidName, "name must be 1 to 100 characters, not blank"));
    };
    if !(1..=MAX_DAYS).contains(&input.expires_in_days) {
        return Err(ApiError::new(ErrorCode::InvalidExpiry, format!("expires_in_days must be between 1 and {MAX_DAYS}")));
    }
    let role = authed.principal.credential_role();
    let mut scopes = Vec::with_capacity(input.scopes.len());
    for scope in &input.scopes {
        let action = Action::parse(scope).map_err(|e| ApiError::new(ErrorCode::InvalidScope, e.to_string()))?;
        if !authed.principal.may(action) {
            return Err(ApiError::new(
                ErrorCode::ScopeNotGrantable,
                format!("a token may hold only what its creator may do, and you may not {scope}"),
            ));
        }
        if !scopes.contains(&action) {
            scopes.push(action);
        }
    }
    if scopes.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidScope, "name at least one scope"));
    }
    let secret = SecretToken::generate("tlk_");
    let now = state.clock.now();
    let new = NewApiToken {
        tenant_id: authed.principal.tenant.id,
        name,
        role,
        scopes,
        created_by: authed.principal.user.id,
        created_at: now,
        expires_at: now + input.expires_in_days * 86_400,
        digest: secret.digest(),
    };
    let draft = authed.caller.audit(&state, AuditAction::TokenCreate, "token").detail("scopes", input.scopes.join(" "));
    let token = state.store.create_token(new, draft).await?;
    Ok((StatusCode::CREATED, Json(NewTokenView { token: secret.expose(), details: TokenView::from(&token) })).into_response())
}

pub(crate) async fn revoke(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    let draft = authed.caller.audit(&state, AuditAction::TokenRevoke, format!("token:{id}"));
    state.store.revoke_token(authed.principal.tenant.id, TokenId(id), draft).await?;
    Ok(StatusCode::NO_CONTENT)
}
