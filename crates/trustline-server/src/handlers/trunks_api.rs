//! A tenant's SIP trunks: create (the digest password is sealed and never
//! shown again), list and remove. The SIP edge picks changes up on its own.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use trustline_domain::AuditAction;
use trustline_domain::destination::DestinationPolicy;
use trustline_domain::trunks::TrunkInput;
use trustline_store::{NewSipTrunk, SipTrunk, StoreError};

/// A trunk as its tenant sees it: the login's name, never its password.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TrunkView {
    id: i64,
    name: String,
    host: String,
    port: u16,
    /// The addresses the carrier's calls may come from.
    sources: Vec<String>,
    caller_id: Option<String>,
    /// The digest login's name, if the trunk has one.
    digest_username: Option<String>,
    created_at: i64,
}

fn view(trunk: &SipTrunk) -> TrunkView {
    TrunkView {
        id: trunk.id,
        name: trunk.name.clone(),
        host: trunk.host.clone(),
        port: trunk.port,
        sources: trunk.sources.iter().map(ToString::to_string).collect(),
        caller_id: trunk.caller_id.clone(),
        digest_username: trunk.digest.as_ref().map(|d| d.username.clone()),
        created_at: trunk.created_at,
    }
}

fn policy(state: &AppState) -> DestinationPolicy {
    DestinationPolicy { allow_private: state.config.allow_private_trunks }
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<TrunkView>>, ApiError> {
    Ok(Json(state.store.trunks(authed.principal.tenant.id).await?.iter().map(view).collect()))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<TrunkInput>,
) -> Result<(StatusCode, Json<TrunkView>), ApiError> {
    let tenant = authed.principal.tenant.id;
    let trunk = input.validate(policy(&state)).map_err(|fields| ApiError::with_fields(ErrorCode::InvalidTrunk, fields))?;
    let digest = trunk
        .digest
        .as_ref()
        .map(|login| trustline_app::seal_trunk_login(&state.keys, tenant, login))
        .transpose()
        .map_err(|_| ApiError::from(StoreError::Corrupt("trunk password".into())))?;
    let audit = authed.caller.audit(&state, AuditAction::TrunkCreate, "trunk").detail("host", trunk.host.clone());
    let new = NewSipTrunk {
        tenant_id: tenant,
        name: trunk.name,
        host: trunk.host,
        port: trunk.port,
        sources: trunk.sources,
        caller_id: trunk.caller_id.map(String::from),
        digest,
        at: state.clock.now(),
    };
    let id = state.store.create_trunk(new.clone(), audit).await?;
    let created = SipTrunk {
        id,
        tenant_id: tenant,
        name: new.name,
        host: new.host,
        port: new.port,
        sources: new.sources,
        caller_id: new.caller_id,
        digest: new.digest,
        created_at: new.at,
    };
    Ok((StatusCode::CREATED, Json(view(&created))))
}

pub(crate) async fn remove(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    let audit = authed.caller.audit(&state, AuditAction::TrunkDelete, format!("trunk:{id}"));
    state.store.delete_trunk(authed.principal.tenant.id, id, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
