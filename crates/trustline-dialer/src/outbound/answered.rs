//! Answered calls placed ahead of agents, waiting for one. The engine
//! serves them before anything else at each look (a freed agent wakes it):
//! the oldest call gets the longest-idle free agent. The call's follower
//! gives up at the campaign's allowed wait, on the engine's clock, and the
//! call is abandoned. Nothing polls: an agent freed is a wake, and the
//! deadline is an alarm.

use super::call_flow::CallError;
use super::call_flow::{release_agent, reserve_agent};
use crate::engine::Engine;
use crate::news::Origin;
use trustline_domain::TenantId;
use trustline_store::StoreError;

/// Gives the tenant's answered calls, oldest first, the longest-idle free agents.
pub(crate) async fn serve(engine: &Engine, tenant: TenantId) -> Result<(), CallError> {
    let calls = engine.answered.of_tenant(tenant);
    if calls.is_empty() {
        return Ok(());
    }
    let statuses = engine.world.agent_statuses(tenant).await?;
    let mut free = crate::agent_moves::longest_idle_first(&statuses).into_iter();
    for (call, campaign) in calls {
        let origin = Origin::campaign(campaign);
        for status in free.by_ref() {
            match reserve_agent(engine, tenant, status.user_id, Some(status), origin).await {
                Ok(()) => {
                    if !engine.answered.hand(call, status.user_id) {
                        // The call was abandoned as the agent was reserved: they are free again.
                        release_agent(engine, tenant, status.user_id).await?;
                    }
                    break;
                }
                Err(CallError::Store(StoreError::Conflict(_)) | CallError::Move(_)) => continue, // the agent moved meanwhile
                Err(error) => return Err(error),
            }
        }
    }
    Ok(())
}
