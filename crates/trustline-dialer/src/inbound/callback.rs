//! Callbacks in queue: the offer to a caller facing a long wait, and the
//! call back to one who took it, once the router gives their place to an
//! agent.

use super::arrival::call_target;
use crate::engine::Engine;
use crate::news::Origin;
use crate::outbound::call_flow;
use crate::outbound::call_flow::CallError;
use trustline_audit::AuditDraft;
use trustline_domain::CallResult;
use trustline_domain::{AuditAction, TenantId, UserId};
use trustline_store::{CallChange, CallRecord, CallState, StoreError};
use trustline_telephony::{DialRequest, LegId};

/// Asks the waiting caller on `leg` whether they want a callback; if they
/// take it, the call waits off the line in its place.
pub(super) async fn offer(engine: &Engine, tenant: TenantId, id: i64, leg: LegId, origin: Origin) -> Result<(), CallError> {
    let Some(telephony) = engine.telephony().cloned() else { return Ok(()) };
    // A caller who hung up or was joined to an agent meanwhile is not asked.
    let Ok(true) = telephony.offer_callback(leg).await else { return Ok(()) };
    engine.forget_leg(leg);
    let taken = CallChange::new(tenant, id, CallState::Queued, CallState::Callback, engine.time.now());
    match call_flow::change(engine, taken, origin, None).await {
        // An agent took the call as the caller left the line: the conversation is over.
        Err(CallError::Store(StoreError::Conflict(_))) => crate::line::caller_left(engine, tenant, id).await,
        other => other,
    }
}

/// Calls back a caller waiting for a callback, for `agent` (reserved).
pub(super) async fn call_back(engine: &Engine, call: &CallRecord, agent: UserId, caller_id: &str) -> Result<(), CallError> {
    let (tenant, id, origin) = (call.tenant_id, call.id, Origin::of(call));
    let now = engine.time.now();
    let ringing = CallChange { agent_id: Some(agent), ..CallChange::new(tenant, id, CallState::Callback, CallState::Ringing, now) };
    // The number is read to dial it: audited.
    let audit = AuditDraft::new(now, tenant.0, "system", AuditAction::CallPlace, call_target(call.contact_id, id))
        .detail("call", id.to_string())
        .detail("callback", "true");
    call_flow::change(engine, ringing, origin, Some(audit)).await?;
    let number = match call.contact_id {
        Some(contact) => call_flow::number_of(engine, tenant, contact).await?,
        None => None,
    };
    let (Some(number), Some(telephony)) = (number, engine.telephony().cloned()) else {
        return call_flow::end_unreached(engine, tenant, origin, id, CallState::Ringing, CallResult::Failed, Some(agent)).await;
    };
    let leg = match telephony.dial(DialRequest { tenant, to: number, caller_id: Some(caller_id.to_owned()) }).await {
        Ok(leg) => leg,
        Err(error) => {
            tracing::warn!(%error, call = id, "the carrier refused a callback");
            return call_flow::end_unreached(engine, tenant, origin, id, CallState::Ringing, CallResult::Failed, Some(agent)).await;
        }
    };
    call_flow::follow_placed(engine, tenant, id, origin, agent, leg).await;
    Ok(())
}
