//! The SQL of [`AccessReviewStore`](trustline_store::AccessReviewStore), the same on
//! both engines, expanded in each engine crate.

/// Implements [`AccessReviewStore`](trustline_store::AccessReviewStore) for an engine.
#[macro_export]
macro_rules! access_review_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::AccessReviewStore for $store {
            async fn start_access_review(
                &self,
                tenant: ::trustline_domain::TenantId,
                by: ::trustline_domain::UserId,
                at: ::trustline_domain::UnixTime,
                due_at: ::trustline_domain::UnixTime,
                mut audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<i64> {
                let mut tx = self.begin().await?;
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO access_reviews (tenant_id, started_by, started_at, due_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(tenant.0)
                .bind(by.0)
                .bind(at)
                .bind(due_at)
                .fetch_one(&mut *tx)
                .await
                .map_err(unavailable)?;
                $crate::sqlx::query(
                    "INSERT INTO access_review_items (review_id, tenant_id, user_id, role, manual_calls, decision)
                     SELECT $1, tenant_id, id, role, manual_calls, 'pending' FROM users WHERE tenant_id = $2 AND NOT disabled",
                )
                .bind(id)
                .bind(tenant.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                audit.target = format!("access_review:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn access_reviews(
                &self,
                tenant: ::trustline_domain::TenantId,
            ) -> $crate::store::StoreResult<Vec<$crate::store::AccessReview>> {
                let rows = $crate::sqlx::query("SELECT * FROM access_reviews WHERE tenant_id = $1 ORDER BY id DESC")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        let c = Cols(r);
                        Ok($crate::store::AccessReview {
                            id: c.int("id")?,
                            started_by: ::trustline_domain::UserId(c.int("started_by")?),
                            started_at: c.int("started_at")?,
                            due_at: c.int("due_at")?,
                            completed_at: c.opt_int("completed_at")?,
                        })
                    })
                    .collect()
            }

            async fn access_review_items(
                &self,
                tenant: ::trustline_domain::TenantId,
                review: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::AccessReviewItem>> {
                let rows =
                    $crate::sqlx::query("SELECT * FROM access_review_items WHERE tenant_id = $1 AND review_id = $2 ORDER BY user_id")
                        .bind(tenant.0)
                        .bind(review)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        let c = Cols(r);
                        Ok($crate::store::AccessReviewItem {
                            user_id: ::trustline_domain::UserId(c.int("user_id")?),
                            role: c.text("role")?,
                            manual_calls: c.flag("manual_calls")?,
                            decision: c.text("decision")?,
                            decided_by: c.opt_int("decided_by")?.map(::trustline_domain::UserId),
                            decided_at: c.opt_int("decided_at")?,
                        })
                    })
                    .collect()
            }

            async fn decide_access(
                &self,
                tenant: ::trustline_domain::TenantId,
                record: $crate::store::AccessDecisionRecord,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let $crate::store::AccessDecisionRecord { review, user, decision, by, at } = record;
                let mut tx = self.begin().await?;
                let exists: Option<String> = $crate::sqlx::query_scalar(
                    "SELECT decision FROM access_review_items WHERE tenant_id = $1 AND review_id = $2 AND user_id = $3",
                )
                .bind(tenant.0)
                .bind(review)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(unavailable)?;
                match exists.as_deref() {
                    None => return Err($crate::store::StoreError::NotFound),
                    Some("pending") => {}
                    Some(_) => return Err($crate::store::StoreError::Conflict("a decision already made on this account")),
                }
                $crate::sqlx::query(
                    "UPDATE access_review_items SET decision = $1, decided_by = $2, decided_at = $3 WHERE review_id = $4 AND user_id = $5",
                )
                .bind(decision)
                .bind(by.0)
                .bind(at)
                .bind(review)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                $crate::sqlx::query(
                    "UPDATE access_reviews SET completed_at = $1 WHERE id = $2 AND completed_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM access_review_items WHERE review_id = $2 AND decision = 'pending')",
                )
                .bind(at)
                .bind(review)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }
        }
    };
}
