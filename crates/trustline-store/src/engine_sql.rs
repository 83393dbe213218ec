//! Storage methods whose SQL is the same on both engines, written once and
//! expanded in each engine crate for its store and connection types. The
//! expansion site must have `unavailable`, `must_change` and `Cols` (its row
//! decoder) in scope, as each engine crate does; `restore_sql_for` also
//! needs `erase` and `delete_tenant_rows`.

/// Implements [`AgentStore`](crate::AgentStore) for an engine.
#[macro_export]
macro_rules! agent_store_for {
    ($store:ident, $conn:ty) => {
        /// Records a move and its history entry, provided the agent is still
        /// in the move's `from` state (`Conflict` otherwise). Calls' changes
        /// use it too, so an agent's move commits with the call's.
        pub(crate) async fn apply_agent_move(conn: &mut $conn, change: &$crate::AgentMove) -> $crate::StoreResult<()> {
            // Only from the state on record (or from offline, with no record yet).
            let moved = ::sqlx::query(
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
                return Err($crate::StoreError::Conflict("a newer change of this agent's state"));
            }
            ::sqlx::query(
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
        impl $crate::AgentStore for $store {
            async fn agent_status(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: ::trustline_domain::UserId,
            ) -> $crate::StoreResult<Option<$crate::AgentStatus>> {
                let row = ::sqlx::query("SELECT * FROM agent_states WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.0)
                    .bind(user.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::agent_status(&Cols(r))).transpose()
            }

            async fn agent_statuses(&self, tenant: ::trustline_domain::TenantId) -> $crate::StoreResult<Vec<$crate::AgentStatus>> {
                let rows = ::sqlx::query("SELECT * FROM agent_states WHERE tenant_id = $1 ORDER BY user_id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::agent_status(&Cols(r))).collect()
            }

            async fn move_agent(&self, change: $crate::AgentMove, audit: ::trustline_audit::AuditDraft) -> $crate::StoreResult<()> {
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
            ) -> $crate::StoreResult<Vec<$crate::AgentHistoryEntry>> {
                let rows =
                    ::sqlx::query("SELECT * FROM agent_state_history WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3")
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
            ) -> $crate::StoreResult<Vec<(::trustline_domain::UserId, String)>> {
                let rows = ::sqlx::query(
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
            ) -> $crate::StoreResult<Vec<(::trustline_domain::UserId, $crate::AgentHistoryEntry)>> {
                let rows = ::sqlx::query(
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
            ) -> $crate::StoreResult<()> {
                ::sqlx::query("UPDATE agent_states SET desk_seen_at = $1 WHERE tenant_id = $2 AND user_id = $3")
                    .bind(at)
                    .bind(tenant.0)
                    .bind(user.0)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn forget_desk(&self, tenant: ::trustline_domain::TenantId, user: ::trustline_domain::UserId) -> $crate::StoreResult<()> {
                ::sqlx::query("UPDATE agent_states SET desk_seen_at = NULL WHERE tenant_id = $1 AND user_id = $2")
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
            ) -> $crate::StoreResult<Vec<$crate::AgentStatus>> {
                let rows = ::sqlx::query(
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

/// Implements [`CampaignStore`](crate::CampaignStore) for an engine.
#[macro_export]
macro_rules! campaign_store_for {
    ($store:ident, $conn:ty) => {
        fn name_taken(e: ::sqlx::Error) -> $crate::StoreError {
            match unavailable(e) {
                $crate::StoreError::Conflict(_) => $crate::StoreError::Conflict("a campaign with this name"),
                other => other,
            }
        }

        async fn replace_lists(conn: &mut $conn, tenant: ::trustline_domain::TenantId, campaign: i64, lists: &[i64]) -> $crate::StoreResult<()> {
            ::sqlx::query("DELETE FROM campaign_lists WHERE campaign_id = $1").bind(campaign).execute(&mut *conn).await.map_err(unavailable)?;
            for list in lists {
                // Only the tenant's own lists can be attached.
                let added = ::sqlx::query(
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
            async fn with_lists(&self, mut campaign: $crate::Campaign) -> $crate::StoreResult<$crate::Campaign> {
                campaign.list_ids = ::sqlx::query_scalar("SELECT list_id FROM campaign_lists WHERE campaign_id = $1 ORDER BY list_id")
                    .bind(campaign.id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(campaign)
            }
        }

        #[::async_trait::async_trait]
        impl $crate::CampaignStore for $store {
            async fn create_campaign(&self, campaign: $crate::CampaignDraft, mut audit: ::trustline_audit::AuditDraft) -> $crate::StoreResult<i64> {
                let mut tx = self.begin().await?;
                let id: i64 = ::sqlx::query_scalar(
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

            async fn campaigns(&self, tenant: ::trustline_domain::TenantId) -> $crate::StoreResult<Vec<$crate::Campaign>> {
                let rows = ::sqlx::query("SELECT * FROM campaigns WHERE tenant_id = $1 ORDER BY id")
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

            async fn campaign(&self, tenant: ::trustline_domain::TenantId, id: i64) -> $crate::StoreResult<Option<$crate::Campaign>> {
                let row = ::sqlx::query("SELECT * FROM campaigns WHERE tenant_id = $1 AND id = $2")
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

            async fn update_campaign(&self, id: i64, campaign: $crate::CampaignDraft, audit: ::trustline_audit::AuditDraft) -> $crate::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = ::sqlx::query("UPDATE campaigns SET name = $1, settings = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5")
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
            ) -> $crate::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = ::sqlx::query("UPDATE campaigns SET status = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND status = $5")
                    .bind(to.as_str())
                    .bind(at)
                    .bind(tenant.0)
                    .bind(id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::Conflict("a newer change of this campaign's status"));
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }
        }
    };
}

/// Implements [`IdempotencyStore`](crate::IdempotencyStore) for an engine.
#[macro_export]
macro_rules! idempotency_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::IdempotencyStore for $store {
            async fn claim_idempotency_key(
                &self,
                tenant: ::trustline_domain::TenantId,
                key: &str,
                fingerprint: &[u8; 32],
                at: ::trustline_domain::UnixTime,
            ) -> $crate::StoreResult<$crate::IdempotencyClaim> {
                let claimed = ::sqlx::query(
                    "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key) DO NOTHING",
                )
                .bind(tenant.0)
                .bind(key)
                .bind(&fingerprint[..])
                .bind(at)
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                if claimed.rows_affected() == 1 {
                    return Ok($crate::IdempotencyClaim::Fresh);
                }
                let row = ::sqlx::query("SELECT fingerprint, status, body FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
                    .bind(tenant.0)
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                // Released in between: the caller may simply try again.
                let Some(row) = row else { return Ok($crate::IdempotencyClaim::InProgress) };
                use $crate::decode::Columns as _;
                let row = Cols(&row);
                if row.bytes("fingerprint")? != fingerprint[..] {
                    return Ok($crate::IdempotencyClaim::OtherRequest);
                }
                Ok(match (row.opt_int("status")?, row.opt_bytes("body")?) {
                    (Some(status), Some(body)) => $crate::IdempotencyClaim::Answered { status: u16::try_from(status).unwrap_or(500), body },
                    _ => $crate::IdempotencyClaim::InProgress,
                })
            }

            async fn answer_idempotency_key(&self, tenant: ::trustline_domain::TenantId, key: &str, status: u16, body: &[u8]) -> $crate::StoreResult<()> {
                ::sqlx::query("UPDATE idempotency_keys SET status = $1, body = $2 WHERE tenant_id = $3 AND key = $4")
                    .bind(i64::from(status))
                    .bind(body)
                    .bind(tenant.0)
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn release_idempotency_key(&self, tenant: ::trustline_domain::TenantId, key: &str) -> $crate::StoreResult<()> {
                ::sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND status IS NULL")
                    .bind(tenant.0)
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn delete_idempotency_keys_before(&self, before: ::trustline_domain::UnixTime) -> $crate::StoreResult<u64> {
                let done = ::sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(done.rows_affected())
            }
        }
    };
}

/// `delete_tenant_rows`: marks a tenant ended and deletes its rows (see
/// [`TENANT_DELETIONS`](crate::TENANT_DELETIONS)), for ending a tenant and
/// for ending it again after a restore.
#[macro_export]
macro_rules! tenant_deletion_for {
    ($conn:ty) => {
        /// `NotFound` if the tenant does not exist or already ended.
        pub(crate) async fn delete_tenant_rows(
            conn: &mut $conn,
            tenant: ::trustline_domain::TenantId,
            at: ::trustline_domain::UnixTime,
        ) -> $crate::StoreResult<$crate::DeletionCounts> {
            let ended = ::sqlx::query($crate::MARK_TENANT_ENDED).bind(at).bind(tenant.0).execute(&mut *conn).await.map_err(unavailable)?;
            must_change(ended.rows_affected())?;
            let mut counts = Vec::with_capacity($crate::TENANT_DELETIONS.len());
            for (table, statement) in $crate::TENANT_DELETIONS {
                let done = ::sqlx::query(*statement).bind(tenant.0).execute(&mut *conn).await.map_err(unavailable)?;
                counts.push((*table, done.rows_affected()));
            }
            Ok(counts)
        }
    };
}

/// `kept_state` and `reapply`: the part of a restore that does not depend
/// on how an engine copies tables.
#[macro_export]
macro_rules! restore_sql_for {
    ($conn:ty) => {
        /// What the database being replaced knows and the snapshot may not.
        async fn kept_state(conn: &mut $conn) -> $crate::StoreResult<$crate::KeptState> {
            use $crate::decode::Columns as _;
            let rows = ::sqlx::query("SELECT * FROM erasure_ledger").fetch_all(&mut *conn).await.map_err(unavailable)?;
            let ledger = rows.iter().map(|r| $crate::decode::erasure(&Cols(r))).collect::<$crate::StoreResult<Vec<_>>>()?;
            let rows = ::sqlx::query("SELECT id, ended_at FROM tenants WHERE ended_at IS NOT NULL")
                .fetch_all(&mut *conn)
                .await
                .map_err(unavailable)?;
            let ended = rows
                .iter()
                .map(|r| Ok((::trustline_domain::TenantId(Cols(r).int("id")?), Cols(r).int("ended_at")?)))
                .collect::<$crate::StoreResult<Vec<_>>>()?;
            let rows = ::sqlx::query("SELECT tenant_id, seq FROM audit_heads ORDER BY tenant_id")
                .fetch_all(&mut *conn)
                .await
                .map_err(unavailable)?;
            let heads = rows
                .iter()
                .map(|r| Ok((::trustline_domain::TenantId(Cols(r).int("tenant_id")?), Cols(r).int("seq")?)))
                .collect::<$crate::StoreResult<Vec<_>>>()?;
            let rows = ::sqlx::query("SELECT name, next FROM id_blocks").fetch_all(&mut *conn).await.map_err(unavailable)?;
            let counters =
                rows.iter().map(|r| Ok((Cols(r).text("name")?, Cols(r).int("next")?))).collect::<$crate::StoreResult<Vec<_>>>()?;
            Ok($crate::KeptState { ledger, ended, heads, counters })
        }

        /// After the snapshot is loaded: id counters never move back, and
        /// tenant ends and erasures the snapshot predates happen again.
        async fn reapply(
            conn: &mut $conn,
            kept: $crate::KeptState,
            mut ledger: Vec<$crate::ErasureEntry>,
        ) -> $crate::StoreResult<$crate::RestoreOutcome> {
            use $crate::decode::Columns as _;
            // Ids handed out since the snapshot stay used: a ledger entry must
            // never come to name a new contact.
            for (name, next) in kept.counters {
                ::sqlx::query("UPDATE id_blocks SET next = CASE WHEN next < $1 THEN $1 ELSE next END WHERE name = $2")
                    .bind(next)
                    .bind(name)
                    .execute(&mut *conn)
                    .await
                    .map_err(unavailable)?;
            }
            let rows = ::sqlx::query("SELECT id, ended_at FROM tenants").fetch_all(&mut *conn).await.map_err(unavailable)?;
            let restored = rows
                .iter()
                .map(|r| Ok((::trustline_domain::TenantId(Cols(r).int("id")?), Cols(r).opt_int("ended_at")?.is_some())))
                .collect::<$crate::StoreResult<Vec<_>>>()?;
            ledger.extend(kept.ledger);
            let plan = $crate::reapplication(&restored, &kept.ended, ledger);
            let mut outcome = $crate::RestoreOutcome { replaced_heads: kept.heads, ..$crate::RestoreOutcome::default() };
            for (tenant, at) in plan.end {
                delete_tenant_rows(&mut *conn, tenant, at).await?;
                outcome.tenants_ended_again.push(tenant);
            }
            for entry in &plan.erase {
                if erase(&mut *conn, entry).await? {
                    outcome.erasures_reapplied += 1;
                }
            }
            Ok(outcome)
        }
    };
}
