//! Telling other server nodes about changes, for live views: PostgreSQL
//! carries them with NOTIFY; the embedded engine serves one node and needs
//! nothing.

use crate::StoreResult;
use async_trait::async_trait;

/// Changes announced by any node, one JSON payload at a time.
#[async_trait]
pub trait LiveListener: Send {
    async fn next(&mut self) -> StoreResult<String>;
}

#[async_trait]
pub trait LiveBus: Send + Sync {
    /// Tells every node about a change (a JSON payload under 8,000 bytes).
    async fn announce(&self, payload: &str) -> StoreResult<()>;
    /// A listener for changes announced by any node, this one included;
    /// `None` when the engine serves a single node.
    async fn listen(&self) -> StoreResult<Option<Box<dyn LiveListener>>>;
}
