//! A call the agent places themselves: they type a number and choose the
//! queue the call is made for (the person sees its number, and its
//! dispositions close the call). The rules of every dialled call hold: a
//! contact on the do-not-contact list or restricted is never called, nor
//! a number outside the calling window of where it is. The person's
//! contact is found by the number, or created once the call may be made.

use super::call_flow::{self, agent_move};
use super::desk::DeskError;
use crate::engine::Engine;
use crate::inbound::NewCallerSource;
use crate::news::Origin;
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentEvent;
use trustline_domain::contact::E164;
use trustline_domain::dialing::{CallingWindow, ContactStanding, DialingMode, NotDiallable, standing_allows};
use trustline_domain::{CallResult, TenantId, UserId};
use trustline_store::{CallDirection, CallMode, CallState, NewCall, StoreError};
use trustline_telephony::DialRequest;
use trustline_vault::subject_label;

/// Calls `number` for `queue`, from the agent's desk (they must be
/// available); gives the call. `audit` (the request's, as `call.place`) is
/// kept with it. Refused, nothing is dialled, stored or created.
pub async fn call_number(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    number: E164,
    queue: i64,
    audit: AuditDraft,
) -> Result<i64, DeskError> {
    let telephony = engine.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let queue = engine.world.queue(tenant, queue).await?.ok_or(DeskError::NoSuch("queue"))?;
    let now = engine.time.now();
    let (digest, known) = crate::inbound::known_caller(engine, tenant, &number, now).await?;
    let standing = match known {
        Some(contact) => engine.world.contact_standing(tenant, contact).await?.ok_or(DeskError::NotFound)?,
        // A number no contact has: nobody asked not to be called on it.
        None => ContactStanding { do_not_contact: false, restricted: false },
    };
    may_call(standing, &number, now).map_err(|e| DeskError::NotDiallable(e.to_string()))?;
    let reserve = agent_move(engine, tenant, agent, AgentEvent::Offer, "offer").await?;
    let contact = match known {
        Some(contact) => contact,
        None => crate::inbound::new_caller(engine, tenant, &number, &digest, now, NewCallerSource::ManualCall)
            .await?
            .ok_or_else(|| DeskError::NotDiallable("the number cannot be kept as a contact".into()))?,
    };
    let new = NewCall {
        tenant_id: tenant,
        direction: CallDirection::Outbound,
        campaign_id: None,
        queue_id: Some(queue.id),
        contact_id: Some(contact),
        agent_id: Some(agent),
        mode: CallMode::Dialing(DialingMode::Preview),
        state: CallState::Ringing,
        at: now,
        transferred_from: None,
        owner_node: None,
        fence: None,
    };
    let audit = AuditDraft { target: subject_label(contact), ..audit }.detail("queue", queue.id.to_string()).detail("manual", "true");
    let id = match engine.world.open_call(new, None, Some(reserve.clone()), audit).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => return Err(DeskError::WrongState("no longer available", "available")),
        Err(error) => return Err(error.into()),
    };
    crate::agent_moves::publish(engine, &reserve).await;
    let origin = Origin::queue(queue.id);
    call_flow::publish_call(engine, tenant, id, origin, Some(agent), CallState::Ringing, None).await;
    let request = DialRequest { tenant, to: number.as_str().to_owned(), caller_id: Some(queue.settings.number.as_str().to_owned()) };
    let leg = match telephony.dial(request).await {
        Ok(leg) => leg,
        Err(error) => {
            call_flow::end_unreached(engine, tenant, origin, id, CallState::Ringing, CallResult::Failed, Some(agent)).await?;
            return Err(error.into());
        }
    };
    call_flow::follow_placed(engine, tenant, id, origin, agent, leg).await;
    Ok(id)
}

/// Whether the person on `number` may be called at `now`: the contact's own
/// standing, and the calling window where the number is (every zone of its
/// country, if it has several).
fn may_call(standing: ContactStanding, number: &E164, now: trustline_domain::UnixTime) -> Result<(), NotDiallable> {
    standing_allows(standing)?;
    let place = trustline_phone::normalise(number.as_str(), None).ok();
    let (region, zone) = (place.as_ref().and_then(|p| p.region.as_deref()), place.as_ref().and_then(|p| p.time_zone.as_deref()));
    Ok(CallingWindow::new(region, None).check(&super::gate::zones_of_place(zone, region), now)?)
}
