//! Handing the person on: where the agent may transfer their conversation
//! (the tenant's queues, colleagues ready now, and outside numbers for
//! those allowed), the blind transfer, and the attended one (a number or
//! a colleague consulted first), each audited on the call.

use crate::auth::Authed;
use crate::engine_commands::{Handover, Step, carry};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_dialer::ConsultKind;
use trustline_domain::agent::AgentState;
use trustline_domain::contact::E164;
use trustline_domain::{Action, AuditAction, UserId};

/// Where a conversation may be handed on now.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TransferTargets {
    queues: Vec<QueueTarget>,
    /// Colleagues ready for a call now (not you).
    agents: Vec<AgentTarget>,
    /// Whether you may hand a call to an outside number.
    outside: bool,
    /// Whether you may call a number yourself, for one of the queues
    /// (`POST /api/agent/calls`).
    call_out: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct QueueTarget {
    id: i64,
    name: String,
    /// Whether it takes calls now (a closed queue refuses a transfer).
    open: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct AgentTarget {
    id: i64,
    name: String,
}

pub(crate) async fn targets(State(state): State<AppState>, authed: Authed) -> Result<Json<TransferTargets>, ApiError> {
    let (tenant, me) = (authed.principal.tenant.id, authed.principal.user.id);
    let now = state.clock.now();
    let queues = state.store.queues(tenant).await?;
    let ready: Vec<UserId> = state
        .store
        .agent_statuses(tenant)
        .await?
        .into_iter()
        .filter(|s| s.state == AgentState::Available && s.user_id != me)
        .map(|s| s.user_id)
        .collect();
    let mut agents: Vec<AgentTarget> = state
        .store
        .list_users(tenant)
        .await?
        .into_iter()
        .filter(|u| ready.contains(&u.id))
        .map(|u| AgentTarget { id: u.id.0, name: u.shown_name().to_owned() })
        .collect();
    agents.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(TransferTargets {
        queues: queues.into_iter().map(|q| QueueTarget { id: q.id, open: q.settings.open_at(now), name: q.settings.name }).collect(),
        agents,
        outside: authed.principal.may(Action::CallExternal),
        call_out: authed.principal.may_call_out(),
    }))
}

/// A colleague or a queue to hand the person to: exactly one of the two.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum TransferInput {
    /// One of your tenant's queues: the person waits there like any caller.
    Queue(i64),
    /// A colleague ready for a call now: the call is theirs at once.
    Agent(i64),
}

/// The call the person is on now.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TransferredCall {
    call: i64,
}

pub(crate) async fn transfer(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TransferInput>,
) -> Result<Json<TransferredCall>, ApiError> {
    let to = match input {
        TransferInput::Queue(queue) => Handover::Queue(queue),
        TransferInput::Agent(agent) => Handover::Agent(agent),
    };
    let audit = transfer_audit(&state, &authed, id);
    let call = carry(&state, authed.command(Step::Transfer { call: id, to, audit })).await?;
    Ok(Json(TransferredCall { call }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutsideInput {
    /// The number in E.164 form, e.g. `+442071838750`.
    #[schemars(pattern(E164::PATTERN))]
    number: String,
}

impl OutsideInput {
    fn number(&self) -> Result<E164, ApiError> {
        E164::parse(&self.number).map_err(|error| ApiError::new(ErrorCode::InvalidTransfer, error.to_string()))
    }
}

pub(crate) async fn transfer_outside(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<OutsideInput>,
) -> Result<StatusCode, ApiError> {
    let number = input.number()?.as_str().to_owned();
    let audit = transfer_audit(&state, &authed, id);
    carry::<()>(&state, authed.command(Step::TransferOutside { call: id, number, audit })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The agent calls an outside number while the person waits on hold.
pub(crate) async fn consult(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<OutsideInput>,
) -> Result<StatusCode, ApiError> {
    let number = input.number()?.as_str().to_owned();
    let audit = authed.caller.audit(&state, AuditAction::CallConsult, format!("call:{id}"));
    carry::<()>(&state, authed.command(Step::Consult { call: id, number, audit })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The colleague to consult.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColleagueInput {
    /// A colleague ready for a call now.
    agent: i64,
}

/// The agent talks to a colleague while the person waits on hold.
pub(crate) async fn consult_colleague(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ColleagueInput>,
) -> Result<StatusCode, ApiError> {
    let audit = authed.caller.audit(&state, AuditAction::CallConsult, format!("call:{id}"));
    carry::<()>(&state, authed.command(Step::ConsultColleague { call: id, colleague: input.agent, audit })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The agent hands the person over to the consulted number and leaves the call.
pub(crate) async fn complete_consult(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    hand_over(&state, &authed, id, ConsultKind::Number).await
}

/// The agent hands the person over to the consulted colleague and leaves the call.
pub(crate) async fn complete_colleague_consult(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    hand_over(&state, &authed, id, ConsultKind::Colleague).await
}

async fn hand_over(state: &AppState, authed: &Authed, id: i64, kind: ConsultKind) -> Result<StatusCode, ApiError> {
    let audit = transfer_audit(state, authed, id);
    carry::<()>(state, authed.command(Step::CompleteConsult { call: id, colleague: kind == ConsultKind::Colleague, audit })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The agent brings the person into the consultation of a number: a conference of three.
pub(crate) async fn conference(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    bring_in(&state, &authed, id, ConsultKind::Number).await
}

/// The agent brings the person into the consultation of a colleague: a conference of three.
pub(crate) async fn colleague_conference(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    bring_in(&state, &authed, id, ConsultKind::Colleague).await
}

async fn bring_in(state: &AppState, authed: &Authed, id: i64, kind: ConsultKind) -> Result<StatusCode, ApiError> {
    let audit = authed.caller.audit(state, AuditAction::CallConference, format!("call:{id}"));
    carry::<()>(state, authed.command(Step::Conference { call: id, colleague: kind == ConsultKind::Colleague, audit })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A consulted colleague leaves the consultation; the agent who consulted
/// them is back with the person.
pub(crate) async fn leave_consultation(State(state): State<AppState>, authed: Authed) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::LeaveConsultation)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The agent ends the consultation and is back with the person.
pub(crate) async fn end_consult(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::EndConsult { call: id })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The transfer's audit event.
fn transfer_audit(state: &AppState, authed: &Authed, id: i64) -> trustline_audit::AuditDraft {
    authed.caller.audit(state, AuditAction::CallTransfer, format!("call:{id}"))
}
