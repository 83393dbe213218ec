//! The supplier register (sub-processors and their certificates, reviews
//! and the tasks they raise) and the risk register (likelihood, impact,
//! treatment, owner, linked controls, reviews due by score).

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
use trustline_domain::bounded_text;
use trustline_domain::contact::FieldError;
use trustline_domain::registers::{REVIEW_OUTCOMES, Risk, RiskInput, Supplier, SupplierInput, SupplierTask};
use trustline_domain::{AuditAction, UnixTime, UserId};
use trustline_store::registers::{self, Entry, Register};
use trustline_trust::CATALOGUE;

/// Entry `id` of `T`'s register, if it is the caller's tenant's.
async fn entry<T: Register>(state: &AppState, authed: &Authed, id: i64) -> Result<Entry<T>, ApiError> {
    registers::entry(state.store.as_ref(), authed.principal.tenant.id, id).await?.ok_or_else(ApiError::not_found)
}

/// A registered supplier with what it needs now.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SupplierView {
    id: i64,
    supplier: Supplier,
    tasks: Vec<SupplierTask>,
    updated_at: UnixTime,
}

pub(crate) async fn suppliers(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<SupplierView>>, ApiError> {
    let now = state.clock.now();
    let mut out = Vec::new();
    for e in registers::entries::<Supplier>(state.store.as_ref(), authed.principal.tenant.id).await? {
        out.push(SupplierView { id: e.id, tasks: e.value.tasks(now), supplier: e.value, updated_at: e.updated_at });
    }
    Ok(Json(out))
}

pub(crate) async fn add_supplier(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<SupplierInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let supplier = input.validate().map_err(|fields| ApiError::with_fields(ErrorCode::InvalidSupplier, fields))?;
    let audit = authed.caller.audit(&state, AuditAction::SupplierAdd, "supplier");
    let id = registers::add(state.store.as_ref(), authed.principal.tenant.id, &supplier, state.clock.now(), audit).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Replaces a supplier's details; its last review stays.
pub(crate) async fn update_supplier(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SupplierInput>,
) -> Result<StatusCode, ApiError> {
    let current: Supplier = entry::<Supplier>(&state, &authed, id).await?.value;
    let mut supplier = input.validate().map_err(|fields| ApiError::with_fields(ErrorCode::InvalidSupplier, fields))?;
    supplier.last_review_at = current.last_review_at;
    supplier.last_review_outcome = current.last_review_outcome;
    let audit = authed.caller.audit(&state, AuditAction::SupplierUpdate, format!("supplier:{id}"));
    registers::replace(state.store.as_ref(), authed.principal.tenant.id, id, &supplier, state.clock.now(), audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SupplierReview {
    /// `approved`, `approved_with_conditions` or `rejected`.
    #[schemars(extend("enum" = REVIEW_OUTCOMES))]
    outcome: String,
    /// What was checked and found.
    #[schemars(length(min = 1, max = 5000), pattern(trustline_domain::NOT_BLANK))]
    notes: String,
}

pub(crate) async fn review_supplier(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SupplierReview>,
) -> Result<StatusCode, ApiError> {
    if !REVIEW_OUTCOMES.contains(&input.outcome.as_str()) {
        return Err(ApiError::new(ErrorCode::InvalidReview, "outcome must be approved, approved_with_conditions or rejected"));
    }
    if bounded_text(&input.notes, 1, 5_000).is_none() {
        return Err(ApiError::new(ErrorCode::InvalidReview, "notes must be 1 to 5000 characters, not blank"));
    }
    let mut supplier: Supplier = entry::<Supplier>(&state, &authed, id).await?.value;
    let now = state.clock.now();
    supplier.last_review_at = Some(now);
    supplier.last_review_outcome = Some(input.outcome.clone());
    let audit = authed
        .caller
        .audit(&state, AuditAction::SupplierReview, format!("supplier:{id}"))
        .detail("outcome", input.outcome)
        .detail("notes", input.notes.trim().to_owned());
    registers::replace(state.store.as_ref(), authed.principal.tenant.id, id, &supplier, now, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A registered risk with its score and when it is next reviewed.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct RiskView {
    id: i64,
    risk: Risk,
    /// Likelihood times impact.
    score: u8,
    review_due: UnixTime,
    review_overdue: bool,
}

pub(crate) async fn risks(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<RiskView>>, ApiError> {
    let now = state.clock.now();
    let mut out = Vec::new();
    for e in registers::entries::<Risk>(state.store.as_ref(), authed.principal.tenant.id).await? {
        let due = e.value.review_due(e.created_at);
        out.push(RiskView { id: e.id, score: e.value.score(), risk: e.value, review_due: due, review_overdue: now > due });
    }
    Ok(Json(out))
}

async fn checked_risk(state: &AppState, authed: &Authed, input: RiskInput) -> Result<Risk, ApiError> {
    let risk = input.validate().map_err(|fields| ApiError::with_fields(ErrorCode::InvalidRisk, fields))?;
    let mut unknown = risk.unknown_controls(|id| CATALOGUE.iter().any(|c| c.id == id));
    if state.store.user(authed.principal.tenant.id, UserId(risk.owner_id)).await?.is_none() {
        unknown.push(FieldError::new("owner_id", "is not one of your users"));
    }
    if !unknown.is_empty() {
        return Err(ApiError::unknown_references(unknown));
    }
    Ok(risk)
}

pub(crate) async fn add_risk(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<RiskInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let risk = checked_risk(&state, &authed, input).await?;
    let audit = authed.caller.audit(&state, AuditAction::RiskAdd, "risk").detail("score", risk.score().to_string());
    let id = registers::add(state.store.as_ref(), authed.principal.tenant.id, &risk, state.clock.now(), audit).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

pub(crate) async fn update_risk(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RiskInput>,
) -> Result<StatusCode, ApiError> {
    let current: Risk = entry::<Risk>(&state, &authed, id).await?.value;
    let mut risk = checked_risk(&state, &authed, input).await?;
    risk.last_reviewed_at = current.last_reviewed_at;
    let audit = authed.caller.audit(&state, AuditAction::RiskUpdate, format!("risk:{id}")).detail("score", risk.score().to_string());
    registers::replace(state.store.as_ref(), authed.principal.tenant.id, id, &risk, state.clock.now(), audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RiskReview {
    /// What was reconsidered and concluded.
    #[schemars(length(min = 1, max = 5000), pattern(trustline_domain::NOT_BLANK))]
    notes: String,
}

pub(crate) async fn review_risk(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RiskReview>,
) -> Result<StatusCode, ApiError> {
    if bounded_text(&input.notes, 1, 5_000).is_none() {
        return Err(ApiError::new(ErrorCode::InvalidReview, "notes must be 1 to 5000 characters, not blank"));
    }
    let mut risk: Risk = entry::<Risk>(&state, &authed, id).await?.value;
    let now = state.clock.now();
    risk.last_reviewed_at = Some(now);
    let audit = authed.caller.audit(&state, AuditAction::RiskReview, format!("risk:{id}")).detail("notes", input.notes.trim().to_owned());
    registers::replace(state.store.as_ref(), authed.principal.tenant.id, id, &risk, now, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
