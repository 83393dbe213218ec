//! The SQL of [`TrunkStore`](trustline_store::TrunkStore), the same on both
//! engines, expanded in each engine crate.

/// Implements [`TrunkStore`](trustline_store::TrunkStore) for an engine.
#[macro_export]
macro_rules! trunk_store_for {
    ($store:ident, $conn:ty) => {
        /// Sets or clears a trunk's login, forgetting how the last one
        /// registered; the rows changed.
        async fn set_trunk_login(
            conn: &mut $conn,
            tenant: ::trustline_domain::TenantId,
            id: i64,
            login: Option<$crate::store::SealedLogin>,
        ) -> $crate::store::StoreResult<u64> {
            let register = login.as_ref().is_some_and(|l| l.register);
            let (username, sealed_password) = login.map(|l| (l.username, l.sealed_password)).unzip();
            let done = $crate::sqlx::query(
                "UPDATE sip_trunks SET digest_username = $1, sealed_password = $2, register = $3, registration = NULL,
                 registration_detail = NULL, registration_at = NULL WHERE tenant_id = $4 AND id = $5",
            )
            .bind(&username)
            .bind(&sealed_password)
            .bind(register)
            .bind(tenant.0)
            .bind(id)
            .execute(conn)
            .await
            .map_err(unavailable)?;
            Ok(done.rows_affected())
        }

        #[::async_trait::async_trait]
        impl $crate::store::TrunkStore for $store {
            async fn create_trunk(
                &self,
                trunk: $crate::store::NewSipTrunk,
                mut audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<i64> {
                let sources = $crate::decode::to_json(&trunk.sources, "trunk sources")?;
                let register = trunk.digest.as_ref().is_some_and(|d| d.register);
                let (username, sealed_password) = trunk.digest.map(|d| (d.username, d.sealed_password)).unzip();
                let mut tx = self.begin().await?;
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO sip_trunks (tenant_id, name, host, port, sources, caller_id, digest_username, sealed_password, register, created_at, transport, srtp)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(trunk.tenant_id.0)
                .bind(&trunk.name)
                .bind(&trunk.host)
                .bind(i64::from(trunk.port))
                .bind(&sources)
                .bind(&trunk.caller_id)
                .bind(&username)
                .bind(&sealed_password)
                .bind(register)
                .bind(trunk.at)
                .bind(trunk.transport.as_str())
                .bind(trunk.srtp)
                .fetch_one(&mut *tx)
                .await
                .map_err(unavailable)?;
                audit.target = format!("trunk:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn trunks(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::SipTrunk>> {
                let rows = $crate::sqlx::query("SELECT * FROM sip_trunks WHERE tenant_id = $1 ORDER BY id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::sip_trunk(&Cols(r))).collect()
            }

            async fn update_trunk(
                &self,
                id: i64,
                trunk: $crate::store::NewSipTrunk,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let sources = $crate::decode::to_json(&trunk.sources, "trunk sources")?;
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "UPDATE sip_trunks SET name = $1, host = $2, port = $3, sources = $4, caller_id = $5, transport = $8, srtp = $9 WHERE tenant_id = $6 AND id = $7",
                )
                .bind(&trunk.name)
                .bind(&trunk.host)
                .bind(i64::from(trunk.port))
                .bind(&sources)
                .bind(&trunk.caller_id)
                .bind(trunk.tenant_id.0)
                .bind(id)
                .bind(trunk.transport.as_str())
                .bind(trunk.srtp)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                if let Some(login) = trunk.digest {
                    set_trunk_login(&mut tx, trunk.tenant_id, id, Some(login)).await?;
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn remove_trunk_login(
                &self,
                tenant: ::trustline_domain::TenantId,
                id: i64,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                must_change(set_trunk_login(&mut tx, tenant, id, None).await?)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn record_trunk_registration(&self, id: i64, registration: $crate::store::TrunkRegistration) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query("UPDATE sip_trunks SET registration = $1, registration_detail = $2, registration_at = $3 WHERE id = $4")
                    .bind(&registration.state)
                    .bind(&registration.detail)
                    .bind(registration.at)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn delete_trunk(
                &self,
                tenant: ::trustline_domain::TenantId,
                id: i64,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("DELETE FROM sip_trunks WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn every_trunk(&self) -> $crate::store::StoreResult<Vec<$crate::store::SipTrunk>> {
                let rows = $crate::sqlx::query("SELECT * FROM sip_trunks ORDER BY tenant_id, id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::sip_trunk(&Cols(r))).collect()
            }
        }
    };
}
