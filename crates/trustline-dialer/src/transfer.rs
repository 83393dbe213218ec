//! Blind transfer: the agent hands the person they talk to on and leaves
//! the call, which goes to wrap-up as `transferred`. The person's line
//! moves to a new call (waiting in a queue, or joined at once to a ready
//! agent) or is joined to an outside number. The new call is the one the
//! next agent works and the reports count; the agent's call keeps who was
//! handed on where (`call.transfer`).

use crate::engine::Engine;
use crate::news::Origin;
use crate::outbound::call_flow::{self, CallError, agent_move};
use crate::outbound::desk::{DeskError, own_call};
use std::sync::Arc;
use trustline_audit::AuditDraft;
use trustline_domain::agent::{AgentEvent, AgentState};
use trustline_domain::contact::E164;
use trustline_domain::{AuditAction, CallResult, TenantId, UserId};
use trustline_store::{AgentStatus, CallChange, CallDirection, CallMode, CallRecord, CallState, NewCall, Queue, StoreError};
use trustline_telephony::{CallLeg, DialRequest, LegId, Settlement, Telephony, TelephonyError};

/// Where in the contact center the agent hands the person on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferTarget {
    /// One of the tenant's queues: the person waits there like any caller.
    Queue(i64),
    /// An agent of the tenant, ready now: the call is theirs at once.
    Agent(UserId),
}

/// The target, checked: a queue open now, an agent ready now, or an agent
/// reserved for the person already (a colleague the agent consulted).
pub(crate) enum Destination {
    Queue(Box<Queue>),
    Agent(UserId, AgentStatus),
    Reserved(UserId),
}

/// The agent's conversation `id`, with a line here to hand on.
pub(crate) async fn conversation(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    id: i64,
) -> Result<(CallRecord, Arc<dyn Telephony>), DeskError> {
    let call = own_call(engine, tenant, agent, id, CallState::Connected).await?;
    let telephony = engine.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    engine.leg_of(id).ok_or(DeskError::LineGone)?;
    Ok((call, telephony))
}

