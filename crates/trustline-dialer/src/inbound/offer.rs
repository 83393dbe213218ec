//! An incoming call offered to an agent, for queues that give agents time
//! to accept: the call rings at the agent's desk (the caller still
//! waiting) until the agent accepts it, declines it, or lets it ring out.
//! Declined or unanswered, the call goes back to its queue in its place and
//! the agent is set aside until they say they are back, so calls do not
//! keep ringing at an empty desk.

use crate::agent_moves;
use crate::engine::Engine;
use crate::news::Origin;
use crate::outbound::call_flow;
use crate::outbound::call_flow::CallError;
use crate::outbound::desk::{DeskError, own_call};
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentState;
use trustline_domain::agent::{AgentEvent, BreakReason};
use trustline_domain::routing::QueueSettings;
use trustline_domain::{AuditAction, TenantId, UnixTime, UserId};
use trustline_store::{AgentStatus, CallChange, CallDirection, CallRecord, CallState, StoreError};

/// Why an agent is set aside after an offer they declined.
const DECLINED: &str = "declined a call";
/// Why an agent is set aside after an offer that rang out.
const MISSED: &str = "missed a call";

/// Rings `agent` (free, as `status` says) with the waiting `call`: the
/// call and the agent move together.
pub(super) async fn ring(engine: &Engine, call: &CallRecord, agent: UserId, status: Option<&AgentStatus>) -> Result<(), CallError> {
    let (tenant, id, origin) = (call.tenant_id, call.id, Origin::of(call));
    let now = engine.time.now();
    let reserve = agent_moves::plan(tenant, agent, status, AgentEvent::Offer, "offer", now)?;
    let offer = CallChange {
        agent_id: Some(agent),
        agent_move: Some(reserve),
        ..CallChange::new(tenant, id, CallState::Queued, CallState::Offered, now)
    };
    let audit = AuditDraft::new(now, tenant.0, "system", AuditAction::CallOffer, format!("call:{id}")).detail("agent", agent.to_string());
    call_flow::change(engine, offer, origin, Some(audit)).await
}

/// The call in `Offered` on record as an incoming one of the agent's.
async fn incoming(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<CallRecord, DeskError> {
    let call = own_call(engine, tenant, agent, id, CallState::Offered).await?;
    if call.direction != CallDirection::Inbound {
        return Err(DeskError::Preview);
    }
    Ok(call)
}

/// A conflict means the call moved first (the caller hung up, the offer
/// rang out): the agent is told where it is now.
async fn moved_meanwhile(engine: &Engine, tenant: TenantId, agent: UserId, id: i64, error: CallError) -> DeskError {
    if !matches!(error, CallError::Store(StoreError::Conflict(_))) {
        return error.into();
    }
    match own_call(engine, tenant, agent, id, CallState::Offered).await {
        Err(now) => now,
        Ok(_) => error.into(),
    }
}

/// The agent takes the call: they are joined to the caller.
pub async fn accept(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = incoming(engine, tenant, agent, id).await?;
    let now = engine.time.now();
    let connect = CallChange {
        agent_id: Some(agent),
        agent_move: Some(call_flow::agent_move(engine, tenant, agent, AgentEvent::Connect, "connect").await?),
        ..CallChange::new(tenant, id, CallState::Offered, CallState::Connected, now)
    };
    let audit = AuditDraft::new(now, tenant.0, format!("user:{agent}"), AuditAction::CallAccept, format!("call:{id}"));
    if let Err(error) = call_flow::change(engine, connect, Origin::of(&call), Some(audit)).await {
        return Err(moved_meanwhile(engine, tenant, agent, id, error).await);
    }
    if let Some(leg) = engine.leg_of(id) {
        engine.join_desk(leg, tenant, agent).await;
    }
    Ok(())
}

/// The agent passes the call on: it goes back to its queue.
pub async fn decline(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = incoming(engine, tenant, agent, id).await?;
    let audit = AuditDraft::new(engine.time.now(), tenant.0, format!("user:{agent}"), AuditAction::CallDecline, format!("call:{id}"));
    if let Err(error) = back_to_queue(engine, &call, agent, DECLINED, audit).await {
        return Err(moved_meanwhile(engine, tenant, agent, id, error).await);
    }
    engine.wake();
    Ok(())
}

/// Offers that rang out by `now`, among `waiting`, go back to their queue.
/// `settings_of` gives a queue's settings. Returns whether any did.
pub(super) async fn ring_out<'a>(
    engine: &Engine,
    waiting: &[CallRecord],
    settings_of: impl Fn(i64) -> Option<&'a QueueSettings>,
    now: UnixTime,
) -> Result<bool, CallError> {
    let mut any = false;
    for call in waiting.iter().filter(|c| c.state == CallState::Offered) {
        let (Some(agent), Some(settings)) = (call.agent_id, call.queue_id.and_then(&settings_of)) else { continue };
        let status = engine.world.agent_status(call.tenant_id, agent).await?;
        let Some(deadline) = answer_by(call, status.as_ref(), settings) else { continue };
        if now < deadline {
            continue;
        }
        let audit = AuditDraft::new(now, call.tenant_id.0, "system", AuditAction::CallUnanswered, format!("call:{}", call.id))
            .detail("agent", agent.to_string());
        match back_to_queue(engine, call, agent, MISSED, audit).await {
            Ok(()) => any = true,
            Err(CallError::Store(StoreError::Conflict(_)) | CallError::Move(_)) => {} // accepted or hung up meanwhile
            Err(error) => return Err(error),
        }
    }
    Ok(any)
}

/// When the offer of `call` to the agent (whose state is `status`) must be
/// answered, if its queue sets a time: the agent's reservation is when the
/// call began to ring at their desk.
pub fn answer_by(call: &CallRecord, status: Option<&AgentStatus>, settings: &QueueSettings) -> Option<UnixTime> {
    if call.state != CallState::Offered || call.direction != CallDirection::Inbound {
        return None;
    }
    status.filter(|s| s.state == AgentState::Reserved).and_then(|s| settings.answer_by(s.since))
}

async fn back_to_queue(engine: &Engine, call: &CallRecord, agent: UserId, why: &str, audit: AuditDraft) -> Result<(), CallError> {
    let (tenant, id) = (call.tenant_id, call.id);
    let reason = BreakReason::parse(why).map_err(|_| CallError::Store(StoreError::Corrupt(format!("break reason {why:?}"))))?;
    let set_aside = call_flow::agent_move(engine, tenant, agent, AgentEvent::Unanswered { reason }, "unanswered").await?;
    let requeue =
        CallChange { agent_move: Some(set_aside), ..CallChange::new(tenant, id, CallState::Offered, CallState::Queued, engine.time.now()) };
    call_flow::change(engine, requeue, Origin::of(call), Some(audit)).await
}
