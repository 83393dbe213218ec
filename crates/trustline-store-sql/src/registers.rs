//! The SQL of [`RegisterStore`](trustline_store::RegisterStore), the same on both
//! engines, expanded in each engine crate.

/// Implements [`RegisterStore`](trustline_store::RegisterStore) for an engine.
#[macro_export]
macro_rules! register_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::RegisterStore for $store {
            async fn add_register_entry(
                &self,
                tenant: ::trustline_domain::TenantId,
                register: &str,
                body: &str,
                at: ::trustline_domain::UnixTime,
                mut audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<i64> {
                let mut tx = self.begin().await?;
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO register_entries (tenant_id, register, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                )
                .bind(tenant.0)
                .bind(register)
                .bind(body)
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .map_err(unavailable)?;
                audit.target = format!("{register}:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn replace_register_entry(
                &self,
                tenant: ::trustline_domain::TenantId,
                register: &str,
                id: i64,
                body: &str,
                at: ::trustline_domain::UnixTime,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE register_entries SET body = $1, updated_at = $2 WHERE tenant_id = $3 AND register = $4 AND id = $5")
                    .bind(body)
                    .bind(at)
                    .bind(tenant.0)
                    .bind(register)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn register_entries(&self, tenant: ::trustline_domain::TenantId, register: &str) -> $crate::store::StoreResult<Vec<$crate::store::RegisterEntry>> {
                let rows = $crate::sqlx::query("SELECT * FROM register_entries WHERE tenant_id = $1 AND register = $2 ORDER BY id")
                    .bind(tenant.0)
                    .bind(register)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        let c = Cols(r);
                        Ok($crate::store::RegisterEntry { id: c.int("id")?, body: c.text("body")?, created_at: c.int("created_at")?, updated_at: c.int("updated_at")? })
                    })
                    .collect()
            }
        }
    };
}
