//! The SQL of [`IncidentStore`](trustline_store::IncidentStore), the same on both
//! engines, expanded in each engine crate.

/// Implements [`IncidentStore`](trustline_store::IncidentStore) for an engine.
#[macro_export]
macro_rules! incident_store_for {
    ($store:ident, $conn:ty) => {
        async fn add_entry(conn: &mut $conn, tenant: i64, incident: i64, entry: &$crate::store::TimelineEntry) -> $crate::store::StoreResult<()> {
            $crate::sqlx::query("INSERT INTO incident_timeline (tenant_id, incident_id, at, actor, entry) VALUES ($1, $2, $3, $4, $5)")
                .bind(tenant)
                .bind(incident)
                .bind(entry.at)
                .bind(&entry.actor)
                .bind(&entry.entry)
                .execute(&mut *conn)
                .await
                .map_err(unavailable)?;
            Ok(())
        }

        #[::async_trait::async_trait]
        impl $crate::store::IncidentStore for $store {
            async fn raise_incident(&self, incident: $crate::store::NewIncident, mut audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<(i64, bool)> {
                let mut tx = self.begin().await?;
                let open: Option<i64> = $crate::sqlx::query_scalar("SELECT id FROM incidents WHERE tenant_id = $1 AND dedup_key = $2 AND status <> 'closed' ORDER BY id LIMIT 1")
                    .bind(incident.tenant_id.0)
                    .bind(&incident.dedup_key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                let entry = $crate::store::TimelineEntry { at: incident.at, actor: incident.actor.clone(), entry: incident.entry.clone() };
                let (id, created) = match open {
                    Some(id) => (id, false),
                    None => {
                        let id: i64 = $crate::sqlx::query_scalar(
                            "INSERT INTO incidents (tenant_id, kind, dedup_key, severity, status, title, opened_at, respond_by, breach_aware_at, notify_by,
                               root_cause, lessons, updated_at)
                             VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, '', '', $6) RETURNING id",
                        )
                        .bind(incident.tenant_id.0)
                        .bind(incident.kind.as_str())
                        .bind(&incident.dedup_key)
                        .bind(incident.severity.as_str())
                        .bind(&incident.title)
                        .bind(incident.at)
                        .bind(incident.respond_by)
                        .bind(incident.breach_aware_at)
                        .bind(incident.notify_by)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                        (id, true)
                    }
                };
                add_entry(&mut tx, incident.tenant_id.0, id, &entry).await?;
                audit.target = format!("incident:{id}");
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok((id, created))
            }

            async fn incidents(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::IncidentRecord>> {
                let rows = $crate::sqlx::query("SELECT * FROM incidents WHERE tenant_id = $1 ORDER BY id DESC")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::incident(&Cols(r))).collect()
            }

            async fn incident(
                &self,
                tenant: ::trustline_domain::TenantId,
                id: i64,
            ) -> $crate::store::StoreResult<Option<($crate::store::IncidentRecord, Vec<$crate::store::TimelineEntry>)>> {
                let row = $crate::sqlx::query("SELECT * FROM incidents WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                let Some(row) = row else { return Ok(None) };
                let record = $crate::decode::incident(&Cols(&row))?;
                let rows = $crate::sqlx::query("SELECT at, actor, entry FROM incident_timeline WHERE tenant_id = $1 AND incident_id = $2 ORDER BY id")
                    .bind(tenant.0)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                let timeline = rows
                    .iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        let c = Cols(r);
                        Ok($crate::store::TimelineEntry { at: c.int("at")?, actor: c.text("actor")?, entry: c.text("entry")? })
                    })
                    .collect::<$crate::store::StoreResult<Vec<_>>>()?;
                Ok(Some((record, timeline)))
            }

            async fn update_incident(
                &self,
                tenant: ::trustline_domain::TenantId,
                id: i64,
                from: ::trustline_domain::incidents::IncidentStatus,
                state: $crate::store::IncidentState,
                entry: $crate::store::TimelineEntry,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "UPDATE incidents SET status = $1, owner_id = $2, breach_aware_at = $3, notify_by = $4, notified_at = $5, notification = $6,
                       root_cause = $7, lessons = $8, closed_at = $9, updated_at = $10
                     WHERE tenant_id = $11 AND id = $12 AND status = $13",
                )
                .bind(state.status.as_str())
                .bind(state.owner_id.map(|u| u.0))
                .bind(state.breach_aware_at)
                .bind(state.notify_by)
                .bind(state.notified_at)
                .bind(&state.notification)
                .bind(&state.root_cause)
                .bind(&state.lessons)
                .bind(state.closed_at)
                .bind(entry.at)
                .bind(tenant.0)
                .bind(id)
                .bind(from.as_str())
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::Conflict("a newer change of this incident"));
                }
                add_entry(&mut tx, tenant.0, id, &entry).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn record_reminder(
                &self,
                tenant: ::trustline_domain::TenantId,
                id: i64,
                hours_left: i64,
                entry: $crate::store::TimelineEntry,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "UPDATE incidents SET reminded_hours = $1
                     WHERE tenant_id = $2 AND id = $3 AND status <> 'closed' AND notified_at IS NULL
                       AND (reminded_hours IS NULL OR reminded_hours > $1)",
                )
                .bind(hours_left)
                .bind(tenant.0)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                add_entry(&mut tx, tenant.0, id, &entry).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(true)
            }

            async fn detection_cursor(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<i64> {
                let seq: Option<i64> = $crate::sqlx::query_scalar("SELECT last_seq FROM detection_cursors WHERE tenant_id = $1")
                    .bind(tenant.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(seq.unwrap_or(0))
            }

            async fn set_detection_cursor(&self, tenant: ::trustline_domain::TenantId, seq: i64) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query(
                    "INSERT INTO detection_cursors (tenant_id, last_seq) VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq",
                )
                .bind(tenant.0)
                .bind(seq)
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(())
            }
        }
    };
}
