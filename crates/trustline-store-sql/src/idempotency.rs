//! The SQL of [`IdempotencyStore`](trustline_store::IdempotencyStore), the
//! same on both engines. Names resolve where it expands: the engine's
//! `unavailable` and row type (`Cols`).

/// Implements [`IdempotencyStore`](trustline_store::IdempotencyStore) for an engine.
#[macro_export]
macro_rules! idempotency_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::IdempotencyStore for $store {
            async fn claim_idempotency_key(
                &self,
                tenant: ::trustline_domain::TenantId,
                key: &str,
                fingerprint: &[u8; 32],
                at: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<$crate::store::IdempotencyClaim> {
                let claimed = $crate::sqlx::query(
                    "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key) DO NOTHING",
                )
                .bind(tenant.0)
                .bind(key)
                .bind(&fingerprint[..])
                .bind(at)
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                if claimed.rows_affected() == 1 {
                    return Ok($crate::store::IdempotencyClaim::Fresh);
                }
                let row = $crate::sqlx::query("SELECT fingerprint, status, body FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant.0)
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                // Released in between: the caller may simply try again.
                let Some(row) = row else { return Ok($crate::store::IdempotencyClaim::InProgress) };
                use $crate::decode::Columns as _;
                let row = Cols(&row);
                if row.bytes("fingerprint")? != fingerprint[..] {
                    return Ok($crate::store::IdempotencyClaim::OtherRequest);
                }
                Ok(match (row.opt_int("status")?, row.opt_bytes("body")?) {
                    (Some(status), Some(body)) => $crate::store::IdempotencyClaim::Answered { status: u16::try_from(status).unwrap_or(500), body },
                    _ => $crate::store::IdempotencyClaim::InProgress,
                })
            }

            async fn answer_idempotency_key(&self, tenant: ::trustline_domain::TenantId, key: &str, status: u16, body: &[u8]) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query("UPDATE idempotency_keys SET status = $1, body = $2 WHERE tenant_id = $3 AND key = $4")
                    .bind(i64::from(status))
                    .bind(body)
                    .bind(tenant.0)
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn release_idempotency_key(&self, tenant: ::trustline_domain::TenantId, key: &str) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND status IS NULL")
                    .bind(tenant.0)
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn delete_idempotency_keys_before(&self, before: ::trustline_domain::UnixTime) -> $crate::store::StoreResult<u64> {
                let done = $crate::sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(done.rows_affected())
            }
        }
    };
}
