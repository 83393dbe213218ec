//! A tenant's SIP trunks: create and change (a digest password is sealed
//! and never shown again), list, remove a login, remove. The SIP edge
//! picks changes up on its own.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use trustline_domain::destination::DestinationPolicy;
use trustline_domain::trunks::{SignallingTransport, TrunkEdge, TrunkInput};
use trustline_domain::{AuditAction, TenantId};
use trustline_store::{NewSipTrunk, SipTrunk, StoreError};

/// A trunk as its tenant sees it: the login's name, never its password.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TrunkView {
    id: i64,
    name: String,
    host: String,
    port: u16,
    transport: SignallingTransport,
    /// Whether calls' audio is SRTP.
    srtp: bool,
    /// The addresses the carrier's calls may come from.
    sources: Vec<String>,
    caller_id: Option<String>,
    /// The digest login's name, if the trunk has one.
    digest_username: Option<String>,
    /// Whether the trunk registers with the carrier under its login.
    registers: bool,
    /// How its last registration went, once one was tried.
    registration: Option<RegistrationView>,
    created_at: i64,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct RegistrationView {
    /// `registered`, `refused` or `unreachable`.
    state: String,
    /// The carrier's answer or the error, in words.
    detail: String,
    at: i64,
}

fn view(trunk: &SipTrunk) -> TrunkView {
    TrunkView {
        id: trunk.id,
        name: trunk.name.clone(),
        host: trunk.host.clone(),
        port: trunk.port,
        transport: trunk.transport,
        srtp: trunk.srtp,
        sources: trunk.sources.iter().map(ToString::to_string).collect(),
        caller_id: trunk.caller_id.clone(),
        digest_username: trunk.digest.as_ref().map(|d| d.username.clone()),
        registers: trunk.digest.as_ref().is_some_and(|d| d.register),
        registration: trunk.registration.as_ref().map(|r| RegistrationView { state: r.state.clone(), detail: r.detail.clone(), at: r.at }),
        created_at: trunk.created_at,
    }
}

fn edge(state: &AppState) -> TrunkEdge {
    TrunkEdge { destinations: DestinationPolicy { allow_private: state.config.allow_private_trunks }, tls: state.config.sip_tls }
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<TrunkView>>, ApiError> {
    Ok(Json(state.store.trunks(authed.principal.tenant.id).await?.iter().map(view).collect()))
}

/// A checked trunk as the store takes it, its login sealed.
fn stored(state: &AppState, tenant: TenantId, input: TrunkInput) -> Result<NewSipTrunk, ApiError> {
    let trunk = input.validate(edge(state)).map_err(|fields| ApiError::with_fields(ErrorCode::InvalidTrunk, fields))?;
    let digest = trunk
        .digest
        .as_ref()
        .map(|login| trustline_app::seal_trunk_login(&state.keys, tenant, login))
        .transpose()
        .map_err(|_| ApiError::from(StoreError::Corrupt("trunk password".into())))?;
    Ok(NewSipTrunk {
        tenant_id: tenant,
        name: trunk.name,
        host: trunk.host,
        port: trunk.port,
        transport: trunk.transport,
        srtp: trunk.srtp,
        sources: trunk.sources,
        caller_id: trunk.caller_id.map(String::from),
        digest,
        at: state.clock.now(),
    })
}

async fn trunk_view(state: &AppState, tenant: TenantId, id: i64) -> Result<TrunkView, ApiError> {
    let trunks = state.store.trunks(tenant).await?;
    trunks.iter().find(|trunk| trunk.id == id).map(view).ok_or_else(ApiError::not_found)
}

pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<TrunkInput>,
) -> Result<(StatusCode, Json<TrunkView>), ApiError> {
    let tenant = authed.principal.tenant.id;
    let new = stored(&state, tenant, input)?;
    let audit = authed.caller.audit(&state, AuditAction::TrunkCreate, "trunk").detail("host", new.host.clone());
    let id = state.store.create_trunk(new, audit).await?;
    Ok((StatusCode::CREATED, Json(trunk_view(&state, tenant, id).await?)))
}

/// Replaces a trunk's settings; its login is replaced when one is given
/// and kept otherwise.
pub(crate) async fn change(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TrunkInput>,
) -> Result<Json<TrunkView>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let new = stored(&state, tenant, input)?;
    let audit = authed.caller.audit(&state, AuditAction::TrunkUpdate, format!("trunk:{id}")).detail("host", new.host.clone());
    state.store.update_trunk(id, new, audit).await?;
    Ok(Json(trunk_view(&state, tenant, id).await?))
}

/// Removes a trunk's digest login: its calls go out unauthenticated.
pub(crate) async fn remove_login(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TrunkView>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let audit = authed.caller.audit(&state, AuditAction::TrunkUpdate, format!("trunk:{id}")).detail("login", "removed");
    state.store.remove_trunk_login(tenant, id, audit).await?;
    Ok(Json(trunk_view(&state, tenant, id).await?))
}

pub(crate) async fn remove(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    let audit = authed.caller.audit(&state, AuditAction::TrunkDelete, format!("trunk:{id}"));
    state.store.delete_trunk(authed.principal.tenant.id, id, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
