//! The SQL of [`NodeStore`](trustline_store::NodeStore), the same on both
//! engines, expanded in each engine crate. The expansion site provides
//! `unavailable`, and `signal_nodes` (how the engine tells the other nodes)
//! and `nodes_listener` (how it hears them) on its store.

/// Implements [`NodeStore`](trustline_store::NodeStore) for an engine.
#[macro_export]
macro_rules! node_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::NodeStore for $store {
            async fn beat(&self, beat: &$crate::store::NodeBeat) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO nodes (id, started_at, seen_at, holds_calls) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, holds_calls = excluded.holds_calls",
                )
                .bind(&beat.id.0)
                .bind(beat.started_at)
                .bind(beat.seen_at)
                .bind(beat.holds_calls)
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(())
            }

            async fn nodes_seen_since(
                &self,
                since: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Vec<$crate::store::NodeBeat>> {
                let rows: Vec<(String, i64, i64, bool)> = $crate::sqlx::query_as(
                    "SELECT id, started_at, seen_at, holds_calls FROM nodes WHERE seen_at >= $1 ORDER BY seen_at DESC, id",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, started_at, seen_at, holds_calls)| $crate::store::NodeBeat {
                        id: $crate::store::NodeId(id),
                        started_at,
                        seen_at,
                        holds_calls,
                    })
                    .collect())
            }

            async fn call_owner(&self, call: i64) -> $crate::store::StoreResult<Option<$crate::store::NodeId>> {
                let owner: Option<Option<String>> = $crate::sqlx::query_scalar("SELECT owner_node FROM calls WHERE id = $1")
                    .bind(call)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(owner.flatten().map($crate::store::NodeId))
            }

            async fn send_node_command(
                &self,
                from: &$crate::store::NodeId,
                to: &$crate::store::NodeId,
                body: &[u8],
                at: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<i64> {
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO node_commands (to_node, from_node, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&to.0)
                .bind(&from.0)
                .bind(body)
                .bind(at)
                .fetch_one(&self.pool)
                .await
                .map_err(unavailable)?;
                self.signal_nodes(&$crate::store::NodeSignal::Command { id, to: to.clone() }).await?;
                Ok(id)
            }

            async fn take_node_command(
                &self,
                id: i64,
                to: &$crate::store::NodeId,
                at: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Option<($crate::store::NodeId, Vec<u8>)>> {
                let taken: Option<(String, Vec<u8>)> = $crate::sqlx::query_as(
                    "UPDATE node_commands SET taken_at = $1 WHERE id = $2 AND to_node = $3 AND taken_at IS NULL RETURNING from_node, body",
                )
                .bind(at)
                .bind(id)
                .bind(&to.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(taken.map(|(from, body)| ($crate::store::NodeId(from), body)))
            }

            async fn answer_node_command(&self, id: i64, sender: &$crate::store::NodeId, reply: &[u8]) -> $crate::store::StoreResult<()> {
                let done = $crate::sqlx::query("UPDATE node_commands SET reply = $1 WHERE id = $2 AND taken_at IS NOT NULL")
                    .bind(reply)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.signal_nodes(&$crate::store::NodeSignal::Reply { id, to: sender.clone() }).await
            }

            async fn collect_node_reply(&self, id: i64) -> $crate::store::StoreResult<Option<Vec<u8>>> {
                $crate::sqlx::query_scalar("DELETE FROM node_commands WHERE id = $1 AND reply IS NOT NULL RETURNING reply")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)
            }

            async fn withdraw_node_command(&self, id: i64) -> $crate::store::StoreResult<bool> {
                let done = $crate::sqlx::query("DELETE FROM node_commands WHERE id = $1 AND taken_at IS NULL")
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(done.rows_affected() == 1)
            }

            async fn forget_node_commands_before(&self, at: ::trustline_domain::UnixTime) -> $crate::store::StoreResult<u64> {
                let done = $crate::sqlx::query("DELETE FROM node_commands WHERE created_at < $1")
                    .bind(at)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(done.rows_affected())
            }

            async fn listen_nodes(&self) -> $crate::store::StoreResult<Option<Box<dyn $crate::store::LiveListener>>> {
                self.nodes_listener().await
            }
        }
    };
}
