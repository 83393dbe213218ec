//! The SQL of [`CampaignStore`](trustline_store::CampaignStore), the same on
//! both engines. Names resolve where it expands: the engine's `unavailable`,
//! `must_change` and row type (`Cols`).

/// Implements [`CampaignStore`](trustline_store::CampaignStore) for an engine.
#[macro_export]
macro_rules! campaign_store_for {
    ($store:ident, $conn:ty) => {
        fn name_taken(e: $crate::sqlx::Error) -> $crate::store::StoreError {
            match unavailable(e) {
                $crate::store::StoreError::Conflict(_) => $crate::store::StoreError::Conflict("a campaign with this name"),
                other => other,
            }
        }

        async fn replace_lists(conn: &mut $conn, tenant: ::trustline_domain::TenantId, campaign: i64, lists: &[i64]) -> $crate::store::StoreResult<()> {
            $crate::sqlx::query("DELETE FROM campaign_lists WHERE campaign_id = $1").bind(campaign).execute(&mut *conn).await.map_err(unavailable)?;
            for list in lists {
                // Only the tenant's own lists can be attached.
                let added = $crate::sqlx::query(
                    "INSERT INTO campaign_lists (campaign_id, list_id, tenant_id) SELECT $1, id, tenant_id FROM call_lists WHERE id = $2 AND tenant_id = $3",
                )
                .bind(campaign)
                .bind(list)
                .bind(tenant.0)
                .execute(&mut *conn)
                .await
                .map_err(unavailable)?;
                must_change(added.rows_affected())?;
            }
            Ok(())
        }

        impl $store {
            async fn with_lists(&self, mut campaign: $crate::store::Campaign) -> $crate::store::StoreResult<$crate::store::Campaign> {
                campaign.list_ids = $crate::sqlx::query_scalar("SELECT list_id FROM campaign_lists WHERE campaign_id = $1 ORDER BY list_id")
                    .bind(campaign.id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(campaign)
            }
        }

        #[::async_trait::async_trait]
        impl $crate::store::CampaignStore for $store {
            async fn create_campaign(&self, campaign: $crate::store::CampaignDraft, mut audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<i64> {
                let mut tx = self.begin().await?;
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO campaigns (tenant_id, name, status, settings, created_at, updated_at) VALUES ($1, $2, 'draft', $3, $4, $4) RETURNING id",
                )
                .bind(campaign.tenant_id.0)
                .bind(&campaign.name)
                .bind($crate::decode::to_json(&campaign.settings, "campaign settings")?)
                .bind(campaign.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(name_taken)?;
                replace_lists(&mut tx, campaign.tenant_id, id, &campaign.list_ids).await?;
                audit.target = format!("campaign:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn campaigns(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::Campaign>> {
                let rows = $crate::sqlx::query("SELECT * FROM campaigns WHERE tenant_id = $1 ORDER BY id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                let mut campaigns = Vec::with_capacity(rows.len());
                for row in &rows {
                    campaigns.push(self.with_lists($crate::decode::campaign(&Cols(row))?).await?);
                }
                Ok(campaigns)
            }

            async fn campaign(&self, tenant: ::trustline_domain::TenantId, id: i64) -> $crate::store::StoreResult<Option<$crate::store::Campaign>> {
                let row = $crate::sqlx::query("SELECT * FROM campaigns WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                match row {
                    Some(row) => Ok(Some(self.with_lists($crate::decode::campaign(&Cols(&row))?).await?)),
                    None => Ok(None),
                }
            }

            async fn update_campaign(&self, id: i64, campaign: $crate::store::CampaignDraft, audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE campaigns SET name = $1, settings = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5")
                    .bind(&campaign.name)
                    .bind($crate::decode::to_json(&campaign.settings, "campaign settings")?)
                    .bind(campaign.at)
                    .bind(campaign.tenant_id.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(name_taken)?;
                must_change(done.rows_affected())?;
                replace_lists(&mut tx, campaign.tenant_id, id, &campaign.list_ids).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn set_campaign_status(
                &self,
                tenant: ::trustline_domain::TenantId,
                id: i64,
                from: ::trustline_domain::dialing::CampaignStatus,
                to: ::trustline_domain::dialing::CampaignStatus,
                at: ::trustline_domain::UnixTime,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE campaigns SET status = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND status = $5")
                    .bind(to.as_str())
                    .bind(at)
                    .bind(tenant.0)
                    .bind(id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::Conflict("a newer change of this campaign's status"));
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }
        }
    };
}
