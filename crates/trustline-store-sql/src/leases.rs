//! The SQL of [`LeaseStore`](trustline_store::LeaseStore), the same on both
//! engines, and the fence a write made under a lease checks in its own
//! transaction. The expansion site provides `unavailable`.

/// Refused with [`LeaseLost`](trustline_store::StoreError::LeaseLost)
/// unless `fence` is still the lease's holder and token. The row is
/// written (to itself), so on PostgreSQL a node taking the lease over waits
/// for this transaction to end: what it commits under the old token is
/// seen by the new holder, and nothing is committed under it after.
#[macro_export]
macro_rules! check_fence {
    ($tx:expr, $fence:expr) => {{
        let fence: &$crate::store::Fence = $fence;
        let held = $crate::sqlx::query("UPDATE leases SET token = token WHERE name = $1 AND holder = $2 AND token = $3")
            .bind(&fence.lease)
            .bind(&fence.holder.0)
            .bind(fence.token)
            .execute(&mut *$tx)
            .await
            .map_err(unavailable)?;
        if held.rows_affected() != 1 {
            return Err($crate::store::StoreError::LeaseLost);
        }
    }};
}

/// Implements [`LeaseStore`](trustline_store::LeaseStore) for an engine.
#[macro_export]
macro_rules! lease_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::LeaseStore for $store {
            async fn hold_lease(
                &self,
                name: &str,
                holder: &$crate::store::NodeId,
                now: ::trustline_domain::UnixTime,
                until: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Option<$crate::store::Fence>> {
                // SET sees the row as it was: the token grows only when the holder changes.
                let token: Option<i64> = $crate::sqlx::query_scalar(
                    "INSERT INTO leases (name, holder, token, expires_at) VALUES ($1, $2, 1, $3)
                     ON CONFLICT (name) DO UPDATE
                       SET token = CASE WHEN leases.holder = excluded.holder THEN leases.token ELSE leases.token + 1 END,
                           holder = excluded.holder, expires_at = excluded.expires_at
                       WHERE leases.holder = excluded.holder OR leases.expires_at <= $4
                     RETURNING token",
                )
                .bind(name)
                .bind(&holder.0)
                .bind(until)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(token.map(|token| $crate::store::Fence { lease: name.to_owned(), holder: holder.clone(), token }))
            }

            async fn release_lease(&self, fence: &$crate::store::Fence) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query("UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2 AND token = $3")
                    .bind(&fence.lease)
                    .bind(&fence.holder.0)
                    .bind(fence.token)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn lease(&self, name: &str) -> $crate::store::StoreResult<Option<$crate::store::LeaseRecord>> {
                let row: Option<(String, String, i64, i64)> =
                    $crate::sqlx::query_as("SELECT name, holder, token, expires_at FROM leases WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(unavailable)?;
                Ok(row.map($crate::decode::lease_record))
            }

            async fn leases(&self) -> $crate::store::StoreResult<Vec<$crate::store::LeaseRecord>> {
                let rows: Vec<(String, String, i64, i64)> =
                    $crate::sqlx::query_as("SELECT name, holder, token, expires_at FROM leases ORDER BY name")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(unavailable)?;
                Ok(rows.into_iter().map($crate::decode::lease_record).collect())
            }
        }
    };
}
