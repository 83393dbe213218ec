//! Attended transfer: the agent puts the person on hold and consults an
//! outside number (called from their desk) or a colleague ready now (their
//! two desks hear each other, and the colleague is reserved for it). Then
//! the agent hands the person over (joined to the number, or to a new call
//! of the colleague's; the agent leaves the call for its wrap-up, as
//! `transferred`), brings the person in (a conference of three, which ends
//! the same two ways), or comes back to the person. If the consulted party
//! does not answer, hangs up or leaves first, the agent's desk is joined to
//! the person again, who stays on hold (if they were) until the agent takes
//! them back.

use crate::call_moves::let_consulted_go;
use crate::engine::{Consultation, Consulted, Engine};
use crate::news::{News, Origin};
use crate::outbound::call_flow::{CallError, release_agent, reserve_agent};
use crate::outbound::desk::{self, DeskError};
use crate::transfer::{Destination, conversation, gone_or, leave, outside_party_gone, presented_number, ready_colleague, to_new_call};
use std::sync::Arc;
use trustline_audit::AuditDraft;
use trustline_domain::contact::E164;
use trustline_domain::{TenantId, UserId};
use trustline_store::{CallRecord, StoreError};
use trustline_telephony::{CallLeg, DialRequest, Party, Settlement, Telephony, TelephonyError};

/// Which kind of consultation a step is for: handing a person to an
/// outside number needs a right that consulting a colleague does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsultKind {
    Number,
    Colleague,
}

impl Consulted {
    fn kind(&self) -> ConsultKind {
        match self {
            Consulted::Number { .. } => ConsultKind::Number,
            Consulted::Colleague(_) => ConsultKind::Colleague,
        }
    }
}

/// The agent of conversation `id` calls `number` while the person waits on
/// hold; `audit` (the request's, as `call.consult`) is kept with it.
pub async fn consult(engine: &Engine, tenant: TenantId, agent: UserId, id: i64, number: E164, audit: AuditDraft) -> Result<(), DeskError> {
    let (call, telephony) = conversation(engine, tenant, agent, id).await?;
    if engine.consult_of(id).is_some() {
        return Err(DeskError::WrongState("consulting already", "not consulting"));
    }
    let caller_id = presented_number(engine, &call).await?;
    if call.held_since.is_none() {
        desk::hold(engine, tenant, agent, id, true).await?;
    }
    let request = DialRequest { tenant, to: number.as_str().to_owned(), caller_id };
    let called = telephony.dial(request).await?;
    let masked = trustline_phone::mask(&number);
    let party = Consulted::Number { leg: called.id, masked: masked.clone() };
    let consultation = Consultation { party: party.clone(), tenant, agent, answered: false, conference: false };
    if !engine.note_consult(id, consultation) {
        let _gone = telephony.hang_up(called.id).await;
        return Err(DeskError::WrongState("consulting already", "not consulting"));
    }
    let audit = AuditDraft { target: format!("call:{id}"), ..audit }.detail("number", masked);
    if let Err(error) = engine.world.record(audit).await {
        // Nobody is called unaudited.
        engine.take_consult(id, Some(&party));
        let _gone = telephony.hang_up(called.id).await;
        return Err(error.into());
    }
    // The agent hears it ring, and talks to whoever answers.
    let _joined = telephony.bridge(called.id, Party::Desk { tenant, agent }).await;
    tell(engine, tenant, id, agent, "ringing").await;
    let engine = engine.clone();
    tokio::spawn(async move { follow(&engine, tenant, id, agent, called, party).await });
    Ok(())
}

/// The agent of conversation `id` talks to `colleague`, who must be ready
/// now, while the person waits on hold: the colleague is reserved for it
/// (no call is given them meanwhile) and their two desks hear each other.
/// `audit` (the request's, as `call.consult`) is kept with it.
pub async fn consult_colleague(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    colleague: UserId,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    let (call, telephony) = conversation(engine, tenant, agent, id).await?;
    if engine.consult_of(id).is_some() {
        return Err(DeskError::WrongState("consulting already", "not consulting"));
    }
    let status = ready_colleague(engine, tenant, agent, colleague).await?;
    match reserve_agent(engine, tenant, colleague, Some(&status), Origin::of(&call)).await {
        Ok(()) => {}
        Err(CallError::Store(StoreError::Conflict(_)) | CallError::Move(_)) => {
            return Err(DeskError::TargetUnavailable("that agent is not ready for a call"));
        }
        Err(error) => return Err(error.into()),
    }
    let party = Consulted::Colleague(colleague);
    let consultation = Consultation { party: party.clone(), tenant, agent, answered: true, conference: false };
    if !engine.note_consult(id, consultation) {
        let _released = release_agent(engine, tenant, colleague).await;
        return Err(DeskError::WrongState("consulting already", "not consulting"));
    }
    let held_here = call.held_since.is_none();
    let started = async {
        engine.world.record(AuditDraft { target: format!("call:{id}"), ..audit }.detail("agent", colleague.to_string())).await?;
        if held_here {
            desk::hold(engine, tenant, agent, id, true).await?;
        }
        telephony.link_desks(tenant, agent, colleague).await.map_err(|error| match error {
            TelephonyError::DeskOffline => DeskError::TargetUnavailable("that agent's desk has no phone open"),
            other => other.into(),
        })
    };
    if let Err(error) = started.await {
        // Nobody is consulted unaudited, or without a line to them.
        if engine.take_consult(id, Some(&party)).is_some() {
            let _released = release_agent(engine, tenant, colleague).await;
            back_to_the_person(engine, tenant, id, agent).await;
            if held_here {
                let _resumed = desk::hold(engine, tenant, agent, id, false).await;
            }
        }
        return Err(error);
    }
    tell(engine, tenant, id, agent, "answered").await;
    tell(engine, tenant, id, colleague, "consulted").await;
    Ok(())
}

