//! Which tenants this node's engine works. A tenant's dialling, its
//! switchboard and the calls opened for it are one node's at a time, under
//! the tenant's lease in the database: every node running the engine asks
//! for every working tenant's lease every [`RENEW_EVERY`], renews those it
//! holds, and takes those whose holder stopped renewing for
//! [`LEASE_SECONDS`]. Renewal runs apart from the engine's looks, so a slow
//! look never lets a lease lapse.
//!
//! A node taking a tenant over settles the calls left behind by the node
//! that held it (whose audio went with it); a lease it lost fences every
//! call it would still open (see `StoreWorld::open_call`).

use crate::call_moves::CallError;
use crate::engine::Engine;
use crate::news::Origin;
use crate::outbound::call_flow;
use crate::world::Holding;
use std::time::Duration;
use trustline_domain::agent::AgentState;
use trustline_domain::{CallResult, TenantId};
use trustline_store::{CallDirection, CallState};

/// How long a lease lasts without renewal: a lost node's tenants are taken
/// over within this and one [`RENEW_EVERY`].
pub(crate) const LEASE_SECONDS: i64 = 6;
/// Between two rounds of asking for leases.
pub(crate) const RENEW_EVERY: Duration = Duration::from_secs(2);

/// Asks for the working tenants' leases now and every [`RENEW_EVERY`]
/// until the process ends.
pub(crate) fn start(engine: &Engine) {
    let engine = engine.clone();
    tokio::spawn(async move {
        loop {
            if let Err(error) = hold_all(&engine).await {
                tracing::warn!(%error, "the tenants' leases could not be asked for");
            }
            tokio::time::sleep(RENEW_EVERY).await;
        }
    });
}

async fn hold_all(engine: &Engine) -> Result<(), CallError> {
    for tenant in engine.world.working_tenants().await? {
        hold(engine, tenant).await;
    }
    Ok(())
}

/// Whether this node works `tenant`'s calls now: its hold is good, or it
/// lapsed (a clock that jumped, a renewal late) and is renewed now. A
/// tenant another node holds is asked for by the rounds only.
pub(crate) async fn works(engine: &Engine, tenant: TenantId) -> bool {
    match engine.world.tenant_held_until(tenant) {
        Some(until) if until > engine.time.now() => true,
        Some(_) => hold(engine, tenant).await,
        None => false,
    }
}

/// Asks for `tenant`'s lease; settles what its last holder left when this
/// node takes it. Whether it is held.
async fn hold(engine: &Engine, tenant: TenantId) -> bool {
    let now = engine.time.now();
    match engine.world.hold_tenant(tenant, now, now + LEASE_SECONDS).await {
        Ok(Holding::Taken) => {
            tracing::info!(tenant = tenant.0, "this node works the tenant's calls from now");
            if let Err(error) = settle_left_calls(engine, tenant).await {
                tracing::error!(%error, tenant = tenant.0, "calls left by the tenant's last holder could not be settled");
            }
            engine.wake();
            true
        }
        Ok(Holding::Kept) => true,
        Ok(Holding::Elsewhere) => false,
        Err(error) => {
            tracing::warn!(%error, tenant = tenant.0, "the tenant's lease could not be renewed");
            engine.world.tenant_held_until(tenant).is_some_and(|until| until > now)
        }
    }
}

/// Calls the tenant's last holder left have no carrier leg any more (their
/// audio was on that node, or in an earlier run of this one): ones not yet
/// talking end as lost, conversations go to wrap-up so the agent can set the
/// disposition. Callers waiting for a callback keep waiting: they are off
/// the line already. Agents reserved for what lived in the last holder's
/// memory only (an answered call waiting for them, a colleague's
/// consultation) are free again.
async fn settle_left_calls(engine: &Engine, tenant: TenantId) -> Result<(), CallError> {
    for call in engine.world.calls_left_by_others(tenant).await? {
        let result = match call.state {
            CallState::Offered if call.direction == CallDirection::Outbound => Some(CallResult::Skipped),
            CallState::Offered | CallState::Queued | CallState::Ringing | CallState::Answered => Some(CallResult::Lost),
            CallState::Connected => None,
            CallState::Callback | CallState::WrapUp | CallState::Done => continue,
        };
        let settled = match (result, call.agent_id) {
            (Some(result), agent) => {
                call_flow::end_unreached(engine, call.tenant_id, Origin::of(&call), call.id, call.state, result, agent).await
            }
            (None, Some(agent)) => call_flow::remote_hang_up(engine, call.tenant_id, call.id, agent, Origin::of(&call)).await,
            (None, None) => continue,
        };
        if let Err(error) = settled {
            tracing::warn!(%error, call = call.id, "a call left by the tenant's last holder could not be settled");
        }
    }
    for status in engine.world.agent_statuses(tenant).await? {
        if status.state != AgentState::Reserved || engine.world.agent_call(tenant, status.user_id).await?.is_some() {
            continue;
        }
        if let Err(error) = call_flow::release_agent(engine, tenant, status.user_id).await {
            tracing::warn!(%error, agent = status.user_id.0, "an agent reserved by the tenant's last holder could not be freed");
        }
    }
    Ok(())
}
