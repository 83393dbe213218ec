//! Ending a tenant and restoring a snapshot: the statements and the part of
//! each that does not depend on how an engine copies tables. Names resolve
//! where it expands: the engine's `unavailable`, `must_change`, `erase` and
//! `delete_tenant_rows`.

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
        ) -> $crate::store::StoreResult<$crate::store::DeletionCounts> {
            let ended =
                $crate::sqlx::query($crate::MARK_TENANT_ENDED).bind(at).bind(tenant.0).execute(&mut *conn).await.map_err(unavailable)?;
            must_change(ended.rows_affected())?;
            let mut counts = Vec::with_capacity($crate::TENANT_DELETIONS.len());
            for (table, statement) in $crate::TENANT_DELETIONS {
                let done = $crate::sqlx::query(*statement).bind(tenant.0).execute(&mut *conn).await.map_err(unavailable)?;
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
        async fn kept_state(conn: &mut $conn) -> $crate::store::StoreResult<$crate::store::KeptState> {
            use $crate::decode::Columns as _;
            let rows = $crate::sqlx::query("SELECT * FROM erasure_ledger").fetch_all(&mut *conn).await.map_err(unavailable)?;
            let ledger = rows.iter().map(|r| $crate::decode::erasure(&Cols(r))).collect::<$crate::store::StoreResult<Vec<_>>>()?;
            let rows = $crate::sqlx::query("SELECT id, ended_at FROM tenants WHERE ended_at IS NOT NULL")
                .fetch_all(&mut *conn)
                .await
                .map_err(unavailable)?;
            let ended = rows
                .iter()
                .map(|r| Ok((::trustline_domain::TenantId(Cols(r).int("id")?), Cols(r).int("ended_at")?)))
                .collect::<$crate::store::StoreResult<Vec<_>>>()?;
            let rows = $crate::sqlx::query("SELECT tenant_id, seq FROM audit_heads ORDER BY tenant_id")
                .fetch_all(&mut *conn)
                .await
                .map_err(unavailable)?;
            let heads = rows
                .iter()
                .map(|r| Ok((::trustline_domain::TenantId(Cols(r).int("tenant_id")?), Cols(r).int("seq")?)))
                .collect::<$crate::store::StoreResult<Vec<_>>>()?;
            let rows = $crate::sqlx::query("SELECT name, next FROM id_blocks").fetch_all(&mut *conn).await.map_err(unavailable)?;
            let counters =
                rows.iter().map(|r| Ok((Cols(r).text("name")?, Cols(r).int("next")?))).collect::<$crate::store::StoreResult<Vec<_>>>()?;
            Ok($crate::store::KeptState { ledger, ended, heads, counters })
        }

        /// After the snapshot is loaded: id counters never move back, and
        /// tenant ends and erasures the snapshot predates happen again.
        async fn reapply(
            conn: &mut $conn,
            kept: $crate::store::KeptState,
            mut ledger: Vec<$crate::store::ErasureEntry>,
        ) -> $crate::store::StoreResult<$crate::store::RestoreOutcome> {
            use $crate::decode::Columns as _;
            // Ids handed out since the snapshot stay used: a ledger entry must
            // never come to name a new contact.
            for (name, next) in kept.counters {
                $crate::sqlx::query("UPDATE id_blocks SET next = CASE WHEN next < $1 THEN $1 ELSE next END WHERE name = $2")
                    .bind(next)
                    .bind(name)
                    .execute(&mut *conn)
                    .await
                    .map_err(unavailable)?;
            }
            let rows = $crate::sqlx::query("SELECT id, ended_at FROM tenants").fetch_all(&mut *conn).await.map_err(unavailable)?;
            let restored = rows
                .iter()
                .map(|r| Ok((::trustline_domain::TenantId(Cols(r).int("id")?), Cols(r).opt_int("ended_at")?.is_some())))
                .collect::<$crate::store::StoreResult<Vec<_>>>()?;
            ledger.extend(kept.ledger);
            let plan = $crate::store::reapplication(&restored, &kept.ended, ledger);
            let mut outcome = $crate::store::RestoreOutcome { replaced_heads: kept.heads, ..$crate::store::RestoreOutcome::default() };
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
