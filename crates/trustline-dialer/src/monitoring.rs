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
use trustline_telephony::MonitorMode;

/// Puts `supervisor` on `agent`'s conversation as `mode` says, or takes
/// them off it (`None`); `audit` (the request's, as `call.monitor`) is
/// kept on the call. Gives the call's id.
pub async fn monitor_agent(
    engine: &Engine,
    tenant: TenantId,
    supervisor: UserId,
    agent: UserId,
    mode: Option<MonitorMode>,
    mut audit: AuditDraft,
) -> Result<i64, DeskError> {
    if agent == supervisor {
        return Err(DeskError::WrongState("your own", "another agent's"));
    }
    let call = engine.world.agent_call(tenant, agent).await?.filter(|call| call.state == CallState::Connected);
    let call = call.ok_or(DeskError::WrongState("not in a conversation", "in a conversation"))?;
    let telephony = engine.telephony().cloned().ok_or(DeskError::NoTelephony)?;
    let leg = engine.leg_of(call.id).ok_or(DeskError::LineGone)?;
    telephony.monitor(leg, tenant, supervisor, mode).await?;
    audit.target = format!("call:{}", call.id);
    let said = mode.map_or("stop", MonitorMode::as_str);
    let audit = audit.detail("agent", format!("user:{agent}")).detail("mode", said);
    if let Err(error) = engine.world.record(audit).await {
        // Nobody listens unaudited: without its event, the monitoring stops.
        let _stopped = telephony.monitor(leg, tenant, supervisor, None).await;
        return Err(error.into());
    }
    // The agent is told at once.
    engine.world.announce(News::Monitor { tenant, call: call.id, agent, supervisor, mode: said }).await;
    Ok(call.id)
}
