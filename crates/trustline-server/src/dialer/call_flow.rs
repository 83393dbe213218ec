//! One outbound call from dialling to the end of the conversation: the call
//! is recorded, the number dialled through the telephony port, and the
//! carrier's progress turned into the call's and the agent's moves. An
//! answered call placed ahead of agents gets the longest-idle free agent
//! within the campaign's allowed wait, or is abandoned.

use super::{Dialer, gate};
use crate::agent_moves::{self, MoveError};
use crate::live::LiveEvent;
use crate::state::AppState;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentEvent;
use trustline_domain::dialing::CampaignSettings;
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{AuditAction, ContactId, TenantId, UserId};
use trustline_store::{AgentMove, CallChange, CallDirection, CallState, NewCall, StoreError};
use trustline_telephony::{CallLeg, CallProgress, DialRequest, Telephony};
use trustline_vault::subject_label;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error(transparent)]
    Contact(#[from] trustline_vault::VaultError),
}

/// How often a waiting answered call looks for a free agent.
const AGENT_POLL: Duration = Duration::from_millis(100);

/// A campaign call as the flow needs it.
#[derive(Clone)]
pub(crate) struct CampaignCall {
    pub tenant: TenantId,
    pub campaign: i64,
    pub settings: Arc<CampaignSettings>,
}

/// Where a call comes from: its campaign or its queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    pub campaign: Option<i64>,
    pub queue: Option<i64>,
}

impl Origin {
    pub fn campaign(id: i64) -> Self {
        Self { campaign: Some(id), queue: None }
    }

    pub fn queue(id: i64) -> Self {
        Self { campaign: None, queue: Some(id) }
    }

    pub fn of(call: &trustline_store::CallRecord) -> Self {
        Self { campaign: call.campaign_id, queue: call.queue_id }
    }
}

/// Tells live views about a call's new state. Holds no personal data.
pub(crate) async fn publish_call(
    state: &AppState,
    tenant: TenantId,
    call: i64,
    origin: Origin,
    agent: Option<UserId>,
    to: CallState,
    result: Option<&str>,
) {
    let data = json!({
        "id": call,
        "campaign_id": origin.campaign,
        "queue_id": origin.queue,
        "agent_id": agent.map(|a| a.0),
        "state": to.as_str(),
        "result": result,
    });
    state.live.publish(LiveEvent { tenant, kind: "call".into(), data }).await;
}

/// The move `event` makes for `agent` from their state on record.
pub(crate) async fn agent_move(
    state: &AppState,
    tenant: TenantId,
    agent: UserId,
    event: AgentEvent,
    name: &str,
) -> Result<AgentMove, CallError> {
    let status = state.store.agent_status(tenant, agent).await?;
    Ok(agent_moves::plan(tenant, agent, status.as_ref(), event, name, state.clock.now())?)
}

/// The number to dial: the contact's first, and nothing else of it
/// decrypted. `None` for an erased contact or one without a number.
pub(crate) async fn number_of(state: &AppState, tenant: TenantId, contact: ContactId) -> Result<Option<String>, CallError> {
    Ok(state.vault.number_to_dial(tenant, contact).await?.map(|number| number.as_str().to_owned()))
}

/// Moves a call on, with the agent's move, and tells live views.
pub(crate) async fn change(state: &AppState, change: CallChange, origin: Origin, audit: Option<AuditDraft>) -> Result<(), CallError> {
    let (tenant, call, from, to, result, agent_move) =
        (change.tenant_id, change.call_id, change.from, change.to, change.result.clone(), change.agent_move.clone());
    // A call back in its queue is nobody's.
    let agent = if to == CallState::Queued { None } else { agent_move.as_ref().map(|m| m.user_id).or(change.agent_id) };
    state.store.change_call(change, audit).await?;
    if let Some(m) = &agent_move {
        agent_moves::publish(state, m).await;
    }
    publish_call(state, tenant, call, origin, agent, to, result.as_deref()).await;
    // The call is over (a preview passed over was never a call).
    let ended = to == CallState::WrapUp || (to == CallState::Done && from != CallState::WrapUp && result.as_deref() != Some("skipped"));
    if ended && let Some(record) = state.store.call(tenant, call).await? {
        let data = json!({
            "call_id": record.id,
            "direction": record.direction.as_str(),
            "campaign_id": record.campaign_id,
            "queue_id": record.queue_id,
            "contact_id": record.contact_id.map(|c| c.0),
            "agent_id": record.agent_id.map(|a| a.0),
            "result": record.result,
            "offered_at": record.offered_at,
            "connected_at": record.connected_at,
            "ended_at": record.ended_at,
        });
        crate::webhooks::publish(state, tenant, WebhookEvent::InteractionFinished, data).await;
    }
    Ok(())
}

