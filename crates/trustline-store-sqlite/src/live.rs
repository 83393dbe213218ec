use crate::SqliteStore;
use async_trait::async_trait;
use trustline_store::{LiveBus, LiveListener, StoreResult};

/// One node per SQLite file: live changes never leave the process.
#[async_trait]
impl LiveBus for SqliteStore {
    async fn announce(&self, _payload: &str) -> StoreResult<()> {
        Ok(())
    }

    async fn listen(&self) -> StoreResult<Option<Box<dyn LiveListener>>> {
        Ok(None)
    }
}
