//! The agent's side of outbound work: ask for the next contact of a preview
//! campaign, dial it or skip it, hang up, and set the disposition (with a
//! note and a callback). Every step moves the call and the agent together.

use super::call_flow::{self, CampaignCall, Origin, agent_move};
use super::{CallError, gate};
use crate::state::AppState;
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentEvent;
use trustline_domain::dialing::{CampaignSettings, CampaignStatus, DialingMode, Disposition, DispositionOutcome};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{AuditAction, ContactId, TenantId, UnixTime, UserId};
use trustline_store::{AttemptRecord, CallChange, CallDirection, CallDisposition, CallRecord, CallState, DialCandidate, StoreError};
use trustline_vault::subject_label;

/// Offers the agent the next contact of a running preview campaign; `None`
/// when no contact is diallable now. The agent must be available.
pub(crate) async fn offer_next(state: &AppState, tenant: TenantId, agent: UserId) -> Result<Option<i64>, CallError> {
    let offer = agent_move(state, tenant, agent, AgentEvent::Offer, "offer").await?;
    let campaigns = super::running(state.store.campaigns(tenant).await?);
    for (campaign, settings) in campaigns.into_iter().filter(|(_, s)| s.mode == DialingMode::Preview) {
        let now = state.clock.now();
        let call = CampaignCall { tenant, campaign: campaign.id, settings: settings.clone() };
        let candidate = {
            let mut runs = state.dialer.runs.lock().await;
            super::run_of(&mut runs, state, &call, now).await?.next(state.store.as_ref(), tenant, campaign.id, &settings, now).await?
        };
        let Some(candidate) = candidate else { continue };
        if candidate.attempts.as_ref().and_then(|a| a.callback_agent).is_some_and(|owner| owner != agent) {
            continue;
        }
        let held =
            gate::record(gate::history(candidate.attempts.as_ref()), &settings, candidate.attempts.as_ref().and_then(|a| a.callback_agent));
        let new = trustline_store::NewCall {
            tenant_id: tenant,
            direction: CallDirection::Outbound,
            campaign_id: Some(campaign.id),
            queue_id: None,
            contact_id: Some(candidate.contact_id),
            agent_id: Some(agent),
            mode: settings.mode.as_str().into(),
            state: CallState::Offered,
            at: now,
        };
        let audit = AuditDraft::new(now, tenant.0, format!("user:{agent}"), AuditAction::CallOffer, subject_label(candidate.contact_id))
            .detail("campaign", campaign.id.to_string());
        match state.store.open_call(new, Some(held), Some(offer.clone()), audit).await {
            Ok(id) => {
                crate::agent_moves::publish(state, &offer).await;
                call_flow::publish_call(state, tenant, id, Origin::campaign(campaign.id), Some(agent), CallState::Offered, None).await;
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
pub(crate) enum DeskError {
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
    #[error(transparent)]
    Call(#[from] CallError),
}

impl From<StoreError> for DeskError {
    fn from(e: StoreError) -> Self {
        DeskError::Call(CallError::Store(e))
    }
}

/// The agent's own call, in `expected` state.
pub(crate) async fn own_call(
    state: &AppState,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    expected: CallState,
) -> Result<CallRecord, DeskError> {
    let call = state.store.call(tenant, id).await?.filter(|c| c.agent_id == Some(agent)).ok_or(DeskError::NotFound)?;
    if call.state != expected {
        return Err(DeskError::WrongState(call.state.as_str(), expected.as_str()));
    }
    Ok(call)
}

/// The agent's previewed contact (an incoming call is accepted or declined instead).
async fn preview(state: &AppState, tenant: TenantId, agent: UserId, id: i64) -> Result<CallRecord, DeskError> {
    let call = own_call(state, tenant, agent, id, CallState::Offered).await?;
    if call.campaign_id.is_none() {
        return Err(DeskError::Incoming);
    }
    Ok(call)
}

async fn campaign_of(state: &AppState, tenant: TenantId, call: &CallRecord) -> Result<CampaignCall, DeskError> {
    let id = call.campaign_id.ok_or(DeskError::NotFound)?;
    let campaign = state.store.campaign(tenant, id).await?.ok_or(DeskError::NotFound)?;
    if campaign.status != CampaignStatus::Running {
        return Err(DeskError::NotDiallable(format!("the campaign is {}", campaign.status.as_str())));
    }
    Ok(super::campaign_call(tenant, &campaign))
}

/// Dials a previewed contact, after the gate says it may be dialled now.
pub(crate) async fn dial(state: &AppState, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = preview(state, tenant, agent, id).await?;
    let telephony = state.dialer.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let campaign = campaign_of(state, tenant, &call).await?;
    let contact = call.contact_id.ok_or(DeskError::NotFound)?;
    let sealed = state.store.contact(tenant, contact).await?.filter(|c| c.erased_at.is_none()).ok_or(DeskError::NotFound)?;
    let attempts = state.store.attempts(tenant, campaign.campaign, contact).await?;
    let candidate = DialCandidate {
        contact_id: contact,
        region: sealed.region.clone(),
        time_zone: sealed.time_zone.clone(),
        do_not_contact: sealed.consent.do_not_contact,
        restricted: sealed.consent.restricted,
        attempts: attempts.clone(),
    };
    let now = state.clock.now();
    gate::check(&candidate, &campaign.settings, now).map_err(|e| DeskError::NotDiallable(e.to_string()))?;
    let number =
        call_flow::number_of(state, tenant, contact).await?.ok_or_else(|| DeskError::NotDiallable("the contact has no number".into()))?;
    let dialled = gate::record(gate::history(attempts.as_ref()).dialled(now), &campaign.settings, None);
    // The agent's own call: its ringing reaches their desk.
    let change = CallChange {
        attempts: Some(dialled),
        agent_id: Some(agent),
        ..CallChange::new(tenant, id, CallState::Offered, CallState::Ringing, now)
    };
    let audit = AuditDraft::new(now, tenant.0, format!("user:{agent}"), AuditAction::CallPlace, subject_label(contact))
        .detail("call", id.to_string());
    call_flow::change(state, change, Origin::campaign(campaign.campaign), Some(audit)).await?;
    call_flow::ring(state, &state.dialer, &telephony, &campaign, id, number, Some(agent)).await?;
    Ok(())
}

/// The agent gives up on a call they dialled before anyone answers: the
/// attempt ends as `cancelled` (it counts as an attempt) and the agent is
/// free again. Ended first, so the line's follower finds it over.
pub(crate) async fn cancel(state: &AppState, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = own_call(state, tenant, agent, id, CallState::Ringing).await?;
    call_flow::end_unreached(state, tenant, Origin::of(&call), id, CallState::Ringing, "cancelled", Some(agent)).await?;
    if let Some(leg) = state.dialer.leg_of(id) {
        state.dialer.hang_up(leg).await;
    }
    Ok(())
}

/// Passes on a previewed contact without dialling; it stays in the campaign.
pub(crate) async fn skip(state: &AppState, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = preview(state, tenant, agent, id).await?;
    let change = CallChange {
        result: Some("skipped".into()),
        agent_move: Some(agent_move(state, tenant, agent, AgentEvent::Withdraw, "withdraw").await?),
        ..CallChange::new(tenant, id, CallState::Offered, CallState::Done, state.clock.now())
    };
    call_flow::change(state, change, Origin::of(&call), None).await?;
    state.dialer.wake();
    Ok(())
}

/// The agent ends the conversation: the call goes to wrap-up.
pub(crate) async fn hang_up(state: &AppState, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    let call = own_call(state, tenant, agent, id, CallState::Connected).await?;
    if let Some(leg) = state.dialer.leg_of(id) {
        state.dialer.hang_up(leg).await;
    }
    call_flow::remote_hang_up(state, tenant, id, agent, Origin::of(&call)).await?;
    Ok(())
}

/// The agent puts the person on hold (`on`) or takes them back. The call
/// stays connected; hold time is kept for handle-time reports.
pub(crate) async fn hold(state: &AppState, tenant: TenantId, agent: UserId, id: i64, on: bool) -> Result<(), DeskError> {
    let call = own_call(state, tenant, agent, id, CallState::Connected).await?;
    if call.held_since.is_some() == on {
        let (is, needs) = if on { ("on hold already", "off hold") } else { ("not on hold", "on hold") };
        return Err(DeskError::WrongState(is, needs));
    }
    let telephony = state.dialer.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let leg = state.dialer.leg_of(id).ok_or(DeskError::LineGone)?;
    let now = state.clock.now();
    let action = if on { AuditAction::CallHold } else { AuditAction::CallResume };
    let audit = AuditDraft::new(now, tenant.0, format!("user:{agent}"), action, format!("call:{id}"));
    state.store.hold_call(trustline_store::CallHold { tenant_id: tenant, call_id: id, on, at: now }, audit).await?;
    // The person hung up meanwhile: their line's follower ends the conversation.
    let _held = telephony.hold(leg, on).await;
    Ok(())
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
    state: &AppState,
    call: &CallRecord,
    campaign_id: i64,
    contact: ContactId,
    settings: &CampaignSettings,
    concluded: Concluded,
) -> Result<AttemptRecord, DeskError> {
    let attempts = state.store.attempts(call.tenant_id, campaign_id, contact).await?;
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
    state: &AppState,
    agent: UserId,
    call: &CallRecord,
    closing: Closing,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    let (tenant, id, now) = (call.tenant_id, call.id, audit.at);
    let agent_move = agent_move(state, tenant, agent, AgentEvent::Disposition, "disposition").await?;
    let outcome = gate::outcome_code(closing.outcome);
    let set = CallDisposition {
        tenant_id: tenant,
        call_id: id,
        code: closing.code.clone(),
        outcome: outcome.clone(),
        at: now,
        attempts: closing.attempts,
        agent_move: agent_move.clone(),
    };
    state.store.dispose_call(set, audit).await?;
    crate::agent_moves::publish(state, &agent_move).await;
    call_flow::publish_call(state, tenant, id, Origin::of(call), Some(agent), CallState::Done, call.result.as_deref()).await;
    let data = serde_json::json!({
        "call_id": id,
        "direction": call.direction.as_str(),
        "campaign_id": call.campaign_id,
        "queue_id": call.queue_id,
        "contact_id": call.contact_id.map(|c| c.0),
        "agent_id": agent.0,
        "disposition": closing.code,
        "outcome": outcome,
        "disposed_at": now,
    });
    crate::webhooks::publish(state, tenant, WebhookEvent::DispositionSet, data).await;
    if let (Some(campaign_id), Some(connected), Some(ended)) = (call.campaign_id, call.connected_at, call.ended_at) {
        let ms = |seconds: i64| u32::try_from(seconds.max(0).saturating_mul(1000)).unwrap_or(u32::MAX);
        state.dialer.record_handled(campaign_id, ms(ended - connected), ms(now - ended)).await;
    }
    state.dialer.wake();
    Ok(())
}

/// A disposition as the agent sets it.
pub(crate) struct DispositionRequest {
    pub code: String,
    pub callback_at: Option<UnixTime>,
    /// A callback only this agent takes.
    pub personal: bool,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum DispositionError {
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
pub(crate) async fn dispose(
    state: &AppState,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    request: &DispositionRequest,
) -> Result<(CallRecord, DispositionOutcome), DispositionError> {
    let call = own_call(state, tenant, agent, id, CallState::WrapUp).await?;
    let now = state.clock.now();
    let (disposition, attempts) = match (call.campaign_id, call.queue_id) {
        (Some(campaign_id), _) => {
            let campaign = state.store.campaign(tenant, campaign_id).await.map_err(DeskError::from)?.ok_or(DeskError::NotFound)?;
            let settings = campaign.settings;
            let disposition = chosen(&settings.dispositions, &request.code)?.clone();
            trustline_domain::dialing::check_callback(disposition.outcome, request.callback_at, now)?;
            let contact = call.contact_id.ok_or(DeskError::NotFound)?;
            let concluded =
                Concluded { outcome: disposition.outcome, callback_at: request.callback_at, owner: request.personal.then_some(agent) };
            (disposition, Some(attempts_after(state, &call, campaign_id, contact, &settings, concluded).await?))
        }
        (None, Some(queue_id)) => {
            let queue = state.store.queue(tenant, queue_id).await.map_err(DeskError::from)?.ok_or(DeskError::NotFound)?;
            let settings = queue.settings;
            let disposition = chosen(&settings.dispositions, &request.code)?.clone();
            trustline_domain::dialing::check_callback(disposition.outcome, request.callback_at, now)?;
            (disposition, None)
        }
        (None, None) => return Err(DeskError::NotFound.into()),
    };
    let audit = disposition_audit(&call, format!("user:{agent}"), &disposition.code, now);
    let closing = Closing { code: disposition.code.clone(), outcome: disposition.outcome, attempts };
    close_wrap_up(state, agent, &call, closing, audit).await?;
    Ok((call, disposition.outcome))
}