/// A call that reached nobody (or was lost): it ends, the contact is left
/// to retry later (its attempt already counts), and an agent waiting for
/// it is free again.
pub(crate) async fn end_unreached(
    state: &AppState,
    tenant: TenantId,
    origin: Origin,
    id: i64,
    from: CallState,
    result: &str,
    agent: Option<UserId>,
) -> Result<(), CallError> {
    let agent_move = match agent {
        Some(agent) => Some(agent_move(state, tenant, agent, AgentEvent::Withdraw, "withdraw").await?),
        None => None,
    };
    let ended =
        CallChange { result: Some(result.to_owned()), agent_move, ..CallChange::new(tenant, id, from, CallState::Done, state.clock.now()) };
    change(state, ended, origin, None).await
}

/// Places a call to `contact` for `agent` (progressive, preview, personal
/// callback) or ahead of agents (`None`, predictive). The caller has passed
/// the gate. `Ok(None)` when the contact turned out not diallable (taken by
/// another call, erased, no number).
pub(crate) async fn place(
    state: &AppState,
    dialer: &Arc<Dialer>,
    telephony: &Arc<dyn Telephony>,
    call: &CampaignCall,
    candidate: &trustline_store::DialCandidate,
    agent: Option<UserId>,
) -> Result<Option<i64>, CallError> {
    let Some(number) = number_of(state, call.tenant, candidate.contact_id).await? else { return Ok(None) };
    let now = state.clock.now();
    let attempts = gate::record(gate::history(candidate.attempts.as_ref()).dialled(now), &call.settings, None);
    let agent_move = match agent {
        Some(agent) => Some(agent_move(state, call.tenant, agent, AgentEvent::Offer, "offer").await?),
        None => None,
    };
    let new = NewCall {
        tenant_id: call.tenant,
        direction: CallDirection::Outbound,
        campaign_id: Some(call.campaign),
        queue_id: None,
        contact_id: Some(candidate.contact_id),
        agent_id: agent,
        mode: call.settings.mode.as_str().into(),
        state: CallState::Ringing,
        at: now,
    };
    // The dialer reads the number: an access to personal data, audited.
    let audit = AuditDraft::new(now, call.tenant.0, "system", AuditAction::CallPlace, subject_label(candidate.contact_id))
        .detail("campaign", call.campaign.to_string())
        .detail("mode", call.settings.mode.as_str());
    let id = match state.store.open_call(new, Some(attempts), agent_move.clone(), audit).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if let Some(m) = &agent_move {
        agent_moves::publish(state, m).await;
    }
    publish_call(state, call.tenant, id, Origin::campaign(call.campaign), agent, CallState::Ringing, None).await;
    ring(state, dialer, telephony, call, id, number, agent).await?;
    Ok(Some(id))
}

/// Dials a recorded call and follows it in the background.
pub(crate) async fn ring(
    state: &AppState,
    dialer: &Arc<Dialer>,
    telephony: &Arc<dyn Telephony>,
    call: &CampaignCall,
    id: i64,
    number: String,
    agent: Option<UserId>,
) -> Result<(), CallError> {
    let request = DialRequest { to: number, caller_id: call.settings.caller_id.as_ref().map(|c| c.as_str().to_owned()) };
    let leg = match telephony.dial(request).await {
        Ok(leg) => leg,
        Err(error) => {
            tracing::warn!(%error, call = id, "the carrier refused a call");
            return end_unreached(state, call.tenant, Origin::campaign(call.campaign), id, CallState::Ringing, "failed", agent).await;
        }
    };
    dialer.track_leg(id, leg.id);
    if agent.is_none() {
        dialer.ringing(call.campaign, id, true).await;
    }
    let (state, dialer, call) = (state.clone(), dialer.clone(), call.clone());
    tokio::spawn(async move {
        if let Err(error) = follow(&state, &dialer, &call, id, leg, agent).await {
            tracing::warn!(%error, call = id, "a call could not be followed to its end");
        }
        dialer.forget_leg(id);
        dialer.wake();
    });
    Ok(())
}

async fn follow(
    state: &AppState,
    dialer: &Arc<Dialer>,
    call: &CampaignCall,
    id: i64,
    mut leg: CallLeg,
    agent: Option<UserId>,
) -> Result<(), CallError> {
    let placed = Instant::now();
    let first = leg.progress.recv().await;
    if agent.is_none() {
        dialer.ringing(call.campaign, id, false).await;
    }
    let ring_ms = u32::try_from(placed.elapsed().as_millis()).unwrap_or(u32::MAX);
    dialer.record_attempt(call.campaign, first == Some(CallProgress::Answered), ring_ms).await;
    match first {
        Some(CallProgress::Answered) => {}
        Some(CallProgress::Failed(failure)) => {
            let ended = end_unreached(state, call.tenant, Origin::campaign(call.campaign), id, CallState::Ringing, failure.as_str(), agent);
            return unless_ended_meanwhile(ended.await);
        }
        Some(CallProgress::RemoteHangUp) | None => {
            let ended = end_unreached(state, call.tenant, Origin::campaign(call.campaign), id, CallState::Ringing, "failed", agent);
            return unless_ended_meanwhile(ended.await);
        }
    }
    let from = match agent {
        Some(_) => CallState::Ringing,
        None => {
            let waiting = CallChange::new(call.tenant, id, CallState::Ringing, CallState::Answered, state.clock.now());
            change(state, waiting, Origin::campaign(call.campaign), None).await?;
            CallState::Answered
        }
    };
    let taken_by = match agent {
        Some(agent) => Some(agent),
        None => find_agent(state, call).await?,
    };
    let now = state.clock.now();
    dialer.record_answer(call.campaign, now, taken_by.is_none()).await;
    let Some(agent) = taken_by else {
        // Nobody free within the allowed wait: abandoned, and counted against the cap.
        let _gone = dialer.hang_up(leg.id).await;
        return end_unreached(state, call.tenant, Origin::campaign(call.campaign), id, CallState::Answered, "abandoned", None).await;
    };
    let origin = Origin::campaign(call.campaign);
    match connect(state, call.tenant, id, from, agent, origin).await {
        // The agent cancelled the dial as the person answered: the line is gone.
        Err(CallError::Store(StoreError::Conflict(_))) => return Ok(()),
        connected => connected?,
    }
    converse(state, call.tenant, id, agent, origin, &mut leg.progress).await
}

