//! The SQL of [`TrainingStore`](trustline_store::TrainingStore), the same on both
//! engines, expanded in each engine crate.

/// Implements [`TrainingStore`](trustline_store::TrainingStore) for an engine.
#[macro_export]
macro_rules! training_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::TrainingStore for $store {
            async fn create_course(
                &self,
                tenant: ::trustline_domain::TenantId,
                title: &str,
                validity_days: u32,
                required: bool,
                at: ::trustline_domain::UnixTime,
                mut audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<i64> {
                let mut tx = self.begin().await?;
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO courses (tenant_id, title, validity_days, required, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(tenant.0)
                .bind(title)
                .bind(i64::from(validity_days))
                .bind(required)
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match unavailable(e) {
                    $crate::store::StoreError::Conflict(_) => $crate::store::StoreError::Conflict("a course with this title"),
                    other => other,
                })?;
                audit.target = format!("course:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn courses(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<::trustline_domain::training::Course>> {
                let rows = $crate::sqlx::query("SELECT * FROM courses WHERE tenant_id = $1 ORDER BY id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::course(&Cols(r))).collect()
            }

            async fn record_completion(
                &self,
                tenant: ::trustline_domain::TenantId,
                course: i64,
                user: ::trustline_domain::UserId,
                completed_at: ::trustline_domain::UnixTime,
                recorded_by: ::trustline_domain::UserId,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                // Both the course and the person must be the tenant's.
                let done = $crate::sqlx::query(
                    "INSERT INTO course_completions (tenant_id, course_id, user_id, completed_at, recorded_by, recorded_at)
                     SELECT c.tenant_id, c.id, u.id, $1, $2, $3 FROM courses c JOIN users u ON u.tenant_id = c.tenant_id
                     WHERE c.tenant_id = $4 AND c.id = $5 AND u.id = $6",
                )
                .bind(completed_at)
                .bind(recorded_by.0)
                .bind(audit.at)
                .bind(tenant.0)
                .bind(course)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn completions(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: Option<::trustline_domain::UserId>,
            ) -> $crate::store::StoreResult<Vec<(::trustline_domain::UserId, i64, ::trustline_domain::UnixTime)>> {
                let rows = $crate::sqlx::query(
                    "SELECT user_id, course_id, completed_at FROM course_completions WHERE tenant_id = $1 AND ($2 IS NULL OR user_id = $2) ORDER BY id",
                )
                .bind(tenant.0)
                .bind(user.map(|u| u.0))
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        let c = Cols(r);
                        Ok((::trustline_domain::UserId(c.int("user_id")?), c.int("course_id")?, c.int("completed_at")?))
                    })
                    .collect()
            }
        }
    };
}
