//! Attended transfer to an outside number: the agent puts the person on
//! hold and calls the number from their desk (a consultation), then hands
//! the person over (the two are joined and the agent leaves the call for
//! its wrap-up, as `transferred`), brings the person in (a conference of
//! three, which ends the same two ways), or comes back to the person. If
//! the consulted party does not answer or hangs up first, the agent's desk
//! is joined to the person again, who stays on hold (if they were) until
//! the agent takes them back.

use crate::engine::{Consultation, Engine};
use crate::news::News;
use crate::outbound::desk::{self, DeskError};
use crate::transfer::{conversation, gone_or, leave, outside_party_gone, presented_number};
use trustline_audit::AuditDraft;
use trustline_domain::contact::E164;
use trustline_domain::{TenantId, UserId};
use trustline_telephony::{CallLeg, DialRequest, Party, Settlement, TelephonyError};

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
    if !engine.note_consult(id, Consultation { leg: called.id, masked: masked.clone(), answered: false, conference: false }) {
        let _gone = telephony.hang_up(called.id).await;
        return Err(DeskError::WrongState("consulting already", "not consulting"));
    }
    let audit = AuditDraft { target: format!("call:{id}"), ..audit }.detail("number", masked);
    if let Err(error) = engine.world.record(audit).await {
        // Nobody is called unaudited.
        engine.take_consult(id, Some(called.id));
        let _gone = telephony.hang_up(called.id).await;
        return Err(error.into());
    }
    // The agent hears it ring, and talks to whoever answers.
    let _joined = telephony.bridge(called.id, Party::Desk { tenant, agent }).await;
    tell(engine, tenant, id, agent, "ringing").await;
    let engine = engine.clone();
    tokio::spawn(async move { follow(&engine, tenant, id, agent, called).await });
    Ok(())
}

/// Follows the consulted party: answered, the agent is told; gone before
/// the agent handed the person over or came back, the agent's desk is
/// joined to the person again (still on hold). Handed over, the party is
/// followed as any outside party a person was transferred to.
async fn follow(engine: &Engine, tenant: TenantId, id: i64, agent: UserId, mut called: CallLeg) {
    let leg = called.id;
    if called.settled().await == Settlement::Answered {
        engine.consult_answered(id, leg);
        tell(engine, tenant, id, agent, "answered").await;
        crate::line::hung_up(&mut called.progress).await;
    }
    if engine.take_consult(id, Some(leg)).is_some() {
        back_to_the_person(engine, tenant, id, agent).await;
        tell(engine, tenant, id, agent, "ended").await;
    }
    // Handed over meanwhile: the person goes with the party.
    outside_party_gone(engine, leg).await;
}

/// The agent hands the person over to the consulted party, who has
/// answered, and leaves the call; `audit` (the request's, as
/// `call.transfer`) is kept with it.
pub async fn complete_consult(engine: &Engine, tenant: TenantId, agent: UserId, id: i64, audit: AuditDraft) -> Result<(), DeskError> {
    let (call, telephony) = conversation(engine, tenant, agent, id).await?;
    let consultation = engine.consult_of(id).ok_or(DeskError::WrongState("not consulting", "consulting"))?;
    if !consultation.answered {
        return Err(DeskError::WrongState("consulting a number that has not answered", "answered"));
    }
    let person = engine.leg_of(id).ok_or(DeskError::LineGone)?;
    let audit = AuditDraft { target: format!("call:{id}"), ..audit }.detail("to", "outside").detail("number", consultation.masked.clone());
    if let Err(error) = leave(engine, &call, agent, audit).await {
        return Err(gone_or(error));
    }
    let Some(consultation) = engine.take_consult(id, Some(consultation.leg)) else {
        // The party hung up as the person was handed over: the person goes too.
        engine.hang_up(person).await;
        return Err(DeskError::LineGone);
    };
    engine.join_outside(id, consultation.leg);
    telephony.bridge(person, Party::Leg(consultation.leg)).await?;
    let _resumed = telephony.hold(person, false).await;
    tell(engine, tenant, id, agent, "completed").await;
    Ok(())
}

/// The agent brings the person into the consultation, whose party has
/// answered: the person, the agent and the party each hear the other two.
/// The person is taken off hold; `audit` (the request's, as
/// `call.conference`) is kept with it.
pub async fn conference(engine: &Engine, tenant: TenantId, agent: UserId, id: i64, audit: AuditDraft) -> Result<(), DeskError> {
    let (call, telephony) = conversation(engine, tenant, agent, id).await?;
    let consultation = engine.consult_of(id).ok_or(DeskError::WrongState("not consulting", "consulting"))?;
    if !consultation.answered {
        return Err(DeskError::WrongState("consulting a number that has not answered", "answered"));
    }
    if consultation.conference {
        return Err(DeskError::WrongState("in a conference already", "consulting"));
    }
    let person = engine.leg_of(id).ok_or(DeskError::LineGone)?;
    let audit = AuditDraft { target: format!("call:{id}"), ..audit }.detail("number", consultation.masked.clone());
    engine.world.record(audit).await?;
    match telephony.conference(person, consultation.leg).await {
        // The party hung up meanwhile: its follower has the agent back with the person.
        Err(TelephonyError::UnknownCall) => return Err(DeskError::LineGone),
        joined => joined?,
    }
    if !engine.consult_conferenced(id, consultation.leg) {
        return Err(DeskError::LineGone);
    }
    if call.held_since.is_some() {
        desk::hold(engine, tenant, agent, id, false).await?;
    }
    tell(engine, tenant, id, agent, "conference").await;
    Ok(())
}

/// The agent ends the consultation (or the conference: the party leaves
/// it) and is back with the person, off hold.
pub async fn end_consult(engine: &Engine, tenant: TenantId, agent: UserId, id: i64) -> Result<(), DeskError> {
    conversation(engine, tenant, agent, id).await?;
    let consultation = engine.take_consult(id, None).ok_or(DeskError::WrongState("not consulting", "consulting"))?;
    engine.hang_up(consultation.leg).await;
    back_to_the_person(engine, tenant, id, agent).await;
    tell(engine, tenant, id, agent, "ended").await;
    // Read again: the person may have been taken off hold meanwhile.
    let (call, _) = conversation(engine, tenant, agent, id).await?;
    if call.held_since.is_some() {
        desk::hold(engine, tenant, agent, id, false).await?;
    }
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
