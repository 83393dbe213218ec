//! A call arrives: its queue, the opening hours, its caller's contact, and
//! following the caller until they hang up.

use crate::engine::Engine;
use crate::news::{News, Origin};
use crate::outbound::call_flow;
use crate::outbound::call_flow::CallError;
use trustline_audit::AuditDraft;
use trustline_domain::CallResult;
use trustline_domain::contact::{ContactInput, E164};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{AuditAction, ContactId, TenantId, UnixTime};
use trustline_phone::{DefaultRegion, PhoneRules};
use trustline_store::{CallChange, CallDirection, CallMode, CallState, ConsentState, Digest, NewCall, StoreError};
use trustline_telephony::{Admission, IncomingCall};
use trustline_vault::subject_label;

/// The name given to a contact created for a number no contact has (a new
/// caller, or a number an agent called); agents correct it during the call.
const NEW_CALLER_NAME: &str = "New caller";

pub(super) async fn arrive(engine: &Engine, call: IncomingCall) {
    let leg = call.id;
    if let Err(error) = take(engine, call).await {
        tracing::warn!(%error, "an incoming call could not be taken; it is hung up");
        engine.hang_up(leg).await;
    }
}

async fn take(engine: &Engine, call: IncomingCall) -> Result<(), CallError> {
    let IncomingCall { id: leg, from, to, trunk, admission, progress } = call;
    // A tenant's own trunk rings only its own numbers: to its carrier,
    // another tenant's number is one no queue answers.
    let Some(queue) = engine.world.queue_by_number(&to).await?.filter(|queue| trunk.may_reach(queue.tenant_id)) else {
        tracing::info!(number = %to, "a call to a number no queue answers on its trunk; refused");
        let _ = admission.send(Admission::NoSuchNumber);
        return Ok(());
    };
    let (tenant, origin) = (queue.tenant_id, Origin::queue(queue.id));
    let settings = queue.settings.clone();
    let now = engine.time.now();
    let contact = match from {
        Some(number) => caller_contact(engine, tenant, &number, now).await?,
        None => None,
    };
    let new = NewCall {
        tenant_id: tenant,
        direction: CallDirection::Inbound,
        campaign_id: None,
        queue_id: Some(queue.id),
        contact_id: contact,
        agent_id: None,
        mode: CallMode::Routing(settings.strategy),
        state: CallState::Queued,
        at: now,
        transferred_from: None,
        owner_node: None,
        fence: None,
    };
    let audit = AuditDraft::new(now, tenant.0, "system", AuditAction::CallArrive, String::new()).detail("queue", queue.id.to_string());
    let id = match engine.world.open_call(new, None, None, audit).await {
        Ok(id) => id,
        Err(StoreError::LeaseLost) => {
            tracing::info!(tenant = tenant.0, "a call for a tenant another node works; sent there");
            let _ = admission.send(Admission::Elsewhere);
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    if !settings.open_at(now) {
        let _ = admission.send(Admission::Closed);
        let closed =
            CallChange { result: Some(CallResult::Closed), ..CallChange::new(tenant, id, CallState::Queued, CallState::Done, now) };
        return call_flow::change(engine, closed, origin, None).await;
    }
    // The carrier answers the caller now, and plays the queue's music.
    let _ = admission.send(Admission::Take);
    engine.track_leg(id, leg);
    call_flow::publish_call(engine, tenant, id, origin, None, CallState::Queued, None).await;
    let engine = engine.clone();
    tokio::spawn(async move {
        let mut progress = progress;
        crate::line::follow(&engine, tenant, leg, &mut progress).await;
        engine.forget_leg(leg);
        engine.wake();
    });
    Ok(())
}

/// The caller's contact: found by the number's blind index, or created.
async fn caller_contact(engine: &Engine, tenant: TenantId, number: &str, now: UnixTime) -> Result<Option<ContactId>, CallError> {
    let Ok(parsed) = E164::parse(number) else { return Ok(None) };
    match known_caller(engine, tenant, &parsed, now).await? {
        (_, Some(known)) => Ok(Some(known)),
        (digest, None) => new_caller(engine, tenant, &parsed, &digest, now, NewCallerSource::InboundCall).await,
    }
}

/// The number's blind index, and the contact it belongs to, if any.
pub(crate) async fn known_caller(
    engine: &Engine,
    tenant: TenantId,
    number: &E164,
    now: UnixTime,
) -> Result<(Digest, Option<ContactId>), CallError> {
    let digest = engine.world.phone_lookup(tenant, number, now).await?;
    let known = engine.world.contact_by_phone(tenant, &digest).await?;
    Ok((digest, known))
}

/// Where a contact made for a new number came from.
#[derive(Clone, Copy)]
pub(crate) enum NewCallerSource {
    InboundCall,
    ManualCall,
}

impl NewCallerSource {
    fn as_str(self) -> &'static str {
        match self {
            NewCallerSource::InboundCall => "inbound_call",
            NewCallerSource::ManualCall => "manual_call",
        }
    }
}

/// A contact for a number no contact has (`digest` is its blind index);
/// `None` if the number cannot be kept as one.
pub(crate) async fn new_caller(
    engine: &Engine,
    tenant: TenantId,
    number: &E164,
    digest: &Digest,
    now: UnixTime,
    source: NewCallerSource,
) -> Result<Option<ContactId>, CallError> {
    let input = ContactInput { name: Some(NEW_CALLER_NAME.into()), phones: vec![number.as_str().to_owned()], ..ContactInput::default() };
    let region = engine.world.default_region(tenant).await?.and_then(|r| DefaultRegion::parse(&r).ok());
    let Ok(contact) = input.validate(&[], &PhoneRules { default_region: region }) else { return Ok(None) };
    let audit = AuditDraft::new(now, tenant.0, "system", AuditAction::ContactCreate, String::new()).detail("source", source.as_str());
    match engine.world.create_contact(tenant, &contact, ConsentState::unknown(), audit).await {
        Ok(id) => {
            let data = serde_json::json!({ "contact_id": id.0, "source": source.as_str() });
            engine.world.announce(News::Webhook { tenant, event: WebhookEvent::ContactCreated, data }).await;
            Ok(Some(id))
        }
        // Created by a call at the same moment.
        Err(trustline_vault::VaultError::Store(StoreError::Conflict(_))) => Ok(engine.world.contact_by_phone(tenant, digest).await?),
        Err(e) => Err(e.into()),
    }
}

/// For the audit trail of a call tied to a contact.
pub(super) fn call_target(contact: Option<ContactId>, id: i64) -> String {
    contact.map_or_else(|| format!("call:{id}"), subject_label)
}
