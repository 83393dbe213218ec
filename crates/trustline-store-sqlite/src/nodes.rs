//! One node per SQLite file: nodes are recorded, but no command ever
//! needs to reach another.

use crate::{SqliteStore, must_change, unavailable};
use trustline_store::{LiveListener, NodeSignal, StoreResult};

trustline_store_sql::node_store_for!(SqliteStore);

impl SqliteStore {
    async fn signal_nodes(&self, _signal: &NodeSignal) -> StoreResult<()> {
        Ok(())
    }

    async fn nodes_listener(&self) -> StoreResult<Option<Box<dyn LiveListener>>> {
        Ok(None)
    }
}
