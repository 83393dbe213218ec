//! Server-Sent Events. `GET /api/live`, for supervisor views, starts with a
//! snapshot (every agent's state, the campaigns, the queues and the calls
//! waiting in them), then carries each change of the caller's tenant as it
//! is committed: `agent` and `call` events (a call event names its campaign
//! or queue, so queue depths follow from them). `GET /api/agent/events`,
//! for the desk, carries the agent's own moves and calls. Either ends when
//! the session that opened it no longer holds.

use crate::auth::{self, Authed, Principal};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::StreamExt as _;
use futures_util::stream::{self, Stream};
use serde_json::json;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use trustline_app::LiveEvent;
use trustline_app::StateView;

/// How often a stream checks that its session still holds.
const RECHECK: Duration = Duration::from_secs(10);

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
            .map(|a| json!({ "user_id": a.user_id.0, "state": a.state.code().0, "reason": a.state.code().1, "since": a.since }))
            .collect::<Vec<_>>(),
        "campaigns": campaigns.iter().map(|c| json!({ "id": c.id, "name": c.name, "status": c.status })).collect::<Vec<_>>(),
        "queues": queues.iter().map(|q| json!({ "id": q.id, "name": q.name })).collect::<Vec<_>>(),
        "waiting": waiting
            .iter()
            .map(|c| json!({ "id": c.id, "queue_id": c.queue_id, "state": c.state.as_str(), "offered_at": c.offered_at }))
            .collect::<Vec<_>>(),
    });
    let first = Event::default().event("snapshot").data(snapshot.to_string());
    Ok(follow(state, authed.principal, receiver, first, |_| true, false))
}

/// `GET /api/agent/events`: the agent's own feed, for the desk. It starts
/// with their state, then carries each move of theirs (`agent`), each
/// change of a call of theirs (`call`), monitoring of it (`monitor`) and
/// their consultations (`consult`).
pub(crate) async fn mine(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (tenant, user) = (authed.principal.tenant.id, authed.principal.user.id);
    let receiver = state.live.watch();
    let status = state.store.agent_status(tenant, user).await?;
    let snapshot = serde_json::to_string(&StateView::of(user, status.as_ref())).unwrap_or_default();
    let first = Event::default().event("agent").data(snapshot);
    let me = json!(user.0);
    let theirs = move |event: &LiveEvent| match event.kind.as_str() {
        "agent" => event.data.get("user_id") == Some(&me),
        "call" | "monitor" | "consult" | "desk_phone_down" => event.data.get("agent_id") == Some(&me),
        _ => false,
    };
    Ok(follow(state, authed.principal, receiver, first, theirs, true))
}

/// A stream's state between two of its events.
struct Follower<K> {
    state: AppState,
    principal: Principal,
    keep: K,
    receiver: broadcast::Receiver<LiveEvent>,
    recheck: tokio::time::Interval,
}

/// What a stream does next.
enum Step {
    Send(Event),
    Skip,
    End,
}

/// `first`, then the changes of the principal's tenant that `keep` lets
/// through, as long as the principal holds: the stream is checked again
/// every `RECHECK` (and at once), and ends with a `signed_out` event once
/// the session ended or expired, the token was revoked, or the user was
/// disabled or changed role. A `desk` stream marks the agent's desk seen
/// at each check.
fn follow(
    state: AppState,
    principal: Principal,
    receiver: broadcast::Receiver<LiveEvent>,
    first: Event,
    keep: impl Fn(&LiveEvent) -> bool + Send + 'static,
    desk: bool,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let tenant = principal.tenant.id;
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // What each step needs moves from one step to the next; `None` once ended.
    let follower = Follower { state, principal, keep, receiver, recheck };
    let changes = stream::unfold(Some(follower), move |follower| async move {
        let mut f = follower?;
        loop {
            let step = tokio::select! {
                received = f.receiver.recv() => match received {
                    Ok(event) if event.tenant == tenant && (f.keep)(&event) => {
                        Step::Send(Event::default().event(event.kind).data(event.data.to_string()))
                    }
                    Ok(_) => Step::Skip,
                    // Too far behind: the view must reload its snapshot.
                    Err(RecvError::Lagged(_)) => Step::Send(Event::default().event("resync").data("{}")),
                    Err(RecvError::Closed) => Step::End,
                },
                _ = f.recheck.tick() => match auth::still_valid(&f.state, &f.principal).await {
                    Ok(true) => {
                        if desk && let Err(error) = trustline_dialer::seen(&f.state.engine, tenant, f.principal.user.id).await {
                            tracing::warn!(%error, "a desk's presence could not be recorded");
                        }
                        Step::Skip
                    }
                    // A store that cannot say is no reason to cut a view; the next check decides.
                    Err(error) => {
                        tracing::warn!(%error, "a live stream's session could not be checked");
                        Step::Skip
                    }
                    Ok(false) => return Some((Ok(Event::default().event("signed_out").data("{}")), None)),
                },
            };
            match step {
                Step::Send(event) => return Some((Ok(event), Some(f))),
                Step::Skip => continue,
                Step::End => return None,
            }
        }
    });
    let events = stream::once(async move { Ok(first) }).chain(changes);
    // Frequent, so that a closed page is noticed within seconds (its writes
    // fail) and stops marking its desk seen.
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(5)))
}
