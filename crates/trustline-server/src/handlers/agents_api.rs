//! Agents at work: an agent's own state (log in to work, breaks, log out)
//! and, for supervisors, every agent's state and history.

use crate::agent_moves::{self, StateView};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use trustline_domain::UserId;
use trustline_domain::agent::SelfServiceEvent;

pub(crate) async fn mine(State(state): State<AppState>, authed: Authed) -> Result<Json<StateView>, ApiError> {
    let (tenant, user) = (authed.principal.tenant.id, authed.principal.user.id);
    Ok(Json(StateView::of(user, state.store.agent_status(tenant, user).await?.as_ref())))
}

/// An agent's own move: `log_in`, `log_out`, `take_break` (with a reason)
/// or `end_break`. A move the state machine does not allow is refused with
/// 409 and changes nothing.
pub(crate) async fn change(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(event): ApiJson<SelfServiceEvent>,
) -> Result<Json<StateView>, ApiError> {
    let (tenant, user) = (authed.principal.tenant.id, authed.principal.user.id);
    let status = state.store.agent_status(tenant, user).await?;
    let name = event.code();
    let change = agent_moves::plan(tenant, user, status.as_ref(), event.into(), name, state.clock.now())?;
    let audit = agent_moves::described(authed.caller.audit(&state, "agent.state", format!("user:{user}")), &change);
    state.store.move_agent(change.clone(), audit).await?;
    if change.from.code == "offline" {
        // A new working day: a desk seen before it says nothing now.
        state.store.forget_desk(tenant, user).await?;
    }
    agent_moves::publish(&state, &change).await;
    state.dialer.wake();
    Ok(Json(StateView::after(&change)))
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<StateView>>, ApiError> {
    let statuses = state.store.agent_statuses(authed.principal.tenant.id).await?;
    Ok(Json(statuses.iter().map(|s| StateView::of(s.user_id, Some(s))).collect()))
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct HistoryView {
    at: i64,
    event: String,
    from: String,
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// The newest 200 moves of one agent of the caller's tenant.
pub(crate) async fn history(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<HistoryView>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    state.store.user(tenant, UserId(id)).await?.ok_or_else(ApiError::not_found)?;
    let entries = state.store.agent_history(tenant, UserId(id), 200).await?;
    Ok(Json(entries.into_iter().map(|e| HistoryView { at: e.at, event: e.event, from: e.from, to: e.to, reason: e.reason }).collect()))
}
