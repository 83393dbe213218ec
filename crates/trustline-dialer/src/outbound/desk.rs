//! The agent's side of outbound work: ask for the next contact of a preview
//! campaign, dial it or skip it, hang up, and set the disposition (with a
//! note and a callback). Every step moves the call and the agent together.

use super::call_flow::CallError;
use super::call_flow::{self, agent_move};
use super::campaign_run::CampaignCall;
use super::campaign_run::{campaign_call, run_of, running};
use super::gate;
use crate::engine::Engine;
use crate::news::{News, Origin};
use trustline_audit::AuditDraft;
use trustline_domain::CallResult;
use trustline_domain::agent::AgentEvent;
use trustline_domain::dialing::{CampaignSettings, CampaignStatus, DialingMode, Disposition, DispositionOutcome};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{AuditAction, ContactId, TenantId, UnixTime, UserId};
use trustline_store::{AttemptRecord, CallChange, CallDirection, CallDisposition, CallMode, CallRecord, CallState, StoreError};
use trustline_telephony::{DtmfDigits, TelephonyError};
use trustline_vault::subject_label;

/// Offers the agent the next contact of a running preview campaign; `None`
/// when no contact is diallable now. The agent must be available.
pub async fn offer_next(engine: &Engine, tenant: TenantId, agent: UserId) -> Result<Option<i64>, CallError> {
    let offer = agent_move(engine, tenant, agent, AgentEvent::Offer, "offer").await?;
    let campaigns = running(tenant, engine.world.campaigns(tenant).await?);
    for call in campaigns.into_iter().filter(|c| c.settings.mode == DialingMode::Preview) {
        let now = engine.time.now();
        let settings = &call.settings;
        let candidate = {
            let mut runs = engine.runs.lock().await;
            run_of(&mut runs, engine.world.as_ref(), &call, now)
                .await?
                .next(engine.world.as_ref(), tenant, call.campaign, settings, now)
                .await?
        };
        let Some(candidate) = candidate else { continue };
        if candidate.attempts.as_ref().and_then(|a| a.callback_agent).is_some_and(|owner| owner != agent) {
            continue;
        }
        let held =
            gate::record(gate::history(candidate.attempts.as_ref()), settings, candidate.attempts.as_ref().and_then(|a| a.callback_agent));
        let new = trustline_store::NewCall {
            tenant_id: tenant,
            direction: CallDirection::Outbound,
            campaign_id: Some(call.campaign),
            queue_id: None,
            contact_id: Some(candidate.contact_id),
            agent_id: Some(agent),
            mode: CallMode::Dialing(settings.mode),
            state: CallState::Offered,
            at: now,
            transferred_from: None,
            owner_node: None,
            fence: None,
        };
        let audit = AuditDraft::new(now, tenant.0, format!("user:{agent}"), AuditAction::CallOffer, subject_label(candidate.contact_id))
            .detail("campaign", call.campaign.to_string());
        match engine.world.open_call(new, Some(held), Some(offer.clone()), audit).await {
            Ok(id) => {
                crate::agent_moves::publish(engine, &offer).await;
                call_flow::publish_call(engine, tenant, id, Origin::campaign(call.campaign), Some(agent), CallState::Offered, None).await;
                return Ok(Some(id));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// Why an agent's step on a call is refused.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no such call of yours")]
    NotFound,
    #[error("the call is {0}; this step needs it {1}")]
    WrongState(&'static str, &'static str),
    #[error("the contact may not be dialled now: {0}")]
    NotDiallable(String),
    #[error("no telephony is configured on this server")]
    NoTelephony,
    #[error("the call's line has ended")]
    LineGone,
    #[error("this call is a preview of an outbound contact: dial or skip it")]
    Preview,
    #[error("this call is an incoming caller: accept or decline it")]
    Incoming,
    #[error("no such {0}")]
    NoSuch(&'static str),
    #[error("the call cannot be handed on there now: {0}")]
    TargetUnavailable(&'static str),
    #[error(transparent)]
    Call(#[from] CallError),
    #[error(transparent)]
    Telephony(#[from] TelephonyError),
}

impl From<StoreError> for DeskError {
    fn from(e: StoreError) -> Self {
        DeskError::Call(CallError::Store(e))
    }
}

/// The agent's own call, in `expected` state.
pub async fn own_call(engine: &Engine, tenant: TenantId, agent: UserId, id: i64, expected: CallState) -> Result<CallRecord, DeskError> {
    let call = engine.world.call(tenant, id).await?.filter(|c| c.agent_id == Some(agent)).ok_or(DeskError::NotFound)?;
    if call.state != expected {
        return Err(DeskError::WrongState(call.state.as_str(), expected.as_str()));
    }
    Ok(call)
}

/// The agent's previewed contact (an incoming call is accepted or declined instead).
async fn preview(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<CallRecord, DeskError> {
    let call = own_call(engine, tenant, agent, id, CallState::Offered).await?;
    if call.campaign_id.is_none() {
        return Err(DeskError::Incoming);
    }
    Ok(call)
}

async fn campaign_of(engine: &Engine, tenant: TenantId, call: &CallRecord) -> Result<CampaignCall, DeskError> {
    let id = call.campaign_id.ok_or(DeskError::NotFound)?;
    let campaign = engine.world.campaign(tenant, id).await?.ok_or(DeskError::NotFound)?;
    if campaign.status != CampaignStatus::Running {
        return Err(DeskError::NotDiallable(format!("the campaign is {}", campaign.status.as_str())));
    }
    Ok(campaign_call(tenant, campaign))
}

/// Dials a previewed contact, after the gate says it may be dialled now.
pub async fn dial(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = preview(engine, tenant, agent, id).await?;
    let telephony = engine.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let campaign = campaign_of(engine, tenant, &call).await?;
    let contact = call.contact_id.ok_or(DeskError::NotFound)?;
    let candidate = engine.world.dial_candidate(tenant, campaign.campaign, contact).await?.ok_or(DeskError::NotFound)?;
    let now = engine.time.now();
    gate::check(&candidate, &campaign.settings, now).map_err(|e| DeskError::NotDiallable(e.to_string()))?;
    let number =
        call_flow::number_of(engine, tenant, contact).await?.ok_or_else(|| DeskError::NotDiallable("the contact has no number".into()))?;
    let dialled = gate::record(gate::history(candidate.attempts.as_ref()).dialled(now), &campaign.settings, None);
    // The agent's own call: its ringing reaches their desk.
    let change = CallChange {
        attempts: Some(dialled),
        agent_id: Some(agent),
        ..CallChange::new(tenant, id, CallState::Offered, CallState::Ringing, now)
    };
    let audit = AuditDraft::new(now, tenant.0, format!("user:{agent}"), AuditAction::CallPlace, subject_label(contact))
        .detail("call", id.to_string());
    call_flow::change(engine, change, Origin::campaign(campaign.campaign), Some(audit)).await?;
    call_flow::ring(engine, &telephony, &campaign, id, number, Some(agent)).await?;
    Ok(())
}

/// The agent gives up on a call they dialled before anyone answers: the
/// attempt ends as `cancelled` (it counts as an attempt) and the agent is
/// free again. Ended first, so the line's follower finds it over.
pub async fn cancel(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = own_call(engine, tenant, agent, id, CallState::Ringing).await?;
    call_flow::end_unreached(engine, tenant, Origin::of(&call), id, CallState::Ringing, CallResult::Cancelled, Some(agent)).await?;
    if let Some(leg) = engine.leg_of(id) {
        engine.hang_up(leg).await;
    }
    Ok(())
}

/// Passes on a previewed contact without dialling; it stays in the campaign.
pub async fn skip(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = preview(engine, tenant, agent, id).await?;
    let change = CallChange {
        result: Some(CallResult::Skipped),
        agent_move: Some(agent_move(engine, tenant, agent, AgentEvent::Withdraw, "withdraw").await?),
        ..CallChange::new(tenant, id, CallState::Offered, CallState::Done, engine.time.now())
    };
    call_flow::change(engine, change, Origin::of(&call), None).await?;
    engine.wake();
    Ok(())
}

/// The agent ends the conversation: the call goes to wrap-up.
pub async fn hang_up(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = own_call(engine, tenant, agent, id, CallState::Connected).await?;
    // Ended first, so the line's follower finds it over.
    call_flow::remote_hang_up(engine, tenant, id, agent, Origin::of(&call)).await?;
    if let Some(leg) = engine.leg_of(id) {
        engine.hang_up(leg).await;
    }
    Ok(())
}

/// The agent puts the person on hold (`on`) or takes them back. The call
/// stays connected; hold time is kept for handle-time reports.
pub async fn hold(engine: &Engine, tenant: TenantId, agent: UserId, id: i64, on: bool) -> Result<(), DeskError> {
    let call = own_call(engine, tenant, agent, id, CallState::Connected).await?;
    if call.held_since.is_some() == on {
        let (is, needs) = if on { ("on hold already", "off hold") } else { ("not on hold", "on hold") };
        return Err(DeskError::WrongState(is, needs));
    }
    let telephony = engine.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let leg = engine.leg_of(id).ok_or(DeskError::LineGone)?;
    let now = engine.time.now();
    let action = if on { AuditAction::CallHold } else { AuditAction::CallResume };
    let audit = AuditDraft::new(now, tenant.0, format!("user:{agent}"), action, format!("call:{id}"));
    engine.world.hold_call(trustline_store::CallHold { tenant_id: tenant, call_id: id, on, at: now }, audit).await?;
    // The person hung up meanwhile: their line's follower ends the conversation.
    let _held = telephony.hold(leg, on).await;
    Ok(())
}

/// The agent presses `keys` on their dial pad: they are played to the
/// person (a menu at the other end). The keys themselves are never kept
/// or logged: they may be a PIN.
pub async fn send_keys(engine: &Engine, tenant: TenantId, agent: UserId, id: i64, keys: &DtmfDigits) -> Result<(), DeskError> {
    own_call(engine, tenant, agent, id, CallState::Connected).await?;
    let telephony = engine.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let leg = engine.leg_of(id).ok_or(DeskError::LineGone)?;
    match telephony.send_dtmf(leg, keys).await {
        Err(TelephonyError::UnknownCall) => Err(DeskError::LineGone),
        sent => Ok(sent?),
    }
}

/// What closes a call's wrap-up: its disposition code, what that means
/// for the contact, and (campaign calls) the contact's attempts after it.
pub(super) struct Closing {
    pub code: String,
    pub outcome: DispositionOutcome,
    pub attempts: Option<AttemptRecord>,
}

/// How a campaign call was concluded, for the contact's next attempt.
pub(super) struct Concluded {
    pub outcome: DispositionOutcome,
    pub callback_at: Option<UnixTime>,
    /// A personal callback's agent.
    pub owner: Option<UserId>,
}

/// The contact's attempts in `campaign_id` once this call is concluded.
pub(super) async fn attempts_after(
    engine: &Engine,
    call: &CallRecord,
    campaign_id: i64,
    contact: ContactId,
    settings: &CampaignSettings,
    concluded: Concluded,
) -> Result<AttemptRecord, DeskError> {
    let attempts = engine.world.attempts(call.tenant_id, campaign_id, contact).await?;
    let history = gate::history(attempts.as_ref()).concluded(concluded.outcome, concluded.callback_at);
    Ok(gate::record(history, settings, concluded.owner))
}

/// The audit event of setting `code` on `call`, by `actor`.
pub(super) fn disposition_audit(call: &CallRecord, actor: String, code: &str, at: UnixTime) -> AuditDraft {
    let target = call.contact_id.map_or_else(|| format!("call:{}", call.id), subject_label);
    AuditDraft::new(at, call.tenant_id.0, actor, AuditAction::CallDisposition, target)
        .detail("call", call.id.to_string())
        .detail("disposition", code.to_owned())
}

/// Closes the wrap-up of `call` (its agent's): the disposition is recorded
/// with `audit`, the agent is made available, and live views, webhooks and
/// the dialer's handle-time figures hear of it.
pub(super) async fn close_wrap_up(
    engine: &Engine,
    agent: UserId,
    call: &CallRecord,
    closing: Closing,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    let (tenant, id, now) = (call.tenant_id, call.id, audit.at);
    let agent_move = agent_move(engine, tenant, agent, AgentEvent::Disposition, "disposition").await?;
    let outcome = closing.outcome;
    let set = CallDisposition {
        tenant_id: tenant,
        call_id: id,
        code: closing.code.clone(),
        outcome,
        at: now,
        attempts: closing.attempts,
        agent_move: agent_move.clone(),
    };
    engine.world.dispose_call(set, audit).await?;
    crate::agent_moves::publish(engine, &agent_move).await;
    call_flow::publish_call(engine, tenant, id, Origin::of(call), Some(agent), CallState::Done, call.result).await;
    let data = serde_json::json!({
        "call_id": id,
        "direction": call.direction.as_str(),
        "campaign_id": call.campaign_id,
        "queue_id": call.queue_id,
        "contact_id": call.contact_id.map(|c| c.0),
        "agent_id": agent.0,
        "disposition": closing.code,
        "outcome": outcome.as_str(),
        "disposed_at": now,
    });
    engine.world.announce(News::Webhook { tenant, event: WebhookEvent::DispositionSet, data }).await;
    if let (Some(campaign_id), Some(connected), Some(ended)) = (call.campaign_id, call.connected_at, call.ended_at) {
        let ms = |seconds: i64| u32::try_from(seconds.max(0).saturating_mul(1000)).unwrap_or(u32::MAX);
        engine.record_handled(campaign_id, ms(ended - connected), ms(now - ended)).await;
    }
    engine.wake();
    Ok(())
}

/// A disposition as the agent sets it.
pub struct DispositionRequest {
    pub code: String,
    pub callback_at: Option<UnixTime>,
    /// A callback only this agent takes.
    pub personal: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DispositionError {
    #[error("unknown disposition {0:?}; this call's campaign or queue has: {1}")]
    Unknown(String, String),
    #[error(transparent)]
    Callback(#[from] trustline_domain::dialing::CallbackError),
    #[error(transparent)]
    Desk(#[from] DeskError),
}

/// The disposition chosen among `offered`.
fn chosen<'a>(offered: &'a [Disposition], code: &str) -> Result<&'a Disposition, DispositionError> {
    offered
        .iter()
        .find(|d| d.code == code)
        .ok_or_else(|| DispositionError::Unknown(code.to_owned(), offered.iter().map(|d| d.code.as_str()).collect::<Vec<_>>().join(", ")))
}

/// Sets the disposition of the agent's call in wrap-up: for a campaign
/// call the contact's place in the campaign follows its outcome; an inbound
/// call takes one of its queue's dispositions. The agent is available again.
/// Returns the outcome.
pub async fn dispose(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    request: &DispositionRequest,
) -> Result<(CallRecord, DispositionOutcome), DispositionError> {
    let call = own_call(engine, tenant, agent, id, CallState::WrapUp).await?;
    let now = engine.time.now();
    let (disposition, attempts) = match (call.campaign_id, call.queue_id) {
        (Some(campaign_id), _) => {
            let campaign = engine.world.campaign(tenant, campaign_id).await.map_err(DeskError::from)?.ok_or(DeskError::NotFound)?;
            let settings = campaign.settings;
            let disposition = chosen(&settings.dispositions, &request.code)?.clone();
            trustline_domain::dialing::check_callback(disposition.outcome, request.callback_at, now)?;
            let contact = call.contact_id.ok_or(DeskError::NotFound)?;
            let concluded =
                Concluded { outcome: disposition.outcome, callback_at: request.callback_at, owner: request.personal.then_some(agent) };
            (disposition, Some(attempts_after(engine, &call, campaign_id, contact, &settings, concluded).await?))
        }
        (None, Some(queue_id)) => {
            let queue = engine.world.queue(tenant, queue_id).await.map_err(DeskError::from)?.ok_or(DeskError::NotFound)?;
            let settings = queue.settings;
            let disposition = chosen(&settings.dispositions, &request.code)?.clone();
            trustline_domain::dialing::check_callback(disposition.outcome, request.callback_at, now)?;
            (disposition, None)
        }
        (None, None) => return Err(DeskError::NotFound.into()),
    };
    let audit = disposition_audit(&call, format!("user:{agent}"), &disposition.code, now);
    let closing = Closing { code: disposition.code.clone(), outcome: disposition.outcome, attempts };
    close_wrap_up(engine, agent, &call, closing, audit).await?;
    Ok((call, disposition.outcome))
}
