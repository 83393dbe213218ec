//! Inbound queues (the number callers dial, skills, priority, strategy,
//! overflow, service-level goal, callback offer, opening hours, script and
//! dispositions) with what waits in each now, and agents' skills.

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
use trustline_domain::routing::{QueueInput, QueueSettings, SkillLevels, check_skills};
use trustline_domain::{AuditAction, TenantId, UnixTime, UserId};
use trustline_store::{CallRecord, CallState, Queue, QueueDraft, StoreError};

/// A queue with its settings and, for the wallboard, the calls waiting in
/// it now.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct QueueView {
    id: i64,
    name: String,
    settings: QueueSettings,
    /// Callers holding, those ringing at a desk included.
    waiting: usize,
    ringing_at_desks: usize,
    callbacks_waiting: usize,
    longest_wait_seconds: Option<i64>,
    created_at: UnixTime,
    updated_at: UnixTime,
}

fn view(queue: &Queue, waiting: &[CallRecord], now: i64) -> Result<QueueView, ApiError> {
    let settings = queue.settings.clone();
    let mine = || waiting.iter().filter(|c| c.queue_id == Some(queue.id));
    // A caller ringing at an agent's desk is still holding.
    let holding = mine().filter(|c| matches!(c.state, CallState::Queued | CallState::Offered)).count();
    let ringing = mine().filter(|c| c.state == CallState::Offered).count();
    let callbacks = mine().filter(|c| c.state == CallState::Callback).count();
    let longest = mine().map(|c| now - c.offered_at).max();
    Ok(QueueView {
        id: queue.id,
        name: queue.name.clone(),
        settings,
        waiting: holding,
        ringing_at_desks: ringing,
        callbacks_waiting: callbacks,
        longest_wait_seconds: longest,
        created_at: queue.created_at,
        updated_at: queue.updated_at,
    })
}

/// Checks the input, and that the overflow queue is another of the
/// tenant's queues (`own` is the queue being changed, if any).
async fn checked(state: &AppState, tenant: TenantId, input: QueueInput, own: Option<i64>) -> Result<QueueSettings, ApiError> {
    let settings = input.validate().map_err(|fields| ApiError::with_fields(ErrorCode::InvalidQueue, fields))?;
    if let Some(overflow) = &settings.overflow {
        let queues = state.store.queues(tenant).await?;
        let another = |q: &&Queue| Some(q.id) != own && q.name != settings.name;
        if !queues.iter().filter(another).any(|q| q.name == overflow.to) {
            let missing = FieldError::new("overflow_to", format!("there is no other queue named {:?}", overflow.to));
            return Err(ApiError::unknown_references(vec![missing]));
        }
    }
    Ok(settings)
}

fn draft(tenant: TenantId, settings: QueueSettings, at: i64) -> QueueDraft {
    QueueDraft { tenant_id: tenant, name: settings.name.clone(), number: settings.number.as_str().to_owned(), settings, at }
}

fn taken(error: StoreError) -> ApiError {
    match error {
        StoreError::Conflict(_) => {
            ApiError::new(ErrorCode::QueueTaken, "a queue with this name exists, or another of your queues answers this number")
        }
        other => other.into(),
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<QueueInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let tenant = authed.principal.tenant.id;
    let settings = checked(&state, tenant, input, None).await?;
    let audit = authed.caller.audit(&state, AuditAction::QueueCreate, "queue").detail("number", settings.number.as_str());
    let id = state.store.create_queue(draft(tenant, settings, state.clock.now()), audit).await.map_err(taken)?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<QueueView>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let (queues, waiting) = (state.store.queues(tenant).await?, state.store.waiting_calls(tenant).await?);
    let now = state.clock.now();
    Ok(Json(queues.iter().map(|q| view(q, &waiting, now)).collect::<Result<_, _>>()?))
}

pub(crate) async fn show(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<Json<QueueView>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let queue = state.store.queue(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(view(&queue, &state.store.waiting_calls(tenant).await?, state.clock.now())?))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<QueueInput>,
) -> Result<StatusCode, ApiError> {
    let tenant = authed.principal.tenant.id;
    state.store.queue(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    let settings = checked(&state, tenant, input, Some(id)).await?;
    let audit = authed.caller.audit(&state, AuditAction::QueueUpdate, format!("queue:{id}")).detail("number", settings.number.as_str());
    state.store.update_queue(id, draft(tenant, settings, state.clock.now()), audit).await.map_err(taken)?;
    crate::engine_commands::wake_engine(&state, &authed).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The numbers the operator assigned to the caller's organisation: the
/// only ones its queues can answer.
/// One inbound number of the tenant's, and the queue that answers it.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct NumberView {
    /// E.164.
    number: String,
    queue: Option<String>,
    assigned_at: i64,
}

pub(crate) async fn numbers(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<NumberView>>, ApiError> {
    let numbers = state.store.inbound_numbers(authed.principal.tenant.id).await?;
    Ok(Json(numbers.into_iter().map(|n| NumberView { number: n.number, queue: n.queue, assigned_at: n.assigned_at }).collect()))
}

/// One agent's skills.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct AgentSkillsView {
    user_id: i64,
    skills: SkillLevels,
}

/// Every agent's skills.
pub(crate) async fn skills(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<AgentSkillsView>>, ApiError> {
    let stored = state.store.agent_skills(authed.principal.tenant.id).await?;
    Ok(Json(stored.into_iter().map(|(user, skills)| AgentSkillsView { user_id: user.0, skills }).collect()))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkillsInput {
    skills: SkillLevels,
}

/// Replaces one agent's skills.
pub(crate) async fn set_skills(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SkillsInput>,
) -> Result<StatusCode, ApiError> {
    let tenant = authed.principal.tenant.id;
    let mut errors = Vec::new();
    check_skills("skills", &input.skills, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::with_fields(ErrorCode::InvalidSkills, errors));
    }
    state.store.user(tenant, UserId(id)).await?.ok_or_else(ApiError::not_found)?;
    let names: Vec<String> = input.skills.iter().map(|s| format!("{}:{}", s.skill, s.level)).collect();
    let audit = authed.caller.audit(&state, AuditAction::AgentSkills, format!("user:{id}")).detail("skills", names.join(","));
    state.store.set_agent_skills(tenant, UserId(id), &input.skills, state.clock.now(), audit).await?;
    crate::engine_commands::wake_engine(&state, &authed).await;
    Ok(StatusCode::NO_CONTENT)
}
