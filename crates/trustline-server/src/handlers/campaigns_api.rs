//! Outbound campaigns and the call lists they dial.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::handlers::views::Created;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_domain::contact::FieldError;
use trustline_domain::dialing::{CampaignInput, CampaignSettings, CampaignStatus};
use trustline_domain::{AuditAction, TenantId, UnixTime};
use trustline_store::{Campaign, CampaignDraft};

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ListView {
    id: i64,
    name: String,
    status: &'static str,
    members: i64,
    created_at: i64,
}

pub(crate) async fn lists(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<ListView>>, ApiError> {
    let lists = state.store.call_lists(authed.principal.tenant.id).await?;
    Ok(Json(
        lists
            .into_iter()
            .map(|l| ListView { id: l.id, name: l.name, status: l.status.as_str(), members: l.members, created_at: l.created_at })
            .collect(),
    ))
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct CampaignView {
    id: i64,
    name: String,
    status: CampaignStatus,
    settings: CampaignSettings,
    list_ids: Vec<i64>,
    created_at: UnixTime,
    updated_at: UnixTime,
}

fn view(campaign: &Campaign) -> CampaignView {
    CampaignView {
        id: campaign.id,
        name: campaign.name.clone(),
        status: campaign.status,
        settings: campaign.settings.clone(),
        list_ids: campaign.list_ids.clone(),
        created_at: campaign.created_at,
        updated_at: campaign.updated_at,
    }
}

/// Checks the input and resolves its list names to the tenant's lists.
async fn checked(state: &AppState, tenant: TenantId, input: CampaignInput) -> Result<(CampaignSettings, Vec<i64>), ApiError> {
    let settings = input.validate().map_err(|fields| ApiError::with_fields(ErrorCode::InvalidCampaign, fields))?;
    let known = state.store.call_lists(tenant).await?;
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for name in &settings.lists {
        match known.iter().find(|l| &l.name == name) {
            Some(list) => ids.push(list.id),
            None => missing.push(FieldError::new("lists", format!("there is no call list named {name:?}"))),
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::unknown_references(missing));
    }
    Ok((settings, ids))
}

fn draft(tenant: TenantId, settings: CampaignSettings, list_ids: Vec<i64>, at: i64) -> CampaignDraft {
    CampaignDraft { tenant_id: tenant, name: settings.name.clone(), settings, list_ids, at }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let tenant = authed.principal.tenant.id;
    let (settings, list_ids) = checked(&state, tenant, input).await?;
    let audit = authed.caller.audit(&state, AuditAction::CampaignCreate, "campaign").detail("mode", settings.mode.as_str());
    let id = state.store.create_campaign(draft(tenant, settings, list_ids, state.clock.now()), audit).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<CampaignView>>, ApiError> {
    let campaigns = state.store.campaigns(authed.principal.tenant.id).await?;
    Ok(Json(campaigns.iter().map(view).collect()))
}

pub(crate) async fn show(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<Json<CampaignView>, ApiError> {
    let campaign = state.store.campaign(authed.principal.tenant.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(view(&campaign)))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<StatusCode, ApiError> {
    let tenant = authed.principal.tenant.id;
    state.store.campaign(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    let (settings, list_ids) = checked(&state, tenant, input).await?;
    let audit = authed.caller.audit(&state, AuditAction::CampaignUpdate, format!("campaign:{id}")).detail("mode", settings.mode.as_str());
    state.store.update_campaign(id, draft(tenant, settings, list_ids, state.clock.now()), audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusChange {
    #[schemars(extend("enum" = CampaignStatus::ALL.map(CampaignStatus::as_str)))]
    status: String,
}

/// A campaign's status after a change.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct StatusView {
    id: i64,
    status: CampaignStatus,
}

/// Start, pause, resume or finish: only the moves `CampaignStatus` allows.
pub(crate) async fn change_status(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<StatusView>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let next = CampaignStatus::parse(&change.status).map_err(|e| ApiError::new(ErrorCode::InvalidStatus, e.to_string()))?;
    let campaign = state.store.campaign(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    let current = campaign.status;
    let next = current.change_to(next).map_err(|e| ApiError::new(ErrorCode::IllegalTransition, e.to_string()))?;
    let audit = authed
        .caller
        .audit(&state, AuditAction::CampaignStatus, format!("campaign:{id}"))
        .detail("from", current.as_str())
        .detail("to", next.as_str());
    state.store.set_campaign_status(tenant, id, current, next, state.clock.now(), audit).await?;
    crate::engine_commands::wake_engine(&state, &authed).await;
    Ok(Json(StatusView { id, status: next }))
}
