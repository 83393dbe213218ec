//! The live feed behind supervisor views: changes published as they are
//! committed and streamed to watchers of the same tenant. It is per server
//! process: a supervisor sees changes made through the node they are
//! connected to.

use serde_json::Value;
use tokio::sync::broadcast;
use trustline_domain::TenantId;

/// Changes waiting for slow watchers; a watcher further behind is told to
/// fetch a fresh snapshot.
const BACKLOG: usize = 1024;

#[derive(Clone, Debug)]
pub(crate) struct LiveEvent {
    pub tenant: TenantId,
    /// The SSE event name, e.g. `agent`.
    pub kind: &'static str,
    pub data: Value,
}

#[derive(Clone)]
pub(crate) struct LiveFeed(broadcast::Sender<LiveEvent>);

impl LiveFeed {
    pub fn new() -> Self {
        Self(broadcast::channel(BACKLOG).0)
    }

    /// Nobody watching is not an error.
    pub fn publish(&self, event: LiveEvent) {
        let _watchers = self.0.send(event);
    }

    pub fn watch(&self) -> broadcast::Receiver<LiveEvent> {
        self.0.subscribe()
    }
}
