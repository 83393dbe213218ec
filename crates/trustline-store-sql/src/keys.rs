//! The SQL of [`KeyStore`](trustline_store::KeyStore), the same on both engines,
//! expanded in each engine crate. Names
//! resolve where it expands: the engine's `check_master` (refuses material
//! wrapped by another master key, holding the installation row shared),
//! `lock_installation` (holds it exclusively for a master-key swap),
//! `unavailable` and row type (`Cols`), and the store's types.

/// Implements [`KeyStore`](trustline_store::KeyStore) for an engine whose sqlx
/// connection is `$conn`.
#[macro_export]
macro_rules! key_store_for {
    ($store:ident, $conn:ty) => {
        #[::async_trait::async_trait]
        impl KeyStore for $store {
            async fn tenant_keys(&self, tenant: TenantId) -> StoreResult<Vec<WrappedTenantKey>> {
                let rows = $crate::sqlx::query("SELECT tenant_id, version, wrapped FROM tenant_keys WHERE tenant_id = $1 ORDER BY version DESC")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::tenant_key(&Cols(r))).collect()
            }

            async fn add_tenant_key(&self, key: WrappedTenantKey, master_fingerprint: [u8; 16], audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                check_master(&mut tx, master_fingerprint).await?;
                $crate::sqlx::query("INSERT INTO tenant_keys (tenant_id, version, wrapped) VALUES ($1, $2, $3)")
                    .bind(key.tenant_id.0)
                    .bind(i64::from(key.version))
                    .bind(&key.wrapped)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match unavailable(e) {
                        StoreError::Conflict(_) => StoreError::Conflict("this tenant key version"),
                        other => other,
                    })?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn index_key(&self, tenant: TenantId) -> StoreResult<Option<Vec<u8>>> {
                $crate::sqlx::query_scalar("SELECT wrapped FROM tenant_index_keys WHERE tenant_id = $1")
                    .bind(tenant.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)
            }

            async fn add_index_key(&self, key: WrappedIndexKey, master_fingerprint: [u8; 16], audit: AuditDraft) -> StoreResult<Vec<u8>> {
                let mut tx = self.begin().await?;
                check_master(&mut tx, master_fingerprint).await?;
                let added = $crate::sqlx::query("INSERT INTO tenant_index_keys (tenant_id, wrapped) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING")
                    .bind(key.tenant_id.0)
                    .bind(&key.wrapped)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if added.rows_affected() == 0 {
                    tx.rollback().await.map_err(unavailable)?;
                    return self.index_key(key.tenant_id).await?.ok_or(StoreError::NotFound);
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(key.wrapped)
            }

            async fn subject_keys_below(&self, tenant: TenantId, version: u32, limit: u32) -> StoreResult<Vec<WrappedSubjectKey>> {
                let rows = $crate::sqlx::query(
                    "SELECT id, key_version, data_key FROM contacts
                     WHERE tenant_id = $1 AND key_version < $2 AND data_key IS NOT NULL ORDER BY id LIMIT $3",
                )
                .bind(tenant.0)
                .bind(i64::from(version))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter().map(|r| decode::subject_key(&Cols(r))).collect()
            }

            async fn rewrap_subject_keys(
                &self,
                tenant: TenantId,
                to_version: u32,
                keys: Vec<WrappedSubjectKey>,
                audit: AuditDraft,
            ) -> StoreResult<u64> {
                let mut tx = self.begin().await?;
                let mut changed = 0;
                for key in &keys {
                    let done = $crate::sqlx::query(
                        "UPDATE contacts SET key_version = $1, data_key = $2
                         WHERE tenant_id = $3 AND id = $4 AND key_version = $5 AND data_key IS NOT NULL",
                    )
                    .bind(i64::from(to_version))
                    .bind(&key.wrapped)
                    .bind(tenant.0)
                    .bind(key.contact_id.0)
                    .bind(i64::from(key.version))
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                    changed += done.rows_affected();
                }
                self.append(&mut tx, audit.detail("rewrapped", changed.to_string())).await?;
                Self::commit(tx).await?;
                Ok(changed)
            }

            async fn retire_tenant_keys(&self, tenant: TenantId, below: u32, audit: AuditDraft) -> StoreResult<u64> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "DELETE FROM tenant_keys WHERE tenant_id = $1 AND version < $2
                     AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = tenant_keys.tenant_id AND c.key_version = tenant_keys.version)",
                )
                .bind(tenant.0)
                .bind(i64::from(below))
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                self.append(&mut tx, audit.detail("retired", done.rows_affected().to_string())).await?;
                Self::commit(tx).await?;
                Ok(done.rows_affected())
            }

            async fn master_wrapped(&self) -> StoreResult<MasterWrapped> {
                let mut conn = self.pool.acquire().await.map_err(unavailable)?;
                master_wrapped(&mut conn).await
            }

            async fn replace_master_wrapped(&self, previous: [u8; 16], next: MasterWrapped, audits: Vec<AuditDraft>) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                lock_installation(&mut tx).await?;
                check_master(&mut tx, previous).await?;
                let current = master_wrapped(&mut tx).await?;
                if !trustline_store::same_key_set(&current, &next) {
                    return Err(StoreError::Conflict("a newer set of tenant keys (they changed during the rotation; run it again)"));
                }
                $crate::sqlx::query("UPDATE installation SET secret = $1, master_fingerprint = $2 WHERE id = 1")
                    .bind(&next.installation_secret)
                    .bind(&next.master_fingerprint[..])
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                for key in &next.tenant_keys {
                    $crate::sqlx::query("UPDATE tenant_keys SET wrapped = $1 WHERE tenant_id = $2 AND version = $3")
                        .bind(&key.wrapped)
                        .bind(key.tenant_id.0)
                        .bind(i64::from(key.version))
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                }
                for key in &next.index_keys {
                    $crate::sqlx::query("UPDATE tenant_index_keys SET wrapped = $1 WHERE tenant_id = $2")
                        .bind(&key.wrapped)
                        .bind(key.tenant_id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                }
                self.append_all(&mut tx, audits).await?;
                Self::commit(tx).await
            }
        }

        async fn master_wrapped(conn: &mut $conn) -> StoreResult<MasterWrapped> {
            let installation =
                $crate::sqlx::query("SELECT secret, master_fingerprint FROM installation WHERE id = 1").fetch_one(&mut *conn).await.map_err(unavailable)?;
            let installation = decode::installation(&Cols(&installation))?;
            let tenant_keys = $crate::sqlx::query("SELECT tenant_id, version, wrapped FROM tenant_keys ORDER BY tenant_id, version")
                .fetch_all(&mut *conn)
                .await
                .map_err(unavailable)?;
            let index_keys = $crate::sqlx::query("SELECT tenant_id, wrapped FROM tenant_index_keys ORDER BY tenant_id")
                .fetch_all(&mut *conn)
                .await
                .map_err(unavailable)?;
            Ok(MasterWrapped {
                master_fingerprint: installation.master_fingerprint,
                installation_secret: installation.wrapped_secret,
                tenant_keys: tenant_keys.iter().map(|r| decode::tenant_key(&Cols(r))).collect::<StoreResult<_>>()?,
                index_keys: index_keys.iter().map(|r| decode::index_key(&Cols(r))).collect::<StoreResult<_>>()?,
            })
        }
    };
}
