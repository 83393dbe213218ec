//! The moves every call makes, whatever made it: each change written with
//! the agent's move and its audit event, then told to live views and
//! webhooks; a call that reached nobody, one joined to its agent, a
//! conversation that ended (and the consultation on it), and an agent
//! freed from a reservation.

use crate::agent_moves::{self, MoveError};
use crate::engine::{Consultation, Consulted, Engine};
use crate::news::{News, Origin};
use serde_json::json;
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentEvent;
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{AuditAction, CallResult, TenantId, UserId};
use trustline_store::{AgentMove, CallChange, CallState, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error(transparent)]
    Contact(#[from] trustline_vault::VaultError),
}

/// Tells the world about a call's new state. Holds no personal data.
pub(crate) async fn publish_call(
    engine: &Engine,
    tenant: TenantId,
    call: i64,
    origin: Origin,
    agent: Option<UserId>,
    to: CallState,
    result: Option<CallResult>,
) {
    engine.world.announce(News::Call { tenant, call, origin, agent, state: to, result }).await;
}

/// The move `event` makes for `agent` from their state on record.
pub(crate) async fn agent_move(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    event: AgentEvent,
    name: &str,
) -> Result<AgentMove, CallError> {
    let status = engine.world.agent_status(tenant, agent).await?;
    Ok(agent_moves::plan(tenant, agent, status.as_ref(), event, name, engine.time.now())?)
}

/// Moves a call on, with the agent's move, and tells live views.
pub(crate) async fn change(engine: &Engine, change: CallChange, origin: Origin, audit: Option<AuditDraft>) -> Result<(), CallError> {
    let (tenant, call, from, to, result, agent_move) =
        (change.tenant_id, change.call_id, change.from, change.to, change.result, change.agent_move.clone());
    // A call back in its queue is nobody's.
    let agent = if to == CallState::Queued { None } else { agent_move.as_ref().map(|m| m.user_id).or(change.agent_id) };
    engine.world.change_call(change, audit).await?;
    if let Some(m) = &agent_move {
        agent_moves::publish(engine, m).await;
    }
    publish_call(engine, tenant, call, origin, agent, to, result).await;
    // The call is over (a preview passed over was never a call).
    let ended = to == CallState::WrapUp || (to == CallState::Done && from != CallState::WrapUp && result != Some(CallResult::Skipped));
    if ended && let Some(record) = engine.world.call(tenant, call).await? {
        let data = json!({
            "call_id": record.id,
            "direction": record.direction.as_str(),
            "campaign_id": record.campaign_id,
            "queue_id": record.queue_id,
            "contact_id": record.contact_id.map(|c| c.0),
            "agent_id": record.agent_id.map(|a| a.0),
            "result": record.result.map(CallResult::as_str),
            "offered_at": record.offered_at,
            "connected_at": record.connected_at,
            "ended_at": record.ended_at,
        });
        engine.world.announce(News::Webhook { tenant, event: WebhookEvent::InteractionFinished, data }).await;
    }
    Ok(())
}

/// A call that reached nobody (or was lost): it ends, the contact is left
/// to retry later (its attempt already counts), and an agent waiting for
/// it is free again.
pub(crate) async fn end_unreached(
    engine: &Engine,
    tenant: TenantId,
    origin: Origin,
    id: i64,
    from: CallState,
    result: CallResult,
    agent: Option<UserId>,
) -> Result<(), CallError> {
    let agent_move = match agent {
        Some(agent) => Some(agent_move(engine, tenant, agent, AgentEvent::Withdraw, "withdraw").await?),
        None => None,
    };
    let ended = CallChange { result: Some(result), agent_move, ..CallChange::new(tenant, id, from, CallState::Done, engine.time.now()) };
    change(engine, ended, origin, None).await
}

/// Joins `agent` to the call, which is in `from`. The agent now sees the
/// contact unmasked: audited.
pub(crate) async fn connect(
    engine: &Engine,
    tenant: TenantId,
    id: i64,
    from: CallState,
    agent: UserId,
    origin: Origin,
) -> Result<(), CallError> {
    let now = engine.time.now();
    let connect = CallChange {
        agent_id: Some(agent),
        agent_move: Some(agent_move(engine, tenant, agent, AgentEvent::Connect, "connect").await?),
        ..CallChange::new(tenant, id, from, CallState::Connected, now)
    };
    let audit = AuditDraft::new(now, tenant.0, "system", AuditAction::CallConnect, format!("call:{id}")).detail("agent", agent.to_string());
    change(engine, connect, origin, Some(audit)).await
}

/// The conversation is over: the call goes to wrap-up with its agent, and
/// a consultation the agent had on it ends with it.
pub(crate) async fn remote_hang_up(engine: &Engine, tenant: TenantId, id: i64, agent: UserId, origin: Origin) -> Result<(), CallError> {
    let ended = CallChange {
        result: Some(CallResult::Person),
        agent_move: Some(agent_move(engine, tenant, agent, AgentEvent::HangUp, "hang_up").await?),
        ..CallChange::new(tenant, id, CallState::Connected, CallState::WrapUp, engine.time.now())
    };
    change(engine, ended, origin, None).await?;
    if let Some(consultation) = engine.take_consult(id, None) {
        let_consulted_go(engine, id, &consultation).await;
    }
    Ok(())
}

/// Frees `agent`, reserved for a call that is gone.
pub(crate) async fn release_agent(engine: &Engine, tenant: TenantId, agent: UserId) -> Result<(), CallError> {
    let withdraw = agent_move(engine, tenant, agent, AgentEvent::Withdraw, "withdraw").await?;
    let audit = AuditDraft::new(withdraw.at, tenant.0, "system", AuditAction::AgentWithdraw, format!("user:{agent}"));
    engine.world.move_agent(withdraw.clone(), audit).await?;
    agent_moves::publish(engine, &withdraw).await;
    Ok(())
}

/// Lets the consulted party of an ended consultation go: a number is hung
/// up; a colleague's desk is unlinked and the colleague freed.
pub(crate) async fn let_consulted_go(engine: &Engine, id: i64, consultation: &Consultation) {
    match &consultation.party {
        Consulted::Number { leg, .. } => {
            engine.hang_up(*leg).await;
        }
        Consulted::Colleague(colleague) => {
            if let Some(telephony) = engine.telephony() {
                telephony.unlink_desk(consultation.tenant, *colleague).await;
            }
            if let Err(error) = release_agent(engine, consultation.tenant, *colleague).await {
                tracing::warn!(%error, call = id, "a consulted colleague could not be freed");
            }
            let news = News::Consult { tenant: consultation.tenant, call: id, agent: *colleague, state: "ended" };
            engine.world.announce(news).await;
        }
    }
}
