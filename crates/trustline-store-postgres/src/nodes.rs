//! The nodes' channel: NOTIFY on `trustline_nodes`, beside the live feed's.

use crate::{PostgresStore, must_change, unavailable};
use sqlx::postgres::PgListener;
use trustline_store::{LiveListener, NodeSignal, StoreResult};

const CHANNEL: &str = "trustline_nodes";

trustline_store_sql::node_store_for!(PostgresStore);

impl PostgresStore {
    async fn signal_nodes(&self, signal: &NodeSignal) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(signal.payload()).execute(&self.pool).await.map_err(unavailable)?;
        Ok(())
    }

    async fn nodes_listener(&self) -> StoreResult<Option<Box<dyn LiveListener>>> {
        let mut listener = PgListener::connect_with(&self.pool).await.map_err(unavailable)?;
        listener.listen(CHANNEL).await.map_err(unavailable)?;
        Ok(Some(Box::new(crate::live::Notifications(listener))))
    }
}
