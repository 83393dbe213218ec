//! Where the call engine's news goes in a server: call and agent changes
//! to the live feed (supervisors' views, the agent's desk), webhook events
//! to the outbox; and the engine wired to them over the store.

use crate::agent_view::StateView;
use crate::live_feed::{LiveEvent, LiveFeed};
use async_trait::async_trait;
use serde_json::json;
use std::sync::Arc;
use trustline_dialer::{Announcer, News};
use trustline_domain::Clock;
use trustline_store::Store;

pub struct FloorNews {
    pub live: LiveFeed,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
}

#[async_trait]
impl Announcer for FloorNews {
    async fn announce(&self, news: News) {
        match news {
            News::Call { tenant, call, origin, agent, state, result } => {
                let data = json!({
                    "id": call,
                    "campaign_id": origin.campaign,
                    "queue_id": origin.queue,
                    "agent_id": agent.map(|a| a.0),
                    "state": state.as_str(),
                    "result": result.map(trustline_domain::CallResult::as_str),
                });
                self.live.publish(LiveEvent { tenant, kind: "call".into(), data }).await;
            }
            News::Agent(change) => {
                if let Ok(data) = serde_json::to_value(StateView::after(&change)) {
                    self.live.publish(LiveEvent { tenant: change.tenant_id, kind: "agent".into(), data }).await;
                }
            }
            News::Monitor { tenant, call, agent, supervisor, mode } => {
                let data = json!({
                    "call": call,
                    "agent_id": agent.0,
                    "supervisor_id": supervisor.0,
                    "mode": mode,
                });
                self.live.publish(LiveEvent { tenant, kind: "monitor".into(), data }).await;
            }
            News::Consult { tenant, call, agent, state } => {
                let data = json!({ "call": call, "agent_id": agent.0, "state": state });
                self.live.publish(LiveEvent { tenant, kind: "consult".into(), data }).await;
            }
            News::DeskPhoneDown { tenant, agent } => {
                let data = json!({ "agent_id": agent.0 });
                self.live.publish(LiveEvent { tenant, kind: "desk_phone_down".into(), data }).await;
            }
            News::Webhook { tenant, event, data } => {
                crate::webhook_outbox::publish(self.store.as_ref(), self.clock.now(), tenant, event, data).await;
            }
        }
    }
}

/// The call engine of a server: its world is the store and the vault, its
/// news goes to `live` and the webhook outbox, its time is `clock` and
/// Tokio's timers; the calls it opens hold their audio on `node`. It places
/// no call until started.
pub fn floor_engine(
    store: Arc<dyn Store>,
    vault: Arc<trustline_vault::Vault>,
    live: LiveFeed,
    clock: Arc<dyn Clock>,
    node: trustline_store::NodeId,
) -> trustline_dialer::Engine {
    let news = FloorNews { live, store: store.clone(), clock: clock.clone() };
    let world = trustline_dialer::StoreWorld::new(store, vault, Arc::new(news), node);
    trustline_dialer::Engine::new(Arc::new(world), Arc::new(trustline_dialer::TokioTime::new(clock)))
}
