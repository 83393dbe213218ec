//! The SQL of [`TrustStore`](trustline_store::TrustStore), the same on both engines,
//! expanded in each engine crate.

/// Implements [`TrustStore`](trustline_store::TrustStore) for an engine.
#[macro_export]
macro_rules! trust_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::TrustStore for $store {
            async fn record_job_run(
                &self,
                job: &str,
                tenant: Option<::trustline_domain::TenantId>,
                run: $crate::store::JobRunRecord,
            ) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query("INSERT INTO job_runs (job, tenant_id, at, ok, detail) VALUES ($1, $2, $3, $4, $5)")
                    .bind(job)
                    .bind(tenant.map(|t| t.0))
                    .bind(run.at)
                    .bind(run.ok)
                    .bind(&run.detail)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn last_job_run(
                &self,
                job: &str,
                tenant: Option<::trustline_domain::TenantId>,
            ) -> $crate::store::StoreResult<Option<$crate::store::JobRunRecord>> {
                let row = match tenant {
                    Some(tenant) => {
                        $crate::sqlx::query("SELECT at, ok, detail FROM job_runs WHERE job = $1 AND tenant_id = $2 ORDER BY at DESC, id DESC LIMIT 1")
                            .bind(job)
                            .bind(tenant.0)
                            .fetch_optional(&self.pool)
                            .await
                    }
                    None => {
                        $crate::sqlx::query("SELECT at, ok, detail FROM job_runs WHERE job = $1 AND tenant_id IS NULL ORDER BY at DESC, id DESC LIMIT 1")
                            .bind(job)
                            .fetch_optional(&self.pool)
                            .await
                    }
                }
                .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::job_run(&Cols(r))).transpose()
            }

            async fn erasure_remains(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<(u32, u32)> {
                let row = $crate::sqlx::query(
                    "SELECT COUNT(*) AS erased,
                            SUM(CASE WHEN data_key IS NOT NULL OR name IS NOT NULL OR phones IS NOT NULL OR email IS NOT NULL
                                      OR address IS NOT NULL OR language IS NOT NULL OR custom IS NOT NULL THEN 1 ELSE 0 END) AS remains
                     FROM contacts WHERE tenant_id = $1 AND erased_at IS NOT NULL",
                )
                .bind(tenant.0)
                .fetch_one(&self.pool)
                .await
                .map_err(unavailable)?;
                use $crate::decode::Columns as _;
                let count = |c| Cols(&row).opt_int(c).map(|n| u32::try_from(n.unwrap_or(0)).unwrap_or(u32::MAX));
                Ok((count("erased")?, count("remains")?))
            }

            async fn attach_evidence(
                &self,
                tenant: ::trustline_domain::TenantId,
                evidence: $crate::store::ControlEvidence,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                $crate::sqlx::query(
                    "INSERT INTO control_evidence (tenant_id, control_id, summary, reference, attached_by, attached_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(tenant.0)
                .bind(&evidence.control_id)
                .bind(&evidence.summary)
                .bind(&evidence.reference)
                .bind(evidence.attached_by.0)
                .bind(evidence.attached_at)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn latest_evidence(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::ControlEvidence>> {
                let rows = $crate::sqlx::query(
                    "SELECT e.* FROM control_evidence e
                     WHERE e.tenant_id = $1 AND NOT EXISTS (
                       SELECT 1 FROM control_evidence n WHERE n.tenant_id = e.tenant_id AND n.control_id = e.control_id
                         AND (n.attached_at > e.attached_at OR (n.attached_at = e.attached_at AND n.id > e.id)))
                     ORDER BY e.control_id",
                )
                .bind(tenant.0)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        let c = Cols(r);
                        Ok($crate::store::ControlEvidence {
                            control_id: c.text("control_id")?,
                            summary: c.text("summary")?,
                            reference: c.text("reference")?,
                            attached_by: ::trustline_domain::UserId(c.int("attached_by")?),
                            attached_at: c.int("attached_at")?,
                        })
                    })
                    .collect()
            }

            async fn record_control_checks(
                &self,
                tenant: ::trustline_domain::TenantId,
                checks: &[::trustline_domain::control_checks::ControlCheck],
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                for check in checks {
                    $crate::sqlx::query("INSERT INTO control_checks (tenant_id, control_id, status, evidence, checked_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(tenant.0)
                        .bind(&check.control_id)
                        .bind(&check.status)
                        .bind(&check.evidence)
                        .bind(check.checked_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                }
                Self::commit(tx).await
            }

            async fn latest_control_checks(
                &self,
                tenant: ::trustline_domain::TenantId,
            ) -> $crate::store::StoreResult<Vec<::trustline_domain::control_checks::ControlCheck>> {
                let rows = $crate::sqlx::query(
                    "SELECT c.* FROM control_checks c
                     WHERE c.tenant_id = $1 AND c.id = (SELECT MAX(n.id) FROM control_checks n WHERE n.tenant_id = c.tenant_id AND n.control_id = c.control_id)
                     ORDER BY c.control_id",
                )
                .bind(tenant.0)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::control_check(&Cols(r))).collect()
            }

            async fn control_history(
                &self,
                tenant: ::trustline_domain::TenantId,
                control_id: &str,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<::trustline_domain::control_checks::ControlCheck>> {
                let rows = $crate::sqlx::query("SELECT * FROM control_checks WHERE tenant_id = $1 AND control_id = $2 ORDER BY id DESC LIMIT $3")
                    .bind(tenant.0)
                    .bind(control_id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::control_check(&Cols(r))).collect()
            }
        }
    };
}