/// The conversation, while the agent consults nobody: a blind transfer
/// then would leave the consulted party on the agent's desk.
async fn not_consulting(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(CallRecord, Arc<dyn Telephony>), DeskError> {
    let conversation = conversation(engine, tenant, agent, id).await?;
    if engine.consult_of(id).is_some() {
        return Err(DeskError::WrongState("consulting", "not consulting"));
    }
    Ok(conversation)
}

/// Hands the person on the agent's conversation `id` to `target` and gives
/// the person's new call; `audit` (the request's, as `call.transfer`) is
/// kept with the agent leaving. Refused, nothing changes: the agent is
/// still talking to the person.
pub async fn transfer(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    target: TransferTarget,
    audit: AuditDraft,
) -> Result<i64, DeskError> {
    let (call, telephony) = not_consulting(engine, tenant, agent, id).await?;
    let destination = destination(engine, tenant, agent, target).await?;
    to_new_call(engine, &telephony, &call, agent, destination, AuditDraft { target: format!("call:{id}"), ..audit }).await
}

/// Hands the person on the agent's conversation `id` to an outside
/// number: they talk to whoever answers it, and the contact center leaves
/// the conversation. As [`transfer`] otherwise.
pub async fn transfer_outside(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    number: E164,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    let (call, telephony) = not_consulting(engine, tenant, agent, id).await?;
    to_outside(engine, &telephony, &call, agent, number, AuditDraft { target: format!("call:{id}"), ..audit }).await
}

async fn destination(engine: &Engine, tenant: TenantId, agent: UserId, target: TransferTarget) -> Result<Destination, DeskError> {
    match target {
        TransferTarget::Queue(queue) => {
            let queue = engine.world.queue(tenant, queue).await?.ok_or(DeskError::NoSuch("queue"))?;
            if !queue.settings.open_at(engine.time.now()) {
                return Err(DeskError::TargetUnavailable("the queue is closed now"));
            }
            Ok(Destination::Queue(Box::new(queue)))
        }
        TransferTarget::Agent(to) => Ok(Destination::Agent(to, ready_colleague(engine, tenant, agent, to).await?)),
    }
}

/// The state of `colleague`, another agent of the tenant than `agent` and
/// ready for a call now, to hand a person to or to consult.
pub(crate) async fn ready_colleague(engine: &Engine, tenant: TenantId, agent: UserId, colleague: UserId) -> Result<AgentStatus, DeskError> {
    if colleague == agent {
        return Err(DeskError::TargetUnavailable("you are the agent on this call"));
    }
    // Another tenant's user reads as one not working: nothing about them is told.
    match engine.world.agent_status(tenant, colleague).await? {
        Some(status) if status.state == AgentState::Available => Ok(status),
        _ => Err(DeskError::TargetUnavailable("that agent is not ready for a call")),
    }
}

/// The person's line moves to a new call, in a queue or with an agent; the
/// agent's call goes to wrap-up.
pub(crate) async fn to_new_call(
    engine: &Engine,
    telephony: &Arc<dyn Telephony>,
    call: &CallRecord,
    agent: UserId,
    to: Destination,
    audit: AuditDraft,
) -> Result<i64, DeskError> {
    let (tenant, id, now) = (call.tenant_id, call.id, engine.time.now());
    let by = format!("user:{agent}");
    let (new, reserve, opened, said) = match &to {
        Destination::Queue(queue) => {
            let new = NewCall {
                tenant_id: tenant,
                // Whoever called whom, it now waits in a queue like a caller.
                direction: CallDirection::Inbound,
                campaign_id: None,
                queue_id: Some(queue.id),
                contact_id: call.contact_id,
                agent_id: None,
                mode: CallMode::Routing(queue.settings.strategy),
                state: CallState::Queued,
                at: now,
                transferred_from: Some(call.id),
                owner_node: None,
                fence: None,
            };
            let opened = AuditDraft::new(now, tenant.0, by, AuditAction::CallArrive, String::new()).detail("queue", queue.id.to_string());
            (new, None, opened, format!("queue:{}", queue.id))
        }
        Destination::Agent(to, status) => {
            let reserve = crate::agent_moves::plan(tenant, *to, Some(status), AgentEvent::Offer, "offer", now).map_err(CallError::from)?;
            let (new, opened, said) = offered_to(call, *to, by, now);
            (new, Some(reserve), opened, said)
        }
        Destination::Reserved(to) => {
            let (new, opened, said) = offered_to(call, *to, by, now);
            (new, None, opened, said)
        }
    };
    let opened = opened.detail("transferred_from", id.to_string());
    let leg = engine.leg_of(id).ok_or(DeskError::LineGone)?;
    // The person leaves the agent's desk now and hears music until the new
    // agent is joined (an agent the router gives the new call to is joined
    // to the line, never undone). Taking them off hold below must not let
    // them hear the agent they are leaving meanwhile.
    let _unbridged = telephony.unbridge(leg).await;
    // Refused from here on, the agent is back with the person.
    let back = || async {
        engine.join_desk(leg, tenant, agent).await;
    };
    let new_id = match engine.world.open_call(new, None, reserve.clone(), opened).await {
        Ok(new_id) => new_id,
        Err(error) => {
            back().await;
            return Err(match error {
                StoreError::Conflict(_) => DeskError::TargetUnavailable("that agent is not ready for a call"),
                error => error.into(),
            });
        }
    };
    if let Some(reserve) = &reserve {
        crate::agent_moves::publish(engine, reserve).await;
    }
    let (new_origin, new_agent) = match &to {
        Destination::Queue(queue) => (Origin::queue(queue.id), None),
        Destination::Agent(to, _) | Destination::Reserved(to) => (Origin::of(call), Some(*to)),
    };
    let new_state = if new_agent.is_some() { CallState::Offered } else { CallState::Queued };
    call_flow::publish_call(engine, tenant, new_id, new_origin, new_agent, new_state, None).await;
    let audit = audit.detail("to", said).detail("call", new_id.to_string());
    if !engine.hand_leg(id, new_id) {
        abandon(engine, tenant, new_id).await;
        return Err(DeskError::LineGone);
    }
    if let Err(error) = leave(engine, call, agent, audit).await {
        // The line goes back to the agent's call (whose follower ends it if
        // the person hung up meanwhile), and the new call is abandoned.
        engine.hand_leg(new_id, id);
        abandon(engine, tenant, new_id).await;
        back().await;
        return Err(gone_or(error));
    }
    // The next agent, or the queue, takes the person off the agent's hold.
    if call.held_since.is_some() {
        let _resumed = telephony.hold(leg, false).await;
    }
    match new_agent {
        Some(to) => match call_flow::connect(engine, tenant, new_id, CallState::Offered, to, new_origin).await {
            Ok(()) => engine.join_desk(leg, tenant, to).await,
            // The person hung up meanwhile: their line's follower ended the call.
            Err(CallError::Store(StoreError::Conflict(_))) => {}
            Err(error) => return Err(error.into()),
        },
        None => {
            // Given to an agent before the line moved to it: joined now (the
            // router found no line to join then).
            if let Some(taken) = engine.world.call(tenant, new_id).await?.filter(|c| c.state == CallState::Connected)
                && let Some(to) = taken.agent_id
            {
                engine.join_desk(leg, tenant, to).await;
            }
            engine.wake();
        }
    }
    Ok(new_id)
}

/// The new call offered to agent `to`, its audit record and how the
/// transfer names where it went.
fn offered_to(call: &CallRecord, to: UserId, by: String, now: trustline_domain::UnixTime) -> (NewCall, AuditDraft, String) {
    let new = NewCall { agent_id: Some(to), state: CallState::Offered, at: now, ..same_call(call) };
    let opened = AuditDraft::new(now, call.tenant_id.0, by, AuditAction::CallOffer, String::new()).detail("agent", to.to_string());
    (new, opened, format!("user:{to}"))
}

/// The new call's fields that carry over from the agent's call.
fn same_call(call: &CallRecord) -> NewCall {
    NewCall {
        tenant_id: call.tenant_id,
        direction: call.direction,
        campaign_id: call.campaign_id,
        queue_id: call.queue_id,
        contact_id: call.contact_id,
        agent_id: call.agent_id,
        mode: call.mode,
        state: call.state,
        at: call.offered_at,
        transferred_from: Some(call.id),
        owner_node: None,
        fence: None,
    }
}

/// The person's line is joined to an outside number: dialled now, joined
/// when it answers; if it does not, or when either side hangs up, the
/// other is hung up too. The agent's call goes to wrap-up at once.
async fn to_outside(
    engine: &Engine,
    telephony: &Arc<dyn Telephony>,
    call: &CallRecord,
    agent: UserId,
    number: E164,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    let (tenant, id) = (call.tenant_id, call.id);
    let leg = engine.leg_of(id).ok_or(DeskError::LineGone)?;
    let caller_id = presented_number(engine, call).await?;
    let request = DialRequest { tenant, to: number.as_str().to_owned(), caller_id };
    // The person hears the hold music while the number rings (taken out of
    // the desk, and off the agent's hold, first: the answer joins them to
    // the outside party).
    telephony.unbridge(leg).await.map_err(|_| DeskError::LineGone)?;
    if call.held_since.is_some() {
        let _resumed = telephony.hold(leg, false).await;
    }
    let called = match telephony.transfer(leg, request).await {
        Ok(called) => called,
        Err(error) => {
            engine.join_desk(leg, tenant, agent).await;
            return Err(match error {
                TelephonyError::UnknownCall => DeskError::LineGone,
                other => other.into(),
            });
        }
    };
    let audit = audit.detail("to", "outside").detail("number", trustline_phone::mask(&number));
    if let Err(error) = leave(engine, call, agent, audit).await {
        engine.hang_up(called.id).await;
        engine.join_desk(leg, tenant, agent).await;
        return Err(gone_or(error));
    }
    if engine.join_outside(id, called.id).is_none() {
        engine.hang_up(called.id).await;
        return Err(DeskError::LineGone);
    }
    let engine = engine.clone();
    tokio::spawn(async move { follow_outside(&engine, called).await });
    Ok(())
}

/// Follows the outside party until they hang up (or never answer): the
/// person joined to them is hung up then.
async fn follow_outside(engine: &Engine, mut called: CallLeg) {
    if called.settled().await == Settlement::Answered {
        crate::line::hung_up(&mut called.progress).await;
    }
    outside_party_gone(engine, called.id).await;
}

/// The outside party on `leg` is gone: the person joined to them is hung up.
pub(crate) async fn outside_party_gone(engine: &Engine, leg: LegId) {
    if let Some(person) = engine.outside_party(leg) {
        engine.hang_up(person).await;
    }
    engine.forget_leg(leg);
}

/// The number the outside party sees: the campaign's caller ID, or the
/// number of the queue the person called.
pub(crate) async fn presented_number(engine: &Engine, call: &CallRecord) -> Result<Option<String>, DeskError> {
    if let Some(campaign) = call.campaign_id {
        let campaign = engine.world.campaign(call.tenant_id, campaign).await?;
        return Ok(campaign.and_then(|c| c.settings.caller_id).map(|number| number.as_str().to_owned()));
    }
    if let Some(queue) = call.queue_id {
        let queue = engine.world.queue(call.tenant_id, queue).await?;
        return Ok(queue.map(|q| q.settings.number.as_str().to_owned()));
    }
    Ok(None)
}

/// The agent leaves the conversation: it goes to wrap-up as `transferred`,
/// and any supervisor on it is off it.
pub(crate) async fn leave(engine: &Engine, call: &CallRecord, agent: UserId, audit: AuditDraft) -> Result<(), CallError> {
    let (tenant, id) = (call.tenant_id, call.id);
    let left = CallChange {
        result: Some(CallResult::Transferred),
        agent_move: Some(agent_move(engine, tenant, agent, AgentEvent::HangUp, "hang_up").await?),
        ..CallChange::new(tenant, id, CallState::Connected, CallState::WrapUp, engine.time.now())
    };
    call_flow::change(engine, left, Origin::of(call), Some(audit)).await?;
    engine.end_monitoring_of(tenant, id);
    Ok(())
}

/// A conflict means the conversation ended as it was handed on.
pub(crate) fn gone_or(error: CallError) -> DeskError {
    match error {
        CallError::Store(StoreError::Conflict(_)) => DeskError::LineGone,
        other => other.into(),
    }
}

/// The new call of a line that ended as it was handed on ends too.
async fn abandon(engine: &Engine, tenant: TenantId, id: i64) {
    if let Err(error) = crate::line::caller_left(engine, tenant, id).await {
        tracing::warn!(%error, call = id, "a transferred call whose line ended could not be closed");
    }
}
