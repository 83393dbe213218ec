//! One outbound call from dialling to the end of the conversation: the call
//! is recorded, the number dialled through the telephony port, and the
//! carrier's progress turned into the call's and the agent's moves. An
//! answered call placed ahead of agents gets the longest-idle free agent
//! within the campaign's allowed wait, or is abandoned.

use super::campaign_run::CampaignCall;
use super::gate;
use crate::agent_moves;
pub(crate) use crate::call_moves::{CallError, agent_move, change, connect, end_unreached, publish_call, release_agent, remote_hang_up};
use crate::engine::Engine;
use crate::news::Origin;
use std::sync::Arc;
use trustline_audit::AuditDraft;
use trustline_domain::CallResult;
use trustline_domain::agent::AgentEvent;
use trustline_domain::{AuditAction, ContactId, TenantId, UserId};
use trustline_store::{CallChange, CallDirection, CallMode, CallState, NewCall, StoreError};
use trustline_telephony::{CallFailure, CallLeg, DialRequest, Settlement, Telephony};
use trustline_vault::subject_label;

/// The number to dial: the contact's first, and nothing else of it
/// decrypted. `None` for an erased contact or one without a number.
pub(crate) async fn number_of(engine: &Engine, tenant: TenantId, contact: ContactId) -> Result<Option<String>, CallError> {
    Ok(engine.world.number_to_dial(tenant, contact).await?.map(|number| number.as_str().to_owned()))
}

/// Places a call to `contact` for `agent` (progressive, preview, personal
/// callback) or ahead of agents (`None`, predictive). The caller has passed
/// the gate. `Ok(None)` when the contact turned out not diallable (taken by
/// another call, erased, no number).
pub(crate) async fn place(
    engine: &Engine,
    telephony: &Arc<dyn Telephony>,
    call: &CampaignCall,
    candidate: &trustline_store::DialCandidate,
    agent: Option<UserId>,
) -> Result<Option<i64>, CallError> {
    let Some(number) = number_of(engine, call.tenant, candidate.contact_id).await? else { return Ok(None) };
    let now = engine.time.now();
    let attempts = gate::record(gate::history(candidate.attempts.as_ref()).dialled(now), &call.settings, None);
    let agent_move = match agent {
        Some(agent) => Some(agent_move(engine, call.tenant, agent, AgentEvent::Offer, "offer").await?),
        None => None,
    };
    let new = NewCall {
        tenant_id: call.tenant,
        direction: CallDirection::Outbound,
        campaign_id: Some(call.campaign),
        queue_id: None,
        contact_id: Some(candidate.contact_id),
        agent_id: agent,
        mode: CallMode::Dialing(call.settings.mode),
        state: CallState::Ringing,
        at: now,
        transferred_from: None,
        owner_node: None,
        fence: None,
    };
    // The dialer reads the number: an access to personal data, audited.
    let audit = AuditDraft::new(now, call.tenant.0, "system", AuditAction::CallPlace, subject_label(candidate.contact_id))
        .detail("campaign", call.campaign.to_string())
        .detail("mode", call.settings.mode.as_str());
    let id = match engine.world.open_call(new, Some(attempts), agent_move.clone(), audit).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if let Some(m) = &agent_move {
        agent_moves::publish(engine, m).await;
    }
    publish_call(engine, call.tenant, id, Origin::campaign(call.campaign), agent, CallState::Ringing, None).await;
    ring(engine, telephony, call, id, number, agent).await?;
    Ok(Some(id))
}