/// Follows the consulted number: answered, the agent is told; gone before
/// the agent handed the person over or came back, the agent's desk is
/// joined to the person again (still on hold). Handed over, the party is
/// followed as any outside party a person was transferred to.
async fn follow(engine: &Engine, tenant: TenantId, id: i64, agent: UserId, mut called: CallLeg, party: Consulted) {
    let leg = called.id;
    if called.settled().await == Settlement::Answered {
        engine.consult_answered(id, leg);
        tell(engine, tenant, id, agent, "answered").await;
        crate::line::hung_up(&mut called.progress).await;
    }
    if engine.take_consult(id, Some(&party)).is_some() {
        back_to_the_person(engine, tenant, id, agent).await;
        tell(engine, tenant, id, agent, "ended").await;
    }
    // Handed over meanwhile: the person goes with the party.
    outside_party_gone(engine, leg).await;
}

/// The agent's conversation `id`, and their consultation on it of `kind`, answered.
async fn answered_consultation(
    engine: &Engine,
    (tenant, agent): (TenantId, UserId),
    id: i64,
    kind: ConsultKind,
) -> Result<(CallRecord, Arc<dyn Telephony>, Consultation), DeskError> {
    let (call, telephony) = conversation(engine, tenant, agent, id).await?;
    let consultation = engine.consult_of(id).ok_or(DeskError::WrongState("not consulting", "consulting"))?;
    match (consultation.party.kind(), kind) {
        (ConsultKind::Number, ConsultKind::Colleague) => Err(DeskError::WrongState("consulting a number", "consulting a colleague")),
        (ConsultKind::Colleague, ConsultKind::Number) => Err(DeskError::WrongState("consulting a colleague", "consulting a number")),
        _ if !consultation.answered => Err(DeskError::WrongState("consulting a number that has not answered", "answered")),
        _ => Ok((call, telephony, consultation)),
    }
}

/// The agent hands the person over to the party of their consultation of
/// `kind`, who has answered, and leaves the call; `audit` (the request's,
/// as `call.transfer`) is kept with it. A colleague takes the person on a
/// new call of theirs, as a transfer to them does.
pub async fn complete_consult(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    kind: ConsultKind,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    let (call, telephony, consultation) = answered_consultation(engine, (tenant, agent), id, kind).await?;
    let audit = AuditDraft { target: format!("call:{id}"), ..audit };
    let colleague = match consultation.party {
        Consulted::Colleague(colleague) => colleague,
        Consulted::Number { leg, masked } => {
            let person = engine.leg_of(id).ok_or(DeskError::LineGone)?;
            let audit = audit.detail("to", "outside").detail("number", masked.clone());
            if let Err(error) = leave(engine, &call, agent, audit).await {
                return Err(gone_or(error));
            }
            if engine.take_consult(id, Some(&Consulted::Number { leg, masked })).is_none() {
                // The party hung up as the person was handed over: the person goes too.
                engine.hang_up(person).await;
                return Err(DeskError::LineGone);
            }
            engine.join_outside(id, leg);
            telephony.bridge(person, Party::Leg(leg)).await?;
            let _resumed = telephony.hold(person, false).await;
            tell(engine, tenant, id, agent, "completed").await;
            return Ok(());
        }
    };
    if engine.take_consult(id, Some(&Consulted::Colleague(colleague))).is_none() {
        // The colleague left as the person was handed over: the agent has the person back.
        return Err(DeskError::WrongState("not consulting", "consulting"));
    }
    telephony.unlink_desk(tenant, agent).await;
    match to_new_call(engine, &telephony, &call, agent, Destination::Reserved(colleague), audit).await {
        Ok(_) => {
            tell(engine, tenant, id, agent, "completed").await;
            tell(engine, tenant, id, colleague, "completed").await;
            Ok(())
        }
        Err(error) => {
            // The agent is back with the person (or the person is gone); the colleague is free.
            let _released = release_agent(engine, tenant, colleague).await;
            tell(engine, tenant, id, agent, "ended").await;
            tell(engine, tenant, id, colleague, "ended").await;
            Err(error)
        }
    }
}

