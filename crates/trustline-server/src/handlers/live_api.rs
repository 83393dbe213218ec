//! `GET /api/live`: Server-Sent Events for supervisor views. The stream
//! starts with a snapshot (every agent's state, the campaigns, the queues
//! and the calls waiting in them), then carries each change of the caller's
//! tenant as it is committed: `agent` and `call` events (a call event names
//! its campaign or queue, so queue depths follow from them).

use crate::auth::Authed;
use crate::error::ApiError;
use crate::live::LiveEvent;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::StreamExt as _;
use futures_util::stream::{self, Stream};
use serde_json::json;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub(crate) async fn stream(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    // Subscribe before the snapshot, so no change falls between the two.
    let receiver = state.live.watch();
    let agents = state.store.agent_statuses(tenant).await?;
    let campaigns = state.store.campaigns(tenant).await?;
    let queues = state.store.queues(tenant).await?;
    let waiting = state.store.waiting_calls(tenant).await?;
    let snapshot = json!({
        // The server's time, so that views count time in state by its clock.
        "now": state.clock.now(),
        "agents": agents
            .iter()
            .map(|a| json!({ "user_id": a.user_id.0, "state": a.state.code, "reason": a.state.reason, "since": a.since }))
            .collect::<Vec<_>>(),
        "campaigns": campaigns.iter().map(|c| json!({ "id": c.id, "name": c.name, "status": c.status })).collect::<Vec<_>>(),
        "queues": queues.iter().map(|q| json!({ "id": q.id, "name": q.name })).collect::<Vec<_>>(),
        "waiting": waiting
            .iter()
            .map(|c| json!({ "id": c.id, "queue_id": c.queue_id, "state": c.state.as_str(), "offered_at": c.offered_at }))
            .collect::<Vec<_>>(),
    });
    let first = Event::default().event("snapshot").data(snapshot.to_string());
    let changes = stream::unfold(receiver, move |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(LiveEvent { tenant: of, kind, data }) if of == tenant => {
                    return Some((Ok(Event::default().event(kind).data(data.to_string())), receiver));
                }
                Ok(_) => continue,
                // Too far behind: the view must reload its snapshot.
                Err(RecvError::Lagged(_)) => return Some((Ok(Event::default().event("resync").data("{}")), receiver)),
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let events = stream::once(async move { Ok(first) }).chain(changes);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
