//! The SQL of [`AuditChainStore`](trustline_store::AuditChainStore), the same on
//! both engines, expanded in each engine crate. Names resolve where it
//! expands: the engine's `unavailable`
//! and row type (`Cols`), and the store's types.

/// Implements [`AuditChainStore`](trustline_store::AuditChainStore) for an engine.
#[macro_export]
macro_rules! audit_chain_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::AuditChainStore for $store {
            async fn audit_head(&self, tenant: TenantId) -> StoreResult<Option<(i64, Hash)>> {
                let row = $crate::sqlx::query("SELECT seq, hash FROM audit_heads WHERE tenant_id = $1")
                    .bind(tenant.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::head(&Cols(r))).transpose()
            }

            async fn audit_hash_at(&self, tenant: TenantId, seq: i64) -> StoreResult<Option<Hash>> {
                let row = $crate::sqlx::query("SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = $2")
                    .bind(tenant.0)
                    .bind(seq)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::hash(&Cols(r), "hash")).transpose()
            }

            async fn add_checkpoint(&self, checkpoint: Checkpoint) -> StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO audit_checkpoints (tenant_id, seq, hash, at, signature) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (tenant_id, seq) DO NOTHING",
                )
                .bind(checkpoint.tenant_id)
                .bind(checkpoint.seq)
                .bind(&checkpoint.hash[..])
                .bind(checkpoint.at)
                .bind(&checkpoint.signature)
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(())
            }

            async fn checkpoints(&self, tenant: TenantId) -> StoreResult<Vec<Checkpoint>> {
                let rows = $crate::sqlx::query("SELECT * FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY seq")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::checkpoint(&Cols(r))).collect()
            }

            async fn latest_checkpoint_seq(&self, tenant: TenantId) -> StoreResult<Option<i64>> {
                $crate::sqlx::query_scalar("SELECT MAX(seq) FROM audit_checkpoints WHERE tenant_id = $1")
                    .bind(tenant.0)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(unavailable)
            }
        }
    };
}
