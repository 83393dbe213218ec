//! The SQL of [`CallStore`](trustline_store::CallStore), the same on both engines,
//! expanded in each engine crate. The
//! expansion site also needs `crate::agents::apply_agent_move`, which
//! `agent_store_for` defines.

/// Implements [`CallStore`](trustline_store::CallStore) for an engine.
// `crate::agents` is the engine crate's, where the macro expands.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! call_store_for {
    ($store:ident, $conn:ty) => {
        /// Writes a contact's attempts and which call holds it (`open_call`);
        /// `Conflict` if another call holds it already.
        async fn hold_contact(
            conn: &mut $conn,
            tenant: ::trustline_domain::TenantId,
            campaign: i64,
            contact: ::trustline_domain::ContactId,
            attempts: &$crate::store::AttemptRecord,
            call: i64,
        ) -> $crate::store::StoreResult<()> {
            let held = $crate::sqlx::query(
                "INSERT INTO campaign_contacts (campaign_id, contact_id, tenant_id, attempts, last_attempt_at, last_outcome, callback_at, callback_agent, due_at, open_call)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (campaign_id, contact_id) DO UPDATE SET attempts = excluded.attempts, last_attempt_at = excluded.last_attempt_at,
                   last_outcome = excluded.last_outcome, callback_at = excluded.callback_at, callback_agent = excluded.callback_agent,
                   due_at = excluded.due_at, open_call = excluded.open_call
                 WHERE campaign_contacts.open_call IS NULL",
            )
            .bind(campaign)
            .bind(contact.0)
            .bind(tenant.0)
            .bind(i64::from(attempts.attempts))
            .bind(attempts.last_attempt_at)
            .bind(&attempts.last_outcome)
            .bind(attempts.callback_at)
            .bind(attempts.callback_agent.map(|u| u.0))
            .bind(attempts.due_at)
            .bind(call)
            .execute(&mut *conn)
            .await
            .map_err(unavailable)?;
            if held.rows_affected() == 0 {
                return Err($crate::store::StoreError::Conflict("a call already open to this contact"));
            }
            Ok(())
        }

        /// Updates the attempts of the contact held by `call` and, when
        /// `release`, lets it go.
        async fn update_held(conn: &mut $conn, call: i64, attempts: Option<&$crate::store::AttemptRecord>, release: bool) -> $crate::store::StoreResult<()> {
            if let Some(a) = attempts {
                $crate::sqlx::query(
                    "UPDATE campaign_contacts SET attempts = $1, last_attempt_at = $2, last_outcome = $3, callback_at = $4, callback_agent = $5, due_at = $6
                     WHERE open_call = $7",
                )
                .bind(i64::from(a.attempts))
                .bind(a.last_attempt_at)
                .bind(&a.last_outcome)
                .bind(a.callback_at)
                .bind(a.callback_agent.map(|u| u.0))
                .bind(a.due_at)
                .bind(call)
                .execute(&mut *conn)
                .await
                .map_err(unavailable)?;
            }
            if release {
                $crate::sqlx::query("UPDATE campaign_contacts SET open_call = NULL WHERE open_call = $1").bind(call).execute(&mut *conn).await.map_err(unavailable)?;
            }
            Ok(())
        }

        #[::async_trait::async_trait]
        impl $crate::store::CallStore for $store {
            async fn dial_candidates(
                &self,
                tenant: ::trustline_domain::TenantId,
                campaign: i64,
                after: ::trustline_domain::ContactId,
                now: ::trustline_domain::UnixTime,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::store::DialCandidate>> {
                let rows = $crate::sqlx::query(
                    "SELECT DISTINCT c.id AS contact_id, c.region, c.time_zone, c.do_not_contact, c.restricted,
                            cc.attempts, cc.last_attempt_at, cc.last_outcome, cc.callback_at, cc.callback_agent, cc.due_at,
                            cc.contact_id IS NOT NULL AS attempted
                     FROM campaign_lists cl
                     JOIN list_members m ON m.list_id = cl.list_id
                     JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id
                     LEFT JOIN campaign_contacts cc ON cc.campaign_id = cl.campaign_id AND cc.contact_id = c.id
                     WHERE cl.campaign_id = $1 AND cl.tenant_id = $2 AND c.id > $3 AND c.erased_at IS NULL
                       AND (cc.contact_id IS NULL OR (cc.open_call IS NULL AND cc.due_at IS NOT NULL AND cc.due_at <= $4))
                     ORDER BY c.id LIMIT $5",
                )
                .bind(campaign)
                .bind(tenant.0)
                .bind(after.0)
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::dial_candidate(&Cols(r))).collect()
            }

            async fn open_call(
                &self,
                call: $crate::store::NewCall,
                attempts: Option<$crate::store::AttemptRecord>,
                agent_move: Option<$crate::store::AgentMove>,
                mut audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<i64> {
                let mut tx = self.begin().await?;
                if let Some(fence) = &call.fence {
                    $crate::check_fence!(tx, fence);
                }
                let placed = (call.state != $crate::store::CallState::Offered).then_some(call.at);
                let id: i64 = $crate::sqlx::query_scalar(
                    "INSERT INTO calls (tenant_id, direction, campaign_id, queue_id, contact_id, agent_id, mode, state, offered_at, placed_at, transferred_from, owner_node)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(call.tenant_id.0)
                .bind(call.direction.as_str())
                .bind(call.campaign_id)
                .bind(call.queue_id)
                .bind(call.contact_id.map(|c| c.0))
                .bind(call.agent_id.map(|u| u.0))
                .bind(call.mode.as_str())
                .bind(call.state.as_str())
                .bind(call.at)
                .bind(placed)
                .bind(call.transferred_from)
                .bind(call.owner_node.as_ref().map(|node| node.0.as_str()))
                .fetch_one(&mut *tx)
                .await
                .map_err(unavailable)?;
                if let (Some(campaign), Some(contact), Some(attempts)) = (call.campaign_id, call.contact_id, attempts.as_ref()) {
                    hold_contact(&mut tx, call.tenant_id, campaign, contact, attempts, id).await?;
                }
                if let Some(change) = &agent_move {
                    crate::agents::apply_agent_move(&mut tx, change).await?;
                }
                if audit.target.is_empty() {
                    audit.target = format!("call:{id}");
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(id)
            }

            async fn change_call(&self, change: $crate::store::CallChange, audit: Option<::trustline_audit::AuditDraft>) -> $crate::store::StoreResult<()> {
                use $crate::store::CallState as S;
                let mut tx = self.begin().await?;
                let placed = (change.from == S::Offered && change.to == S::Ringing).then_some(change.at);
                let answered = (change.to == S::Answered || (change.from == S::Ringing && change.to == S::Connected)).then_some(change.at);
                let connected = (change.to == S::Connected).then_some(change.at);
                // The first end is kept (COALESCE): wrap-up then done is one end.
                let ended = (change.to == S::Done || change.to == S::WrapUp).then_some(change.at);
                let callback = (change.to == S::Callback).then_some(change.at);
                let moved = $crate::sqlx::query(
                    "UPDATE calls SET state = $1, result = COALESCE($2, result), agent_id = CASE WHEN $1 = 'queued' THEN NULL ELSE COALESCE($3, agent_id) END,
                       placed_at = COALESCE($4, placed_at), answered_at = COALESCE($5, answered_at),
                       connected_at = COALESCE($6, connected_at), ended_at = COALESCE($7, ended_at),
                       callback_requested_at = COALESCE($11, callback_requested_at),
                       hold_seconds = hold_seconds + COALESCE($12 - held_since, 0), held_since = NULL
                     WHERE tenant_id = $8 AND id = $9 AND state = $10",
                )
                .bind(change.to.as_str())
                .bind(change.result.map(::trustline_domain::CallResult::as_str))
                .bind(change.agent_id.map(|u| u.0))
                .bind(placed)
                .bind(answered)
                .bind(connected)
                .bind(ended)
                .bind(change.tenant_id.0)
                .bind(change.call_id)
                .bind(change.from.as_str())
                .bind(callback)
                .bind(change.at)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                if moved.rows_affected() == 0 {
                    return Err($crate::store::StoreError::Conflict("a newer change of this call"));
                }
                update_held(&mut tx, change.call_id, change.attempts.as_ref(), change.to == S::Done).await?;
                if change.to == S::Connected {
                    // The connected agent works this contact now: the one they may see unmasked.
                    if let Some(agent) = change.agent_move.as_ref().map(|m| m.user_id).or(change.agent_id) {
                        $crate::sqlx::query(
                            "INSERT INTO agent_assignments (tenant_id, user_id, contact_id, since)
                             SELECT tenant_id, $1, contact_id, $2 FROM calls WHERE id = $3 AND contact_id IS NOT NULL
                             ON CONFLICT (user_id) DO UPDATE SET contact_id = excluded.contact_id, since = excluded.since",
                        )
                        .bind(agent.0)
                        .bind(change.at)
                        .bind(change.call_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                    }
                }
                if let Some(agent_move) = &change.agent_move {
                    crate::agents::apply_agent_move(&mut tx, agent_move).await?;
                }
                if let Some(audit) = audit {
                    self.append(&mut tx, audit).await?;
                }
                Self::commit(tx).await
            }

            async fn hold_call(&self, hold: $crate::store::CallHold, audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let sql = if hold.on {
                    "UPDATE calls SET held_since = $1 WHERE tenant_id = $2 AND id = $3 AND state = 'connected' AND held_since IS NULL"
                } else {
                    "UPDATE calls SET hold_seconds = hold_seconds + ($1 - held_since), held_since = NULL
                     WHERE tenant_id = $2 AND id = $3 AND state = 'connected' AND held_since IS NOT NULL"
                };
                let moved = $crate::sqlx::query(sql)
                    .bind(hold.at)
                    .bind(hold.tenant_id.0)
                    .bind(hold.call_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if moved.rows_affected() == 0 {
                    return Err($crate::store::StoreError::Conflict("a call not connected, or already so"));
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn dispose_call(&self, disposition: $crate::store::CallDisposition, audit: ::trustline_audit::AuditDraft) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let moved = $crate::sqlx::query(
                    "UPDATE calls SET state = 'done', disposition = $1, outcome = $2, disposed_at = $3
                     WHERE tenant_id = $4 AND id = $5 AND state = 'wrap_up'",
                )
                .bind(&disposition.code)
                .bind(disposition.outcome.as_str())
                .bind(disposition.at)
                .bind(disposition.tenant_id.0)
                .bind(disposition.call_id)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                if moved.rows_affected() == 0 {
                    return Err($crate::store::StoreError::Conflict("a disposition already set on this call"));
                }
                update_held(&mut tx, disposition.call_id, disposition.attempts.as_ref(), true).await?;
                crate::agents::apply_agent_move(&mut tx, &disposition.agent_move).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn call(&self, tenant: ::trustline_domain::TenantId, id: i64) -> $crate::store::StoreResult<Option<$crate::store::CallRecord>> {
                let row = $crate::sqlx::query("SELECT * FROM calls WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::call(&Cols(r))).transpose()
            }

            async fn attempts(
                &self,
                tenant: ::trustline_domain::TenantId,
                campaign: i64,
                contact: ::trustline_domain::ContactId,
            ) -> $crate::store::StoreResult<Option<$crate::store::AttemptRecord>> {
                let row = $crate::sqlx::query("SELECT * FROM campaign_contacts WHERE tenant_id = $1 AND campaign_id = $2 AND contact_id = $3")
                    .bind(tenant.0)
                    .bind(campaign)
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::attempt_record(&Cols(r))).transpose()
            }

            async fn agent_call(
                &self,
                tenant: ::trustline_domain::TenantId,
                agent: ::trustline_domain::UserId,
            ) -> $crate::store::StoreResult<Option<$crate::store::CallRecord>> {
                let row = $crate::sqlx::query("SELECT * FROM calls WHERE tenant_id = $1 AND agent_id = $2 AND state <> 'done' ORDER BY id DESC LIMIT 1")
                    .bind(tenant.0)
                    .bind(agent.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::call(&Cols(r))).transpose()
            }

            async fn contact_calls(
                &self,
                tenant: ::trustline_domain::TenantId,
                contact: ::trustline_domain::ContactId,
                limit: u32,
            ) -> $crate::store::StoreResult<Vec<$crate::store::CallRecord>> {
                let rows = $crate::sqlx::query("SELECT * FROM calls WHERE tenant_id = $1 AND contact_id = $2 ORDER BY id DESC LIMIT $3")
                    .bind(tenant.0)
                    .bind(contact.0)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::call(&Cols(r))).collect()
            }

            async fn calls_between(
                &self,
                tenant: ::trustline_domain::TenantId,
                from: ::trustline_domain::UnixTime,
                to: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Vec<$crate::store::CallRecord>> {
                let rows = $crate::sqlx::query("SELECT * FROM calls WHERE tenant_id = $1 AND offered_at >= $2 AND offered_at < $3 ORDER BY id")
                    .bind(tenant.0)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::call(&Cols(r))).collect()
            }

            async fn open_calls_left(
                &self,
                tenant: ::trustline_domain::TenantId,
                node: &$crate::store::NodeId,
            ) -> $crate::store::StoreResult<Vec<$crate::store::CallRecord>> {
                let rows = $crate::sqlx::query(
                    "SELECT * FROM calls WHERE tenant_id = $1 AND state <> 'done' AND (owner_node IS NULL OR owner_node <> $2) ORDER BY id",
                )
                .bind(tenant.0)
                .bind(&node.0)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::call(&Cols(r))).collect()
            }

            async fn waiting_calls(&self, tenant: ::trustline_domain::TenantId) -> $crate::store::StoreResult<Vec<$crate::store::CallRecord>> {
                let rows = $crate::sqlx::query("SELECT * FROM calls WHERE tenant_id = $1 AND (state IN ('queued', 'callback') OR (state = 'offered' AND direction = 'inbound'))
                     ORDER BY offered_at, id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| $crate::decode::call(&Cols(r))).collect()
            }

            async fn campaign_answers(
                &self,
                tenant: ::trustline_domain::TenantId,
                campaign: i64,
                since: ::trustline_domain::UnixTime,
            ) -> $crate::store::StoreResult<Vec<(::trustline_domain::UnixTime, u64, u64)>> {
                let rows = $crate::sqlx::query(
                    "SELECT (answered_at / 3600) * 3600 AS hour, COUNT(*) AS answered,
                            SUM(CASE WHEN result = 'abandoned' THEN 1 ELSE 0 END) AS abandoned
                     FROM calls WHERE tenant_id = $1 AND campaign_id = $2 AND answered_at >= $3
                     GROUP BY (answered_at / 3600) * 3600 ORDER BY hour",
                )
                .bind(tenant.0)
                .bind(campaign)
                .bind(since)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter()
                    .map(|r| {
                        use $crate::decode::Columns as _;
                        let count = |c| Cols(r).int(c).map(|n| u64::try_from(n).unwrap_or(0));
                        Ok((Cols(r).int("hour")?, count("answered")?, count("abandoned")?))
                    })
                    .collect()
            }
        }
    };
}