/// Dials a recorded call and follows it in the background.
pub(crate) async fn ring(
    engine: &Engine,
    telephony: &Arc<dyn Telephony>,
    call: &CampaignCall,
    id: i64,
    number: String,
    agent: Option<UserId>,
) -> Result<(), CallError> {
    let request =
        DialRequest { tenant: call.tenant, to: number, caller_id: call.settings.caller_id.as_ref().map(|c| c.as_str().to_owned()) };
    let leg = match telephony.dial(request).await {
        Ok(leg) => leg,
        Err(error) => {
            tracing::warn!(%error, call = id, "the carrier refused a call");
            return end_unreached(engine, call.tenant, Origin::campaign(call.campaign), id, CallState::Ringing, CallResult::Failed, agent)
                .await;
        }
    };
    let line = leg.id;
    engine.track_leg(id, line);
    match agent {
        // The agent hears the line ring, and any early media, from the start.
        Some(agent) => engine.join_desk(leg.id, call.tenant, agent).await,
        None => engine.ringing(call.campaign, id, true).await,
    }
    let (engine, call) = (engine.clone(), call.clone());
    tokio::spawn(async move {
        if let Err(error) = follow(&engine, &call, id, leg, agent).await {
            tracing::warn!(%error, call = id, "a call could not be followed to its end");
        }
        engine.forget_leg(line);
        engine.wake();
    });
    Ok(())
}

async fn follow(engine: &Engine, call: &CampaignCall, id: i64, mut leg: CallLeg, agent: Option<UserId>) -> Result<(), CallError> {
    let origin = Origin::campaign(call.campaign);
    let placed = engine.time.millis();
    let first = leg.settled().await;
    if agent.is_none() {
        engine.ringing(call.campaign, id, false).await;
    }
    let ring_ms = u32::try_from(engine.time.millis().saturating_sub(placed)).unwrap_or(u32::MAX);
    engine.record_attempt(call.campaign, first == Settlement::Answered, ring_ms).await;
    match first {
        Settlement::Answered => {}
        Settlement::Failed(failure) => {
            let ended = end_unreached(engine, call.tenant, origin, id, CallState::Ringing, failure_result(failure), agent);
            return unless_ended_meanwhile(ended.await);
        }
        Settlement::Gone => {
            let ended = end_unreached(engine, call.tenant, origin, id, CallState::Ringing, CallResult::Failed, agent);
            return unless_ended_meanwhile(ended.await);
        }
    }
    let from = match agent {
        Some(_) => CallState::Ringing,
        None => {
            let waiting = CallChange::new(call.tenant, id, CallState::Ringing, CallState::Answered, engine.time.now());
            change(engine, waiting, origin, None).await?;
            CallState::Answered
        }
    };
    let taken_by = match agent {
        Some(agent) => Some(agent),
        None => wait_for_agent(engine, call, id).await,
    };
    let now = engine.time.now();
    engine.record_answer(call.campaign, now, taken_by.is_none()).await;
    let Some(agent) = taken_by else {
        // Nobody free within the allowed wait: abandoned, and counted against the cap.
        let _gone = engine.hang_up(leg.id).await;
        return end_unreached(engine, call.tenant, origin, id, CallState::Answered, CallResult::Abandoned, None).await;
    };
    match connect(engine, call.tenant, id, from, agent, origin).await {
        // The agent cancelled the dial as the person answered: the line is gone.
        Err(CallError::Store(StoreError::Conflict(_))) => return Ok(()),
        connected => connected?,
    }
    if taken_by_reservation(from) {
        engine.join_desk(leg.id, call.tenant, agent).await;
    }
    crate::line::follow(engine, call.tenant, leg.id, &mut leg.progress).await;
    Ok(())
}

