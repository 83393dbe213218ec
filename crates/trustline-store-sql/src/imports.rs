//! The SQL of [`ImportStore`](trustline_store::ImportStore), the same on both
//! engines, expanded in each engine crate.
//! Names resolve where it expands: the engine's `insert_contacts`,
//! `unavailable`, `must_change` and row type (`Cols`), and the store's types.

/// Implements [`ImportStore`](trustline_store::ImportStore) for an engine whose
/// sqlx database is `$db`.
#[macro_export]
macro_rules! import_store_for {
    ($store:ident, $db:ty) => {
        const IN_BATCH: usize = 2000;

        fn position(value: u64) -> StoreResult<i64> {
            i64::try_from(value).map_err(|_| StoreError::Corrupt("file position out of range".into()))
        }

        #[::async_trait::async_trait]
        impl ImportStore for $store {
            async fn call_lists(&self, tenant: TenantId) -> StoreResult<Vec<CallList>> {
                let rows = $crate::sqlx::query(
                    "SELECT l.*, (SELECT COUNT(*) FROM list_members m WHERE m.list_id = l.id) AS members
                     FROM call_lists l WHERE l.tenant_id = $1 ORDER BY l.name",
                )
                .bind(tenant.0)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter().map(|r| decode::call_list(&Cols(r))).collect()
            }

            async fn begin_import(&self, import: NewImport, mut audit: AuditDraft) -> StoreResult<ImportRecord> {
                let mut tx = self.begin().await?;
                let tenant = import.tenant_id.0;
                $crate::sqlx::query("INSERT INTO call_lists (tenant_id, name, status, created_at) VALUES ($1, $2, 'importing', $3) ON CONFLICT DO NOTHING")
                    .bind(tenant)
                    .bind(&import.list_name)
                    .bind(import.at)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                let list_id: i64 = $crate::sqlx::query_scalar("SELECT id FROM call_lists WHERE tenant_id = $1 AND name = $2")
                    .bind(tenant)
                    .bind(&import.list_name)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                let running =
                    $crate::sqlx::query("SELECT * FROM imports WHERE tenant_id = $1 AND list_id = $2 AND file_digest = $3 AND status = 'running'")
                        .bind(tenant)
                        .bind(list_id)
                        .bind(&import.file_digest[..])
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                if let Some(row) = running {
                    tx.rollback().await.map_err(unavailable)?;
                    return decode::import(&Cols(&row));
                }
                $crate::sqlx::query("UPDATE call_lists SET status = 'importing' WHERE id = $1")
                    .bind(list_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                let row = $crate::sqlx::query(
                    "INSERT INTO imports (tenant_id, list_id, file_name, file_digest, mapping, status, byte_offset, line,
                     accepted, linked, rejected, duplicates, suppressed, started_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, 0, 0, 0, 0, 0, $8, $8) RETURNING *",
                )
                .bind(tenant)
                .bind(list_id)
                .bind(&import.file_name)
                .bind(&import.file_digest[..])
                .bind(&import.mapping)
                .bind(position(import.byte_offset)?)
                .bind(position(import.line)?)
                .bind(import.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(unavailable)?;
                let record = decode::import(&Cols(&row))?;
                audit.target = format!("import:{}", record.id);
                self.append(&mut tx, audit.detail("list", list_id.to_string())).await?;
                Self::commit(tx).await?;
                Ok(record)
            }

            async fn import_record(&self, tenant: TenantId, id: i64) -> StoreResult<Option<ImportRecord>> {
                let row = $crate::sqlx::query("SELECT * FROM imports WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::import(&Cols(r))).transpose()
            }

            async fn phone_owners(&self, tenant: TenantId, digests: &[Digest]) -> StoreResult<Vec<PhoneOwner>> {
                let mut owners = Vec::new();
                for chunk in digests.chunks(IN_BATCH) {
                    let mut query = QueryBuilder::<$db>::new(
                        "SELECT p.digest, p.contact_id, c.do_not_contact FROM contact_phones p
                         JOIN contacts c ON c.tenant_id = p.tenant_id AND c.id = p.contact_id WHERE p.tenant_id = ",
                    );
                    query.push_bind(tenant.0).push(" AND p.digest IN (");
                    let mut list = query.separated(", ");
                    for digest in chunk {
                        list.push_bind(&digest[..]);
                    }
                    query.push(")");
                    let rows = query.build().fetch_all(&self.pool).await.map_err(unavailable)?;
                    for row in &rows {
                        owners.push(decode::phone_owner(&Cols(row))?);
                    }
                }
                Ok(owners)
            }

            async fn list_members_among(&self, list_id: i64, contacts: &[ContactId]) -> StoreResult<Vec<ContactId>> {
                let mut found = Vec::new();
                for chunk in contacts.chunks(IN_BATCH) {
                    let mut query = QueryBuilder::<$db>::new("SELECT contact_id FROM list_members WHERE list_id = ");
                    query.push_bind(list_id).push(" AND contact_id IN (");
                    let mut list = query.separated(", ");
                    for id in chunk {
                        list.push_bind(id.0);
                    }
                    query.push(")");
                    let ids: Vec<i64> = query.build_query_scalar().fetch_all(&self.pool).await.map_err(unavailable)?;
                    found.extend(ids.into_iter().map(ContactId));
                }
                Ok(found)
            }

            async fn commit_import_chunk(&self, chunk: ImportChunk, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let c = &chunk.counts;
                let moved = $crate::sqlx::query(
                    "UPDATE imports SET byte_offset = $1, line = $2, accepted = accepted + $3, linked = linked + $4, rejected = rejected + $5,
                     duplicates = duplicates + $6, suppressed = suppressed + $7, updated_at = $8
                     WHERE tenant_id = $9 AND id = $10 AND byte_offset = $11 AND status = 'running'",
                )
                .bind(position(chunk.to_offset)?)
                .bind(position(chunk.to_line)?)
                .bind(c.accepted)
                .bind(c.linked)
                .bind(c.rejected)
                .bind(c.duplicates)
                .bind(c.suppressed)
                .bind(chunk.at)
                .bind(chunk.tenant_id.0)
                .bind(chunk.import_id)
                .bind(position(chunk.from_offset)?)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                if moved.rows_affected() == 0 {
                    return Err(StoreError::Conflict("another run of this import"));
                }
                let members: Vec<i64> = chunk.contacts.iter().map(|c| c.id.0).chain(chunk.linked.iter().map(|c| c.0)).collect();
                insert_contacts(&mut tx, chunk.contacts).await?;
                for ids in members.chunks(IN_BATCH) {
                    let mut insert = QueryBuilder::<$db>::new("INSERT INTO list_members (list_id, contact_id, tenant_id) ");
                    insert.push_values(ids, |mut row, id| {
                        row.push_bind(chunk.list_id).push_bind(*id).push_bind(chunk.tenant_id.0);
                    });
                    insert.push(" ON CONFLICT DO NOTHING");
                    insert.build().execute(&mut *tx).await.map_err(unavailable)?;
                }
                for rejections in chunk.rejections.chunks(IN_BATCH / 2) {
                    let mut insert = QueryBuilder::<$db>::new("INSERT INTO import_rejections (import_id, line, field, reason) ");
                    insert.push_values(rejections, |mut row, r| {
                        row.push_bind(chunk.import_id)
                            .push_bind(i64::try_from(r.line).unwrap_or(i64::MAX))
                            .push_bind(&r.field)
                            .push_bind(&r.reason);
                    });
                    insert.push(" ON CONFLICT DO NOTHING");
                    insert.build().execute(&mut *tx).await.map_err(unavailable)?;
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn finish_import(&self, tenant: TenantId, id: i64, at: UnixTime, audit: AuditDraft) -> StoreResult<ImportRecord> {
                let mut tx = self.begin().await?;
                let row = $crate::sqlx::query(
                    "UPDATE imports SET status = 'finished', finished_at = $1, updated_at = $1 WHERE tenant_id = $2 AND id = $3 AND status = 'running'
                     RETURNING *",
                )
                .bind(at)
                .bind(tenant.0)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(unavailable)?
                .ok_or(StoreError::NotFound)?;
                let record = decode::import(&Cols(&row))?;
                let done = $crate::sqlx::query("UPDATE call_lists SET status = 'ready' WHERE id = $1").bind(record.list_id).execute(&mut *tx).await;
                must_change(done.map_err(unavailable)?.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(record)
            }

            async fn import_rejections(&self, tenant: TenantId, id: i64, after_line: u64, limit: u32) -> StoreResult<Vec<ImportRejection>> {
                let rows = $crate::sqlx::query(
                    "SELECT r.line, r.field, r.reason FROM import_rejections r JOIN imports i ON i.id = r.import_id
                     WHERE i.tenant_id = $1 AND r.import_id = $2 AND r.line > $3 ORDER BY r.line, r.field LIMIT $4",
                )
                .bind(tenant.0)
                .bind(id)
                // No stored line lies past i64::MAX: a later start finds none.
                .bind(i64::try_from(after_line).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                rows.iter().map(|r| decode::rejection(&Cols(r))).collect()
            }
        }
    };
}
