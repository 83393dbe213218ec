use crate::{PostgresStore, unavailable};
use async_trait::async_trait;
use sqlx::postgres::PgListener;
use trustline_store::{LiveBus, LiveListener, StoreResult};

const CHANNEL: &str = "trustline_live";

pub(crate) struct Notifications(pub(crate) PgListener);

#[async_trait]
impl LiveListener for Notifications {
    async fn next(&mut self) -> StoreResult<String> {
        Ok(self.0.recv().await.map_err(unavailable)?.payload().to_owned())
    }
}

#[async_trait]
impl LiveBus for PostgresStore {
    async fn announce(&self, payload: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&self.pool).await.map_err(unavailable)?;
        Ok(())
    }

    async fn listen(&self) -> StoreResult<Option<Box<dyn LiveListener>>> {
        let mut listener = PgListener::connect_with(&self.pool).await.map_err(unavailable)?;
        listener.listen(CHANNEL).await.map_err(unavailable)?;
        Ok(Some(Box::new(Notifications(listener))))
    }
}
