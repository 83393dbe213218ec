//! The SQL of [`AgentStore`](trustline_store::AgentStore), the same on both
//! engines. Names resolve where it expands: the engine's `unavailable` and
//! row type (`Cols`).

/// Implements [`AgentStore`](trustline_store::AgentStore) for an engine.
#[macro_export]
macro_rules! agent_store_for {
    ($store:ident, $conn:ty) => {
        /// Records a move and its history entry, provided the agent is still
        /// in the move's `from` state (`Conflict` otherwise). Calls' changes
        /// use it too, so an agent's move commits with the call's.
        pub(crate) async fn apply_agent_move(conn: &mut $conn, change: &$crate::store::AgentMove) -> $crate::store::StoreResult<()> {
            // Only from the state on record (or from offline, with no record yet).
            let moved = $crate::sqlx::query(
                "INSERT INTO agent_states (tenant_id, user_id, state, reason, since) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (tenant_id, user_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since
                 WHERE agent_states.state = $6",
            )
            .bind(change.tenant_id.0)
            .bind(change.user_id.0)
            .bind(change.to.code().0)
            .bind(change.to.code().1)
            .bind(change.at)
            .bind(change.from.code().0)
            .execute(&mut *conn)
            .await
            .map_err(unavailable)?;
            if moved.rows_affected() == 0 {
                return Err($crate::store::StoreError::Conflict("a newer change of this agent's state"));
            }
            $crate::sqlx::query(
                "INSERT INTO agent_state_history (tenant_id, user_id, at, event, from_state, to_state, reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(change.tenant_id.0)
            .bind(change.user_id.0)
            .bind(change.at)
            .bind(&change.event)
            .bind(change.from.code().0)
            .bind(change.to.code().0)
            .bind(change.to.code().1.or(change.from.code().1))
            .execute(&mut *conn)
            .await
            .map_err(unavailable)?;
            Ok(())
        }

        #[::async_trait::async_trait]
        impl $crate::store::AgentStore for $store {
            async fn agent_status(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: ::trustline_domain::UserId,
            ) -> $crate::store::StoreResult<Option<$crate::store::AgentStatus>> {
                let row = $crate::sqlx::query("SELECT * FROM agent_states WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.0)
                    .bind(user.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::agent_status(&Cols(r))).transpose()
            }

            async fn agent_statuses(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::AgentStatus>> {
                let rows = $crate::sqlx::query("SELECT * FROM agent_states WHERE tenant_id = $1 ORDER BY user_id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::agent_status(&Cols(r))).collect()
            }

            async fn move_agent(&self, change: $crate::store::AgentMove, audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                apply_agent_move(&mut tx, &change).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn agent_history(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: ::trustline_domain::UserId,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::store::AgentHistoryEntry>> {
                let rows =
                    $crate::sqlx::query("SELECT * FROM agent_state_history WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3")
                        .bind(tenant.0)
                        .bind(user.0)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::agent_history(&Cols(r))).collect()
            }

            async fn agent_states_at(
                &self,
                tenant: ::trustline_domain::TenantId,
                at: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Vec<(::trustline_domain::UserId, String)>> {
                let rows = $crate::sqlx::query(
                    "SELECT * FROM agent_state_history WHERE id IN
                     (SELECT MAX(id) FROM agent_state_history WHERE tenant_id = $1 AND at < $2 GROUP BY user_id) ORDER BY user_id",
                )
                .bind(tenant.0)
                .bind(at)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        Ok((::trustline_domain::UserId(Cols(r).int("user_id")?), Cols(r).text("to_state")?))
                    })
                    .collect()
            }

            async fn agent_moves_between(
                &self,
                tenant: ::trustline_domain::TenantId,
                from: ::trustline_domain::UnixTime,
                to: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Vec<(::trustline_domain::UserId, $crate::store::AgentHistoryEntry)>> {
                let rows = $crate::sqlx::query(
                    "SELECT * FROM agent_state_history WHERE tenant_id = $1 AND at >= $2 AND at < $3 ORDER BY user_id, id",
                )
                .bind(tenant.0)
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        Ok((::trustline_domain::UserId(Cols(r).int("user_id")?), $crate::decode::agent_history(&Cols(r))?))
                    })
                    .collect()
            }

            async fn desk_seen(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: ::trustline_domain::UserId,
                at: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query("UPDATE agent_states SET desk_seen_at = $1 WHERE tenant_id = $2 AND user_id = $3")
                    .bind(at)
                    .bind(tenant.0)
                    .bind(user.0)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn forget_desk(&self, tenant: ::trustline_domain::TenantId, user: ::trustline_domain::UserId) -> $crate::store::StoreResult<()> {
                $crate::sqlx::query("UPDATE agent_states SET desk_seen_at = NULL WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.0)
                    .bind(user.0)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn deserted_desks(
                &self,
                tenant: ::trustline_domain::TenantId,
                before: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Vec<$crate::store::AgentStatus>> {
                let rows = $crate::sqlx::query(
                    "SELECT * FROM agent_states WHERE tenant_id = $1 AND desk_seen_at < $2 AND state IN ('available', 'break', 'wrap_up') ORDER BY user_id",
                )
                .bind(tenant.0)
                .bind(before)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::agent_status(&Cols(r))).collect()
            }
        }
    };
}
