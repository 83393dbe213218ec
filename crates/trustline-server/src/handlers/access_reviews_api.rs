//! Access reviews: a campaign asks owners and admins to confirm or revoke
//! every enabled account's access; a revocation disables the account at
//! once (its sessions end, its tokens are revoked).

use crate::account_access;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_domain::access_review::{AccessDecision, REVIEW_DUE_DAYS};
use trustline_domain::{AuditAction, UnixTime, UserId};
use trustline_store::{AccessDecisionRecord, StoreError};

/// A review campaign as the list shows it.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ReviewSummary {
    id: i64,
    started_at: UnixTime,
    due_at: UnixTime,
    completed_at: Option<UnixTime>,
    /// Accounts under review.
    accounts: usize,
    /// Accounts nobody has decided on yet.
    pending: usize,
    overdue: bool,
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<ReviewSummary>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let now = state.clock.now();
    let mut out = Vec::new();
    for r in state.store.access_reviews(tenant).await? {
        let items = state.store.access_review_items(tenant, r.id).await?;
        let pending = items.iter().filter(|i| i.decision == "pending").count();
        out.push(ReviewSummary {
            id: r.id,
            started_at: r.started_at,
            due_at: r.due_at,
            completed_at: r.completed_at,
            accounts: items.len(),
            pending,
            overdue: r.completed_at.is_none() && now > r.due_at,
        });
    }
    Ok(Json(out))
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ReviewStarted {
    id: i64,
    due_at: UnixTime,
}

pub(crate) async fn start(State(state): State<AppState>, authed: Authed) -> Result<(StatusCode, Json<ReviewStarted>), ApiError> {
    let now = state.clock.now();
    let due = now + REVIEW_DUE_DAYS * 86_400;
    let audit = authed.caller.audit(&state, AuditAction::AccessReviewStart, "access_review");
    let id = state.store.start_access_review(authed.principal.tenant.id, authed.principal.user.id, now, due, audit).await?;
    Ok((StatusCode::CREATED, Json(ReviewStarted { id, due_at: due })))
}

/// A review campaign with every account under review.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ReviewView {
    id: i64,
    due_at: UnixTime,
    completed_at: Option<UnixTime>,
    items: Vec<ReviewItemView>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ReviewItemView {
    user_id: UserId,
    /// The account's role when the review started.
    role: String,
    /// Whether an administrator had allowed it to call numbers from the
    /// desk when the review started (roles that send calls outside always may).
    manual_calls: bool,
    decision: ReviewState,
    decided_by: Option<UserId>,
    decided_at: Option<UnixTime>,
}

/// Where an account stands in a review.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReviewState {
    Pending,
    Confirmed,
    Revoked,
}

impl ReviewState {
    fn recorded(decision: &str) -> Result<Self, ApiError> {
        match decision {
            "pending" => Ok(Self::Pending),
            "confirmed" => Ok(Self::Confirmed),
            "revoked" => Ok(Self::Revoked),
            other => Err(StoreError::Corrupt(format!("access review decision {other:?}")).into()),
        }
    }
}

pub(crate) async fn show(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<Json<ReviewView>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let review = state.store.access_reviews(tenant).await?.into_iter().find(|r| r.id == id).ok_or_else(ApiError::not_found)?;
    let items = state
        .store
        .access_review_items(tenant, id)
        .await?
        .into_iter()
        .map(|i| {
            Ok(ReviewItemView {
                user_id: i.user_id,
                decision: ReviewState::recorded(&i.decision)?,
                role: i.role,
                manual_calls: i.manual_calls,
                decided_by: i.decided_by,
                decided_at: i.decided_at,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(ReviewView { id: review.id, due_at: review.due_at, completed_at: review.completed_at, items }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionInput {
    user_id: i64,
    decision: AccessDecision,
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<StatusCode, ApiError> {
    let (tenant, reviewer) = (authed.principal.tenant.id, authed.principal.user.id);
    let user = UserId(input.user_id);
    if user == reviewer {
        return Err(ApiError::new(ErrorCode::OwnAccess, "nobody reviews their own access; another owner or admin must"));
    }
    let items = state.store.access_review_items(tenant, id).await?;
    let item = items.iter().find(|i| i.user_id == user).ok_or_else(ApiError::not_found)?;
    if item.decision != "pending" {
        return Err(ApiError::new(ErrorCode::AlreadyDecided, format!("this account was already {}", item.decision)));
    }
    if input.decision == AccessDecision::Revoke {
        // Revoked by the rules of disabling, so only an account the reviewer
        // could disable. Confirming changes nothing and stays open to every
        // reviewer, so that a tenant with one owner can complete a review.
        // Revoked first, recorded second: a revocation never waits on its record.
        let audit = authed.caller.audit(&state, AuditAction::AccessReviewRevoke, format!("user:{user}")).detail("review", id.to_string());
        account_access::set_disabled(&state, &authed.principal, user, true, audit).await?;
    }
    let audit = authed
        .caller
        .audit(&state, AuditAction::AccessReviewDecide, format!("user:{user}"))
        .detail("review", id.to_string())
        .detail("decision", input.decision.recorded_as());
    let record =
        AccessDecisionRecord { review: id, user, decision: input.decision.recorded_as().into(), by: reviewer, at: state.clock.now() };
    state.store.decide_access(tenant, record, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
