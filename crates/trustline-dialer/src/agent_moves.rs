//! Agents' moves: the domain's state machine applied to the state on record,
//! in the stored form, and the live change each committed move publishes.

use crate::engine::Engine;
use crate::news::News;
use trustline_audit::AuditDraft;
use trustline_domain::agent::{AgentEvent, AgentState, IllegalTransition};
use trustline_domain::{TenantId, UnixTime, UserId};
use trustline_store::{AgentMove, AgentStatus, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The agent's state (offline with no record).
pub(crate) fn current(status: Option<&AgentStatus>) -> AgentState {
    status.map_or(AgentState::Offline, |s| s.state.clone())
}

/// The move `event` makes from the state on record, if the domain allows it.
pub(crate) fn plan(
    tenant: TenantId,
    user: UserId,
    status: Option<&AgentStatus>,
    event: AgentEvent,
    event_name: &str,
    at: UnixTime,
) -> Result<AgentMove, MoveError> {
    let from = current(status);
    let to = from.apply(event)?;
    Ok(AgentMove { tenant_id: tenant, user_id: user, event: event_name.to_owned(), from, to, at })
}

/// `audit` with what the move did: the states left and entered, and the
/// break's reason.
pub(crate) fn described(audit: AuditDraft, change: &AgentMove) -> AuditDraft {
    let audit = audit.detail("from", change.from.code().0).detail("to", change.to.code().0);
    match change.to.code().1 {
        Some(reason) => audit.detail("reason", reason),
        None => audit,
    }
}

/// Tells the world about a committed move.
pub(crate) async fn publish(engine: &Engine, change: &AgentMove) {
    if change.to == AgentState::Offline
        && let Some(telephony) = engine.telephony()
    {
        // Out of work, the agent's desk carries no audio.
        telephony.close_softphone(change.tenant_id, change.user_id).await;
    }
    engine.world.announce(News::Agent(change.clone())).await;
}

/// Plans `event` for `user`, stores it with `audit` (described with what
/// the move did), and tells the world and wakes the engine: the one way an
/// agent's state changes at anyone's request.
pub async fn carry_out(
    engine: &Engine,
    tenant: TenantId,
    user: UserId,
    event: AgentEvent,
    event_name: &str,
    audit: AuditDraft,
) -> Result<AgentMove, MoveError> {
    let status = engine.world.agent_status(tenant, user).await?;
    let change = plan(tenant, user, status.as_ref(), event, event_name, engine.time.now())?;
    engine.world.move_agent(change.clone(), described(audit, &change)).await?;
    if change.from == AgentState::Offline {
        // A new working day: a desk seen before it says nothing now.
        engine.world.forget_desk(tenant, user).await?;
    }
    publish(engine, &change).await;
    engine.wake();
    Ok(change)
}

/// Agents free to take work, longest idle first.
pub(crate) fn longest_idle_first(statuses: &[AgentStatus]) -> Vec<&AgentStatus> {
    let mut free: Vec<&AgentStatus> = statuses.iter().filter(|s| s.state.can_take_work()).collect();
    free.sort_by_key(|s| s.since);
    free
}