/// The agent brings the person into their consultation of `kind`, whose
/// party has answered: the person, the agent and the party each hear the
/// other two. The person is taken off hold; `audit` (the request's, as
/// `call.conference`) is kept with it.
pub async fn conference(
    engine: &Engine,
    tenant: TenantId,
    agent: UserId,
    id: i64,
    kind: ConsultKind,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    let (call, telephony, consultation) = answered_consultation(engine, (tenant, agent), id, kind).await?;
    if consultation.conference {
        return Err(DeskError::WrongState("in a conference already", "consulting"));
    }
    let person = engine.leg_of(id).ok_or(DeskError::LineGone)?;
    let audit = AuditDraft { target: format!("call:{id}"), ..audit };
    let (audit, guest) = match &consultation.party {
        Consulted::Number { leg, masked } => (audit.detail("number", masked.clone()), Party::Leg(*leg)),
        Consulted::Colleague(colleague) => (audit.detail("agent", colleague.to_string()), Party::Desk { tenant, agent: *colleague }),
    };
    engine.world.record(audit).await?;
    match telephony.conference(person, guest).await {
        // The party hung up meanwhile: its follower has the agent back with the person.
        Err(TelephonyError::UnknownCall) => return Err(DeskError::LineGone),
        Err(TelephonyError::DeskOffline) => return Err(DeskError::TargetUnavailable("that agent's desk has no phone open")),
        joined => joined?,
    }
    if !engine.consult_conferenced(id, &consultation.party) {
        return Err(DeskError::LineGone);
    }
    if call.held_since.is_some() {
        desk::hold(engine, tenant, agent, id, false).await?;
    }
    tell(engine, tenant, id, agent, "conference").await;
    if let Consulted::Colleague(colleague) = consultation.party {
        tell(engine, tenant, id, colleague, "conference").await;
    }
    Ok(())
}

/// The agent ends the consultation (or the conference: the party leaves
/// it) and is back with the person, off hold.
pub async fn end_consult(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    conversation(engine, tenant, agent, id).await?;
    let consultation = engine.take_consult(id, None).ok_or(DeskError::WrongState("not consulting", "consulting"))?;
    let_consulted_go(engine, id, &consultation).await;
    back_to_the_person(engine, tenant, id, agent).await;
    tell(engine, tenant, id, agent, "ended").await;
    // Read again: the person may have been taken off hold meanwhile.
    let (call, _) = conversation(engine, tenant, agent, id).await?;
    if call.held_since.is_some() {
        desk::hold(engine, tenant, agent, id, false).await?;
    }
    Ok(())
}

/// A consulted colleague leaves the consultation (or the conference): they
/// are free again, and the agent who consulted them is back with the
/// person, who stays on hold if they were.
pub async fn leave_consultation(engine: &Engine, tenant: TenantId, colleague: UserId) -> Result<(), DeskError> {
    let (id, consultation) = engine.consulting(tenant, colleague).ok_or(DeskError::WrongState("not consulted", "consulted"))?;
    if engine.take_consult(id, Some(&consultation.party)).is_none() {
        return Err(DeskError::WrongState("not consulted", "consulted"));
    }
    let_consulted_go(engine, id, &consultation).await;
    back_to_the_person(engine, tenant, id, consultation.agent).await;
    tell(engine, tenant, id, consultation.agent, "ended").await;
    Ok(())
}

/// The agent's desk hears the person's line again.
async fn back_to_the_person(engine: &Engine, tenant: TenantId, id: i64, agent: UserId) {
    if let Some(person) = engine.leg_of(id) {
        engine.join_desk(person, tenant, agent).await;
    }
}

async fn tell(engine: &Engine, tenant: TenantId, call: i64, agent: UserId, state: &'static str) {
    engine.world.announce(News::Consult { tenant, call, agent, state }).await;
}

/// The agent's consultation on `call`, if any.
pub fn consultation_of(engine: &Engine, call: i64) -> Option<Consultation> {
    engine.consult_of(call)
}

/// The consultation `colleague` is consulted in, with its call, if any.
pub fn consulted_in(engine: &Engine, tenant: TenantId, colleague: UserId) -> Option<(i64, Consultation)> {
    engine.consulting(tenant, colleague)
}
