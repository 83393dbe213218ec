//! Whether an agent's desk is still there. The desk's live feed marks it
//! seen when it opens and at each of its session checks; an agent available,
//! on a break or in wrap-up whose desk has not been seen for `DESK_GRACE`
//! (the browser closed, the network gone) is logged out of work, so that
//! calls are not offered to an empty desk and nobody counts as working; a
//! wrap-up is closed first (`wrap_up_timeout`). Agents who work through the
//! API alone never open the feed and are left as they are.

use crate::agent_moves;
use crate::engine::Engine;
use crate::outbound::call_flow::CallError;
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentEvent;
use trustline_domain::agent::AgentState;
use trustline_domain::{AuditAction, TenantId, UserId};
use trustline_store::StoreError;

/// Three missed checks of the feed (every 10 s), so a page reload or a
/// reconnect to another node does not count.
pub(crate) const DESK_GRACE: i64 = 30;

/// The agent's desk is there now.
pub async fn seen(engine: &Engine, tenant: TenantId, user: UserId) -> Result<(), StoreError> {
    engine.world.desk_seen(tenant, user, engine.time.now()).await
}

/// Logs out of work the tenant's agents whose desk is gone.
pub(crate) async fn log_out_deserted(engine: &Engine, tenant: TenantId) -> Result<(), CallError> {
    let now = engine.time.now();
    for mut status in engine.world.deserted_desks(tenant, now - DESK_GRACE).await? {
        let agent = status.user_id;
        if status.state == AgentState::WrapUp {
            if let Some(call) = engine.world.agent_call(tenant, agent).await?
                && let Err(error) = crate::outbound::after_call_work::time_out(engine, &call, now, "desk closed").await
            {
                tracing::warn!(%error, agent = agent.0, "the wrap-up of a closed desk could not be closed");
                continue;
            }
            let Some(now_status) = engine.world.agent_status(tenant, agent).await? else { continue };
            status = now_status;
        }
        let change = agent_moves::plan(tenant, agent, Some(&status), AgentEvent::LogOut, "log_out", now)?;
        // Logged out, the agent has no break reason: the reason is why they were.
        let audit =
            agent_moves::described(AuditDraft::new(now, tenant.0, "system", AuditAction::AgentState, format!("user:{agent}")), &change)
                .detail("reason", "desk closed");
        match engine.world.move_agent(change.clone(), audit).await {
            Ok(()) => agent_moves::publish(engine, &change).await,
            Err(StoreError::Conflict(_)) => continue, // the agent moved meanwhile
            Err(error) => return Err(error.into()),
        }
        engine.world.forget_desk(tenant, agent).await?;
    }
    Ok(())
}
