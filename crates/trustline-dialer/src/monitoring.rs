//! A supervisor on an agent's call: listening, whispering to the agent, or
//! barging in, from the supervisor's own desk phone. Each start, change
//! and stop is audited with who, whom and how, on the call, so the agent
//! and auditors see it with the call.

use crate::engine::Engine;
use crate::news::News;
use crate::outbound::desk::DeskError;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UserId};
use trustline_store::CallState;
use trustline_telephony::{LegId, MonitorMode, Telephony};

/// Puts `supervisor` on `agent`'s conversation as `mode` says, or takes
/// them off it (`None`); `audit` (the request's, as `call.monitor`) is
/// kept on the call. A supervisor is on one call at a time: joining one
/// takes them off the one they were on (kept on that call too), and a call
/// has one supervisor at a time (one joining replaces the one there). Gives
/// the call's id.
pub async fn monitor_agent(
    engine: &Engine,
    tenant: TenantId,
    supervisor: UserId,
    agent: UserId,
    mode: Option<MonitorMode>,
    audit: AuditDraft,
) -> Result<i64, DeskError> {
    if agent == supervisor {
        return Err(DeskError::WrongState("your own", "another agent's"));
    }
    let call = engine.world.agent_call(tenant, agent).await?.filter(|call| call.state == CallState::Connected);
    let call = call.ok_or(DeskError::WrongState("not in a conversation", "in a conversation"))?;
    let telephony = engine.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let leg = engine.leg_of(call.id).ok_or(DeskError::LineGone)?;
    if mode.is_some()
        && let Some(previous) = engine.monitored_by(tenant, supervisor).filter(|id| *id != call.id)
    {
        leave(engine, telephony.as_ref(), tenant, supervisor, previous, audit.clone()).await?;
    }
    if mode.is_some()
        && let Some(replaced) = engine.supervisor_on(tenant, call.id).filter(|other| *other != supervisor)
    {
        displaced(engine, tenant, replaced, call.id, agent, audit.clone()).await?;
    }
    let change = Change { tenant, supervisor, call: call.id, agent, leg, mode };
    switch(engine, telephony.as_ref(), &change, audit).await?;
    engine.note_monitoring(tenant, supervisor, call.id, mode.is_some());
    Ok(call.id)
}

struct Change {
    tenant: TenantId,
    supervisor: UserId,
    call: i64,
    agent: UserId,
    leg: LegId,
    mode: Option<MonitorMode>,
}

/// Changes how the supervisor is on one call, keeps its event, and tells
/// the agent.
async fn switch(engine: &Engine, telephony: &dyn Telephony, change: &Change, mut audit: AuditDraft) -> Result<(), DeskError> {
    let Change { tenant, supervisor, call, agent, leg, mode } = *change;
    telephony.monitor(leg, tenant, supervisor, mode).await?;
    audit.target = format!("call:{call}");
    let said = mode.map_or("stop", MonitorMode::as_str);
    let audit = audit.detail("agent", format!("user:{agent}")).detail("mode", said);
    if let Err(error) = engine.world.record(audit).await {
        // Nobody listens unaudited: without its event, the monitoring stops.
        let _stopped = telephony.monitor(leg, tenant, supervisor, None).await;
        return Err(error.into());
    }
    engine.world.announce(News::Monitor { tenant, call, agent, supervisor, mode: said }).await;
    Ok(())
}

/// A call has one supervisor at a time: the one already on it leaves as
/// another joins, kept on the call as their `stop` (asked by the one who
/// joined).
async fn displaced(
    engine: &Engine,
    tenant: TenantId,
    replaced: UserId,
    call: i64,
    agent: UserId,
    mut audit: AuditDraft,
) -> Result<(), DeskError> {
    audit.target = format!("call:{call}");
    let audit = audit.detail("agent", format!("user:{agent}")).detail("mode", "stop").detail("supervisor", format!("user:{replaced}"));
    engine.world.record(audit).await?;
    engine.note_monitoring(tenant, replaced, call, false);
    engine.world.announce(News::Monitor { tenant, call, agent, supervisor: replaced, mode: "stop" }).await;
    Ok(())
}

/// Takes the supervisor off the call they monitored before, if it is still
/// a conversation (an ended call took its monitoring with it).
async fn leave(
    engine: &Engine,
    telephony: &dyn Telephony,
    tenant: TenantId,
    supervisor: UserId,
    previous: i64,
    audit: AuditDraft,
) -> Result<(), DeskError> {
    engine.note_monitoring(tenant, supervisor, previous, false);
    let Some(call) = engine.world.call(tenant, previous).await?.filter(|call| call.state == CallState::Connected) else { return Ok(()) };
    let (Some(agent), Some(leg)) = (call.agent_id, engine.leg_of(previous)) else { return Ok(()) };
    let change = Change { tenant, supervisor, call: previous, agent, leg, mode: None };
    switch(engine, telephony, &change, audit).await
}
