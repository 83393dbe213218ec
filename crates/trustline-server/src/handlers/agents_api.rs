//! Agents at work: an agent's own state (log in to work, breaks, log out)
//! and, for supervisors, every agent's state and history.

use crate::auth::Authed;
use crate::engine_commands::{EngineCommand, Monitoring, Step, carry};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_app::StateView;
use trustline_domain::AuditAction;
use trustline_domain::UserId;
use trustline_domain::agent::{BreakReason, SelfServiceEvent};
use trustline_domain::contact::FieldError;

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
    let name = event.code();
    let audit = authed.caller.audit(&state, AuditAction::AgentState, format!("user:{user}"));
    let moved = EngineCommand::new(tenant, user, Step::Move { event: event.into(), name: name.to_owned(), audit });
    Ok(Json(carry(&state, moved).await?))
}

/// How a supervisor joins an agent's conversation.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MonitorInput {
    mode: MonitorModeName,
}

/// `listen`: you hear both, nobody hears you; `whisper`: the agent hears
/// you too, the caller does not; `barge`: everyone hears everyone.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum MonitorModeName {
    Listen,
    Whisper,
    Barge,
}

/// The conversation monitored.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct MonitoredCall {
    call: i64,
}

/// A supervisor listens to an agent's conversation, whispers to the agent
/// or barges in, from their own desk phone; the same call changes the
/// mode. Audited on the call, with the agent named.
pub(crate) async fn monitor(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(agent): ApiPath<i64>,
    ApiJson(input): ApiJson<MonitorInput>,
) -> Result<Json<MonitoredCall>, ApiError> {
    let mode = match input.mode {
        MonitorModeName::Listen => Monitoring::Listen,
        MonitorModeName::Whisper => Monitoring::Whisper,
        MonitorModeName::Barge => Monitoring::Barge,
    };
    monitoring(&state, &authed, UserId(agent), Some(mode)).await.map(|call| Json(MonitoredCall { call }))
}

/// The supervisor leaves the agent's conversation.
pub(crate) async fn stop_monitoring(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(agent): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    monitoring(&state, &authed, UserId(agent), None).await.map(|_| StatusCode::NO_CONTENT)
}

async fn monitoring(state: &AppState, authed: &Authed, agent: UserId, mode: Option<Monitoring>) -> Result<i64, ApiError> {
    state.store.user(authed.principal.tenant.id, agent).await?.ok_or_else(ApiError::not_found)?;
    let audit = authed.caller.audit(state, AuditAction::CallMonitor, format!("user:{agent}"));
    carry(state, authed.command(Step::Monitor { agent: agent.0, mode, audit })).await
}

/// Why a supervisor moves an agent, kept in the audit log.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub(crate) struct MoveReason(#[schemars(length(min = 1, max = 500), pattern(trustline_domain::NOT_BLANK))] String);

/// What a supervisor does to an agent's state, and why (kept in the audit
/// log); a break states its reason.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum SupervisedMove {
    /// Out of work (the agent logs in again to take calls).
    LogOut { reason: MoveReason },
    /// On a break.
    TakeBreak { break_reason: BreakReason, reason: MoveReason },
    /// Back from a break: available.
    EndBreak { reason: MoveReason },
}

impl SupervisedMove {
    /// The move as the agent would ask for it themselves, and the why.
    fn parts(self) -> (SelfServiceEvent, String) {
        match self {
            SupervisedMove::LogOut { reason } => (SelfServiceEvent::LogOut {}, reason.0),
            SupervisedMove::TakeBreak { break_reason, reason } => (SelfServiceEvent::TakeBreak { reason: break_reason }, reason.0),
            SupervisedMove::EndBreak { reason } => (SelfServiceEvent::EndBreak {}, reason.0),
        }
    }
}

/// A supervisor moves an agent (log out, break, back): refused with 409
/// during a call as the agent's own move would be, audited with the reason.
pub(crate) async fn supervise(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SupervisedMove>,
) -> Result<Json<StateView>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let (event, reason) = input.parts();
    let name = event.code();
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::with_fields(ErrorCode::InvalidMove, vec![FieldError::new("reason", "say why, in 1 to 500 characters")]));
    }
    let user = UserId(id);
    state.store.user(tenant, user).await?.ok_or_else(ApiError::not_found)?;
    let audit = authed.caller.audit(&state, AuditAction::AgentStateSet, format!("user:{user}")).detail("why", reason);
    let moved = EngineCommand::new(tenant, user, Step::Move { event: event.into(), name: name.to_owned(), audit });
    Ok(Json(carry(&state, moved).await?))
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