/// A call its agent already ended (a dial cancelled, a conversation hung
/// up) is not ended again by the line's follower.
fn unless_ended_meanwhile(result: Result<(), CallError>) -> Result<(), CallError> {
    match result {
        Err(CallError::Store(StoreError::Conflict(_))) => Ok(()),
        other => other,
    }
}

/// Joins `agent` to the call, which is in `from`. The agent now sees the
/// contact unmasked: audited.
pub(crate) async fn connect(
    state: &AppState,
    tenant: TenantId,
    id: i64,
    from: CallState,
    agent: UserId,
    origin: Origin,
) -> Result<(), CallError> {
    let now = state.clock.now();
    let connect = CallChange {
        agent_id: Some(agent),
        agent_move: Some(agent_move(state, tenant, agent, AgentEvent::Connect, "connect").await?),
        ..CallChange::new(tenant, id, from, CallState::Connected, now)
    };
    let audit = AuditDraft::new(now, tenant.0, "system", AuditAction::CallConnect, format!("call:{id}")).detail("agent", agent.to_string());
    change(state, connect, origin, Some(audit)).await
}

/// The conversation: it ends when the person hangs up (or the agent does,
/// through the API, which closes `progress`).
pub(crate) async fn converse(
    state: &AppState,
    tenant: TenantId,
    id: i64,
    agent: UserId,
    origin: Origin,
    progress: &mut tokio::sync::mpsc::Receiver<CallProgress>,
) -> Result<(), CallError> {
    while let Some(event) = progress.recv().await {
        if event == CallProgress::RemoteHangUp {
            break;
        }
    }
    unless_ended_meanwhile(remote_hang_up(state, tenant, id, agent, origin).await)
}

/// The conversation is over: the call goes to wrap-up with its agent.
pub(crate) async fn remote_hang_up(state: &AppState, tenant: TenantId, id: i64, agent: UserId, origin: Origin) -> Result<(), CallError> {
    let ended = CallChange {
        result: Some("person".into()),
        agent_move: Some(agent_move(state, tenant, agent, AgentEvent::HangUp, "hang_up").await?),
        ..CallChange::new(tenant, id, CallState::Connected, CallState::WrapUp, state.clock.now())
    };
    change(state, ended, origin, None).await
}

/// Reserves `agent` (whose state on record is `status`) for a call of
/// `origin`: the offer move, audited and published. `Conflict` if the agent
/// moved since `status` was read.
pub(crate) async fn reserve_agent(
    state: &AppState,
    tenant: TenantId,
    agent: UserId,
    status: Option<&trustline_store::AgentStatus>,
    origin: Origin,
) -> Result<(), CallError> {
    let offer = agent_moves::plan(tenant, agent, status, AgentEvent::Offer, "offer", state.clock.now())?;
    let mut audit = AuditDraft::new(offer.at, tenant.0, "system", AuditAction::AgentOffer, format!("user:{agent}"));
    if let Some(campaign) = origin.campaign {
        audit = audit.detail("campaign", campaign.to_string());
    }
    if let Some(queue) = origin.queue {
        audit = audit.detail("queue", queue.to_string());
    }
    state.store.move_agent(offer.clone(), audit).await?;
    agent_moves::publish(state, &offer).await;
    Ok(())
}

/// Reserves the longest-idle free agent for an answered call, trying until
/// the campaign's allowed wait is over.
async fn find_agent(state: &AppState, call: &CampaignCall) -> Result<Option<UserId>, CallError> {
    let deadline = Instant::now() + Duration::from_millis(u64::from(call.settings.abandonment.max_wait_ms));
    loop {
        let statuses = state.store.agent_statuses(call.tenant).await?;
        for status in super::longest_idle_first(&statuses) {
            match reserve_agent(state, call.tenant, status.user_id, Some(status), Origin::campaign(call.campaign)).await {
                Ok(()) => return Ok(Some(status.user_id)),
                Err(CallError::Store(StoreError::Conflict(_))) => continue, // taken meanwhile
                Err(e) => return Err(e),
            }
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(AGENT_POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
    }
}
