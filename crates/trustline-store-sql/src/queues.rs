//! The SQL of [`QueueStore`](trustline_store::QueueStore), the same on both engines,
//! expanded in each engine crate.

/// Implements [`QueueStore`](trustline_store::QueueStore) for an engine.
#[macro_export]
macro_rules! queue_store_for {
    ($store:ident, $conn:ty) => {
        fn queue_taken(e: $crate::sqlx::Error) -> $crate::store::StoreError {
            match unavailable(e) {
                $crate::store::StoreError::Conflict(_) => $crate::store::StoreError::Conflict("a queue with this name or number"),
                other => other,
            }
        }

        /// `NumberNotAssigned` unless the operator assigned `number` to `tenant`.
        async fn number_of_tenant(
            conn: &mut $conn,
            tenant: ::trustline_domain::TenantId,
            number: &str,
        ) -> $crate::store::StoreResult<()> {
            let theirs: Option<i64> = $crate::sqlx::query_scalar("SELECT tenant_id FROM inbound_numbers WHERE number = $1 AND tenant_id = $2")
                .bind(number)
                .bind(tenant.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(unavailable)?;
            theirs.map(|_| ()).ok_or($crate::store::StoreError::NumberNotAssigned)
        }

        #[::async_trait::async_trait]
        impl $crate::store::QueueStore for $store {
            async fn assign_number(
                &self,
                tenant: ::trustline_domain::TenantId,
                number: &str,
                at: ::trustline_domain::UnixTime,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                $crate::sqlx::query("INSERT INTO inbound_numbers (number, tenant_id, assigned_at) VALUES ($1, $2, $3)")
                    .bind(number)
                    .bind(tenant.0)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match unavailable(e) {
                        $crate::store::StoreError::Conflict(_) => $crate::store::StoreError::Conflict("an assignment of this number"),
                        other => other,
                    })?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn release_number(
                &self,
                tenant: ::trustline_domain::TenantId,
                number: &str,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                number_of_tenant(&mut tx, tenant, number).await.map_err(|_| $crate::store::StoreError::NotFound)?;
                let answered: i64 = $crate::sqlx::query_scalar("SELECT COUNT(*) FROM queues WHERE number = $1")
                    .bind(number)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if answered > 0 {
                    return Err($crate::store::StoreError::NumberInUse);
                }
                $crate::sqlx::query("DELETE FROM inbound_numbers WHERE number = $1 AND tenant_id = $2")
                    .bind(number)
                    .bind(tenant.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn inbound_numbers(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::InboundNumber>> {
                let rows: Vec<(String, i64, i64, Option<String>)> = $crate::sqlx::query_as(
                    "SELECT n.number, n.tenant_id, n.assigned_at, q.name FROM inbound_numbers n
                     LEFT JOIN queues q ON q.number = n.number AND q.tenant_id = n.tenant_id
                     WHERE n.tenant_id = $1 ORDER BY n.number",
                )
                .bind(tenant.0)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(rows
                    .into_iter()
                    .map(|(number, tenant_id, assigned_at, queue)| $crate::store::InboundNumber {
                        number,
                        tenant_id: ::trustline_domain::TenantId(tenant_id),
                        assigned_at,
                        queue,
                    })
                    .collect())
            }

            async fn create_queue(&self, queue: $crate::store::QueueDraft, mut audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<i64> {
                let mut tx = self.begin().await?;
                number_of_tenant(&mut tx, queue.tenant_id, &queue.number).await?;
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO queues (tenant_id, name, number, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(queue.tenant_id.0)
                .bind(&queue.name)
                .bind(&queue.number)
                .bind($crate::decode::to_json(&queue.settings, "queue settings")?)
                .bind(queue.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(queue_taken)?;
                audit.target = format!("queue:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn update_queue(&self, id: i64, queue: $crate::store::QueueDraft, audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                number_of_tenant(&mut tx, queue.tenant_id, &queue.number).await?;
                let done = $crate::sqlx::query("UPDATE queues SET name = $1, number = $2, settings = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6")
                    .bind(&queue.name)
                    .bind(&queue.number)
                    .bind($crate::decode::to_json(&queue.settings, "queue settings")?)
                    .bind(queue.at)
                    .bind(queue.tenant_id.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(queue_taken)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn queues(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::Queue>> {
                let rows = $crate::sqlx::query("SELECT * FROM queues WHERE tenant_id = $1 ORDER BY id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::queue(&Cols(r))).collect()
            }

            async fn queue(&self, tenant: ::trustline_domain::TenantId, id: i64) -> $crate::store::StoreResult<Option<$crate::store::Queue>> {
                let row = $crate::sqlx::query("SELECT * FROM queues WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::queue(&Cols(r))).transpose()
            }

            async fn queue_by_number(&self, number: &str) -> $crate::store::StoreResult<Option<$crate::store::Queue>> {
                let row = $crate::sqlx::query("SELECT * FROM queues WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::queue(&Cols(r))).transpose()
            }

            async fn set_agent_skills(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: ::trustline_domain::UserId,
                skills: &::trustline_domain::routing::SkillLevels,
                at: ::trustline_domain::UnixTime,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                // Only the tenant's own users get skills.
                let done = $crate::sqlx::query(
                    "INSERT INTO agent_skills (tenant_id, user_id, skills, updated_at) SELECT tenant_id, id, $1, $2 FROM users WHERE tenant_id = $3 AND id = $4
                     ON CONFLICT (tenant_id, user_id) DO UPDATE SET skills = excluded.skills, updated_at = excluded.updated_at",
                )
                .bind($crate::decode::to_json(skills, "agent skills")?)
                .bind(at)
                .bind(tenant.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn agent_skills(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<(::trustline_domain::UserId, ::trustline_domain::routing::SkillLevels)>> {
                let rows = $crate::sqlx::query("SELECT user_id, skills FROM agent_skills WHERE tenant_id = $1 ORDER BY user_id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        Ok((::trustline_domain::UserId(Cols(r).int("user_id")?), $crate::decode::json(&Cols(r), "skills")?))
                    })
                    .collect()
            }
        }
    };
}
