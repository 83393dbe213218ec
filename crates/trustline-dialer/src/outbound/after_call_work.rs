//! Wrap-up that ends by itself: when a call's campaign or queue limit runs
//! out (or the agent's desk is gone), the call is closed as
//! `wrap_up_timeout` and the agent made available, so nobody counts as
//! working for ever after their browser closed.

use super::desk::{Closing, Concluded, DeskError, attempts_after, close_wrap_up, disposition_audit};
use crate::engine::Engine;
use trustline_domain::agent::AgentState;
use trustline_domain::agent::{WRAP_UP_TIMED_OUT, timed_out_outcome, wrap_up_left};
use trustline_domain::{TenantId, UnixTime};
use trustline_store::{CallRecord, CallState, StoreError};

/// Closes every wrap-up of the tenant whose limit ran out.
pub(crate) async fn end_overdue(engine: &Engine, tenant: TenantId) -> Result<(), DeskError> {
    let now = engine.time.now();
    for status in engine.world.agent_statuses(tenant).await?.iter().filter(|s| s.state == AgentState::WrapUp) {
        let Some(call) = engine.world.agent_call(tenant, status.user_id).await? else { continue };
        let Some(ended) = call.ended_at.filter(|_| call.state == CallState::WrapUp) else { continue };
        if wrap_up_left(ended, limit_of(engine, &call).await?, now) == Some(0) {
            time_out(engine, &call, now, "the wrap-up time ran out").await?;
        }
    }
    Ok(())
}

/// The wrap-up limit of the call's campaign or queue, in seconds (0: none).
async fn limit_of(engine: &Engine, call: &CallRecord) -> Result<u32, DeskError> {
    let tenant = call.tenant_id;
    if let Some(id) = call.campaign_id
        && let Some(campaign) = engine.world.campaign(tenant, id).await?
    {
        return Ok(campaign.settings.wrap_up_seconds);
    }
    if let Some(id) = call.queue_id
        && let Some(queue) = engine.world.queue(tenant, id).await?
    {
        return Ok(queue.settings.clone().wrap_up_seconds);
    }
    Ok(0)
}

/// Closes the wrap-up of `call` for its agent, saying `why`: the contact of
/// a campaign is tried again by its retry rule, an inbound call is over.
/// A call its agent closed meanwhile is left as it is.
pub(crate) async fn time_out(engine: &Engine, call: &CallRecord, now: UnixTime, why: &str) -> Result<(), DeskError> {
    let Some(agent) = call.agent_id else { return Ok(()) };
    let outcome = timed_out_outcome(call.campaign_id.is_some());
    let attempts = match (call.campaign_id, call.contact_id) {
        (Some(id), Some(contact)) => {
            let campaign = engine.world.campaign(call.tenant_id, id).await?.ok_or(DeskError::NotFound)?;
            let concluded = Concluded { outcome, callback_at: None, owner: None };
            Some(attempts_after(engine, call, id, contact, &campaign.settings, concluded).await?)
        }
        _ => None,
    };
    let audit = disposition_audit(call, "system".into(), WRAP_UP_TIMED_OUT, now).detail("reason", why);
    let closing = Closing { code: WRAP_UP_TIMED_OUT.into(), outcome, attempts };
    match close_wrap_up(engine, agent, call, closing, audit).await {
        Err(DeskError::Call(super::call_flow::CallError::Store(StoreError::Conflict(_)))) => Ok(()),
        other => other,
    }
}
