//! The live feed behind supervisor views: changes published as they are
//! committed and streamed to watchers of the same tenant, on every node. On
//! PostgreSQL a change goes out as a NOTIFY and comes back to every node
//! (this one too) through its listener; on SQLite, one node, it stays in the
//! process. While the listener is not connected, changes reach this node's
//! watchers only.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::broadcast;
use trustline_domain::TenantId;
use trustline_store::Store;

/// Changes waiting for slow watchers; a watcher further behind is told to
/// fetch a fresh snapshot.
const BACKLOG: usize = 1024;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveEvent {
    pub tenant: TenantId,
    /// The SSE event name, e.g. `agent`.
    pub kind: String,
    pub data: Value,
}

#[derive(Clone)]
pub struct LiveFeed {
    local: broadcast::Sender<LiveEvent>,
    store: Arc<dyn Store>,
    /// Whether this node's listener is connected, so announcements come back.
    listening: Arc<AtomicBool>,
}

impl LiveFeed {
    /// Starts listening for other nodes' changes (when the engine has any).
    pub fn start(store: Arc<dyn Store>) -> Self {
        let feed = Self { local: broadcast::channel(BACKLOG).0, store, listening: Arc::new(AtomicBool::new(false)) };
        tokio::spawn(feed.clone().listen());
        feed
    }

    async fn listen(self) {
        let connect = || self.store.listen();
        crate::channel_listener::keep_listening(connect, &self.listening, "the live feed", Duration::from_secs(5), |payload| {
            match serde_json::from_str::<LiveEvent>(&payload) {
                Ok(event) => {
                    let _watchers = self.local.send(event);
                }
                Err(error) => tracing::warn!(%error, "an unreadable live change was ignored"),
            }
        })
        .await;
    }

    /// Sends a committed change to its tenant's watchers on every node.
    pub async fn publish(&self, event: LiveEvent) {
        if self.listening.load(Ordering::SeqCst) {
            match serde_json::to_string(&event) {
                Ok(payload) => match self.store.announce(&payload).await {
                    Ok(()) => return,
                    Err(error) => tracing::warn!(%error, "a live change reached this node only"),
                },
                Err(error) => tracing::warn!(%error, "a live change could not be encoded"),
            }
        }
        let _watchers = self.local.send(event);
    }

    pub fn watch(&self) -> broadcast::Receiver<LiveEvent> {
        self.local.subscribe()
    }
}
