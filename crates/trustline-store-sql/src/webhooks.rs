//! The SQL of [`WebhookStore`](trustline_store::WebhookStore), the same on both
//! engines, expanded in each engine crate.

/// Implements [`WebhookStore`](trustline_store::WebhookStore) for an engine.
#[macro_export]
macro_rules! webhook_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::WebhookStore for $store {
            async fn create_webhook(&self, webhook: $crate::store::NewWebhook, mut audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<i64> {
                let mut tx = self.begin().await?;
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO webhooks (tenant_id, url, events, description, sealed_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(webhook.tenant_id.0)
                .bind(&webhook.url)
                .bind(&webhook.events)
                .bind(&webhook.description)
                .bind(&webhook.sealed_secret)
                .bind(webhook.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(unavailable)?;
                audit.target = format!("webhook:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn webhooks(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::Webhook>> {
                let rows = $crate::sqlx::query("SELECT * FROM webhooks WHERE tenant_id = $1 ORDER BY id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::webhook(&Cols(r))).collect()
            }

            async fn webhook(&self, tenant: ::trustline_domain::TenantId, id: i64) -> $crate::store::StoreResult<Option<$crate::store::Webhook>> {
                let row = $crate::sqlx::query("SELECT * FROM webhooks WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::webhook(&Cols(r))).transpose()
            }

            async fn delete_webhook(&self, tenant: ::trustline_domain::TenantId, id: i64, audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                $crate::sqlx::query("DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                let done = $crate::sqlx::query("DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn enqueue_deliveries(&self, deliveries: Vec<$crate::store::NewDelivery>) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                for d in &deliveries {
                    $crate::sqlx::query(
                        "INSERT INTO webhook_deliveries (tenant_id, webhook_id, event, payload, state, attempts, next_attempt_at, created_at)
                         SELECT tenant_id, id, $1, $2, 'pending', 0, $3, $3 FROM webhooks WHERE tenant_id = $4 AND id = $5",
                    )
                    .bind(&d.event)
                    .bind(&d.payload)
                    .bind(d.at)
                    .bind(d.tenant_id.0)
                    .bind(d.webhook_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                }
                Self::commit(tx).await
            }

            async fn claim_deliveries(
                &self,
                now: ::trustline_domain::UnixTime,
                lease_until: ::trustline_domain::UnixTime,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::store::WebhookDelivery>> {
                let rows = $crate::sqlx::query(
                    "SELECT * FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
                )
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                let mut claimed = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut delivery = $crate::decode::webhook_delivery(&Cols(row))?;
                    // Taken only if nobody moved it since it was read.
                    let taken = $crate::sqlx::query(
                        "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND state = 'pending' AND next_attempt_at = $3",
                    )
                    .bind(lease_until)
                    .bind(delivery.id)
                    .bind(delivery.next_attempt_at)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                    if taken.rows_affected() == 1 {
                        delivery.next_attempt_at = Some(lease_until);
                        claimed.push(delivery);
                    }
                }
                Ok(claimed)
            }

            async fn finish_attempt(&self, id: i64, outcome: $crate::store::AttemptOutcome, at: ::trustline_domain::UnixTime) -> $crate::store::StoreResult<()> {
                use $crate::store::AttemptOutcome as O;
                let (state, status, error, next, delivered) = match &outcome {
                    O::Delivered { status } => ("delivered", Some(*status), None, None, Some(at)),
                    O::Retry { status, error, retry_at } => ("pending", *status, Some(error.as_str()), Some(*retry_at), None),
                    O::Failed { status, error } => ("failed", *status, Some(error.as_str()), None, None),
                };
                $crate::sqlx::query(
                    "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, last_status = $2, last_error = $3,
                       next_attempt_at = $4, delivered_at = $5 WHERE id = $6 AND state = 'pending'",
                )
                .bind(state)
                .bind(status.map(i64::from))
                .bind(error)
                .bind(next)
                .bind(delivered)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(())
            }

            async fn deliveries(
                &self,
                tenant: ::trustline_domain::TenantId,
                webhook: i64,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::store::WebhookDelivery>> {
                let rows = $crate::sqlx::query("SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2 ORDER BY id DESC LIMIT $3")
                    .bind(tenant.0)
                    .bind(webhook)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::webhook_delivery(&Cols(r))).collect()
            }
        }
    };
}
