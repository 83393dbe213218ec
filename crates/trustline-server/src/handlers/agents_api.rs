//! Agents at work: an agent's own state (log in to work, breaks, log out)
//! and, for supervisors, every agent's state and history.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::live::LiveEvent;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_domain::UserId;
use trustline_domain::agent::{AgentEvent, AgentState};
use trustline_store::{AgentMove, AgentStatus, StoreError, StoredAgentState};

#[derive(Serialize)]
pub(crate) struct StateView {
    user_id: i64,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// When the agent entered this state (Unix time); absent if never logged in.
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<i64>,
}

fn view(user: UserId, status: Option<&AgentStatus>) -> StateView {
    match status {
        Some(s) => StateView { user_id: user.0, state: s.state.code.clone(), reason: s.state.reason.clone(), since: Some(s.since) },
        None => StateView { user_id: user.0, state: "offline".into(), reason: None, since: None },
    }
}

fn stored(state: &AgentState) -> StoredAgentState {
    let (code, reason) = state.code();
    StoredAgentState { code: code.to_owned(), reason: reason.map(str::to_owned) }
}

/// The agent's state as the domain knows it.
fn current(status: Option<&AgentStatus>) -> Result<AgentState, ApiError> {
    match status {
        None => Ok(AgentState::Offline),
        Some(s) => AgentState::from_code(&s.state.code, s.state.reason.as_deref())
            .ok_or_else(|| ApiError::from(StoreError::Corrupt(format!("agent state {:?}", s.state.code)))),
    }
}

pub(crate) async fn mine(State(state): State<AppState>, authed: Authed) -> Result<Json<StateView>, ApiError> {
    let (tenant, user) = (authed.principal.tenant.id, authed.principal.user.id);
    Ok(Json(view(user, state.store.agent_status(tenant, user).await?.as_ref())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StateChange {
    event: String,
    reason: Option<String>,
}

/// An agent's own move: `log_in`, `log_out`, `take_break` (with a reason)
/// or `end_break`. A move the state machine does not allow is refused with
/// 409 and changes nothing.
pub(crate) async fn change(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(change): ApiJson<StateChange>,
) -> Result<Json<StateView>, ApiError> {
    let event = AgentEvent::self_service(&change.event, change.reason.as_deref())
        .map_err(|e| ApiError::unprocessable("invalid_event", e.to_string()))?;
    let (tenant, user) = (authed.principal.tenant.id, authed.principal.user.id);
    let status = state.store.agent_status(tenant, user).await?;
    let from = current(status.as_ref())?;
    let event_name = change.event.clone();
    let to = from.apply(event).map_err(|e| ApiError::new(StatusCode::CONFLICT, "illegal_transition", e.to_string()))?;
    let (from, to) = (stored(&from), stored(&to));
    let mut audit =
        authed.caller.audit(&state, "agent.state", format!("user:{user}")).detail("from", from.code.clone()).detail("to", to.code.clone());
    if let Some(reason) = &to.reason {
        audit = audit.detail("reason", reason.clone());
    }
    let at = state.clock.now();
    let next = AgentStatus { user_id: user, state: to.clone(), since: at };
    state.store.move_agent(AgentMove { tenant_id: tenant, user_id: user, event: event_name, from, to, at }, audit).await?;
    let answer = view(user, Some(&next));
    if let Ok(data) = serde_json::to_value(&answer) {
        state.live.publish(LiveEvent { tenant, kind: "agent".into(), data }).await;
    }
    Ok(Json(answer))
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<StateView>>, ApiError> {
    let statuses = state.store.agent_statuses(authed.principal.tenant.id).await?;
    Ok(Json(statuses.iter().map(|s| view(s.user_id, Some(s))).collect()))
}

#[derive(Serialize)]
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