/// Follows a call `agent` placed from their desk (a callback, a manual
/// call), recorded as `id` in `Ringing`, in the background: the agent hears
/// it ring; answered, they are joined; otherwise it ends with why.
pub(crate) async fn follow_placed(engine: &Engine, tenant: TenantId, id: i64, origin: Origin, agent: UserId, mut leg: CallLeg) {
    let line = leg.id;
    engine.track_leg(id, line);
    engine.join_desk(line, tenant, agent).await;
    let engine = engine.clone();
    tokio::spawn(async move {
        let ended = |result| end_unreached(&engine, tenant, origin, id, CallState::Ringing, result, Some(agent));
        let followed = match leg.settled().await {
            Settlement::Answered => match connect(&engine, tenant, id, CallState::Ringing, agent, origin).await {
                Ok(()) => {
                    crate::line::follow(&engine, tenant, line, &mut leg.progress).await;
                    Ok(())
                }
                // The agent cancelled as the person answered: the line is gone.
                Err(CallError::Store(StoreError::Conflict(_))) => Ok(()),
                Err(error) => Err(error),
            },
            Settlement::Failed(failure) => unless_ended_meanwhile(ended(failure_result(failure)).await),
            Settlement::Gone => unless_ended_meanwhile(ended(CallResult::Failed).await),
        };
        if let Err(error) = followed {
            tracing::warn!(%error, call = id, "a call placed from a desk could not be followed to its end");
        }
        engine.forget_leg(line);
        engine.wake();
    });
}

/// Whether the agent was found for the call after the answer (predictive),
/// rather than dialling it themselves and hearing it ring.
fn taken_by_reservation(from: CallState) -> bool {
    from == CallState::Answered
}

/// A call its agent already ended (a dial cancelled, a conversation hung
/// up) is not ended again by the line's follower.
fn unless_ended_meanwhile(result: Result<(), CallError>) -> Result<(), CallError> {
    match result {
        Err(CallError::Store(StoreError::Conflict(_))) => Ok(()),
        other => other,
    }
}

/// Reserves `agent` (whose state on record is `status`) for a call of
/// `origin`: the offer move, audited and published. `Conflict` if the agent
/// moved since `status` was read.
pub(crate) async fn reserve_agent(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    status: Option<&trustline_store::AgentStatus>,
    origin: Origin,
) -> Result<(), CallError> {
    let offer = agent_moves::plan(tenant, agent, status, AgentEvent::Offer, "offer", engine.time.now())?;
    let mut audit = AuditDraft::new(offer.at, tenant.0, "system", AuditAction::AgentOffer, format!("user:{agent}"));
    if let Some(campaign) = origin.campaign {
        audit = audit.detail("campaign", campaign.to_string());
    }
    if let Some(queue) = origin.queue {
        audit = audit.detail("queue", queue.to_string());
    }
    engine.world.move_agent(offer.clone(), audit).await?;
    agent_moves::publish(engine, &offer).await;
    Ok(())
}

/// Waits for the engine to give the answered call an agent, until the
/// campaign's allowed wait is over.
async fn wait_for_agent(engine: &Engine, call: &CampaignCall, id: i64) -> Option<UserId> {
    let mut taken = engine.answered.wait(call.tenant, call.campaign, id);
    engine.wake();
    let deadline = engine.time.millis().saturating_add(u64::from(call.settings.abandonment.max_wait_ms));
    tokio::select! {
        biased;
        agent = &mut taken => agent.ok(),
        () = engine.time.alarm_at(deadline) => {
            if engine.answered.give_up(id) {
                None
            } else {
                // Given an agent at the last moment.
                taken.await.ok()
            }
        }
    }
}

/// The result of a call the carrier reports as reaching nobody.
pub(crate) fn failure_result(failure: CallFailure) -> CallResult {
    match failure {
        CallFailure::Busy => CallResult::Busy,
        CallFailure::NoAnswer => CallResult::NoAnswer,
        CallFailure::Machine => CallResult::Machine,
        CallFailure::Rejected => CallResult::Rejected,
        CallFailure::CarrierFailure => CallResult::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_a_call_reaches_nobody_has_its_own_result() {
        let results = [CallFailure::Busy, CallFailure::NoAnswer, CallFailure::Machine, CallFailure::Rejected, CallFailure::CarrierFailure]
            .map(failure_result);
        assert_eq!(results, [CallResult::Busy, CallResult::NoAnswer, CallResult::Machine, CallResult::Rejected, CallResult::Failed]);
    }
}
