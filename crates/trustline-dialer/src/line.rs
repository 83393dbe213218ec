//! A person's line, followed until they hang up. A transfer may move the
//! line to another call while it is followed, so the call that ends is the
//! one holding the line when the person leaves; an outside party a
//! transfer joined them to is hung up with them.

use crate::call_moves::{self, CallError};
use crate::engine::Engine;
use crate::news::Origin;
use tokio::sync::mpsc::Receiver;
use trustline_domain::{CallResult, TenantId};
use trustline_store::{CallState, StoreError};
use trustline_telephony::{CallProgress, LegId};

/// Follows the line until the person hangs up, or the line is ended from
/// this side (which closes `progress`), then ends whatever call holds it.
pub(crate) async fn follow(engine: &Engine, tenant: TenantId, leg: LegId, progress: &mut Receiver<CallProgress>) {
    hung_up(progress).await;
    if let Err(error) = person_left(engine, tenant, leg).await {
        tracing::warn!(%error, "a hang-up could not be recorded");
    }
}

/// Waits until the far end hangs up, or the line is ended from this side
/// (which closes `progress`).
pub(crate) async fn hung_up(progress: &mut Receiver<CallProgress>) {
    while let Some(event) = progress.recv().await {
        if event == CallProgress::RemoteHangUp {
            return;
        }
    }
}

/// The person on `leg` is gone: the call holding the line ends as its
/// state says, and an outside party joined to them is hung up.
pub(crate) async fn person_left(engine: &Engine, tenant: TenantId, leg: LegId) -> Result<(), CallError> {
    if let Some(other) = engine.outside_party(leg) {
        engine.hang_up(other).await;
    }
    // A change racing this one (an agent taking the call, a transfer moving
    // the line) is read again.
    for _ in 0..4 {
        let Some(id) = engine.call_on(leg) else { return Ok(()) };
        match caller_left(engine, tenant, id).await {
            Err(CallError::Store(StoreError::Conflict(_))) => continue,
            Err(error) => return Err(error),
            Ok(()) if engine.call_on(leg) == Some(id) => return Ok(()),
            Ok(()) => continue,
        }
    }
    Ok(())
}

/// The person on call `id` hung up: while waiting (or ringing at an
/// agent's desk), the call is abandoned; while talking, it goes to wrap-up.
/// `Conflict` when the call moved meanwhile.
pub(crate) async fn caller_left(engine: &Engine, tenant: TenantId, id: i64) -> Result<(), CallError> {
    let Some(call) = engine.world.call(tenant, id).await? else { return Ok(()) };
    let origin = Origin::of(&call);
    match (call.state, call.agent_id) {
        (CallState::Queued, _) => {
            call_moves::end_unreached(engine, tenant, origin, id, CallState::Queued, CallResult::Abandoned, None).await
        }
        (CallState::Offered, agent) => {
            call_moves::end_unreached(engine, tenant, origin, id, CallState::Offered, CallResult::Abandoned, agent).await
        }
        (CallState::Connected, Some(agent)) => call_moves::remote_hang_up(engine, tenant, id, agent, origin).await,
        _ => Ok(()),
    }
}
