//! The SQL of [`ContactStore`](trustline_store::ContactStore), the same on both
//! engines, expanded in each engine crate.
//! Names resolve where it expands: the engine's `insert_contacts`,
//! `suppress`, `erase`, `retention_lock` (whether this node may run the
//! retention job for a tenant now), `unavailable`, `must_change` and row
//! type (`Cols`), and the store's types.

/// Implements [`ContactStore`](trustline_store::ContactStore) for an engine whose
/// sqlx database is `$db`.
#[macro_export]
macro_rules! contact_store_for {
    ($store:ident, $db:ty) => {
        #[::async_trait::async_trait]
        impl ContactStore for $store {
            async fn reserve_ids(&self, kind: IdKind, count: u32) -> StoreResult<i64> {
                let mut tx = self.begin().await?;
                let first: i64 = $crate::sqlx::query_scalar("UPDATE id_blocks SET next = next + $1 WHERE name = $2 RETURNING next - $1")
                    .bind(i64::from(count))
                    .bind(kind.as_str())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                tx.commit().await.map_err(unavailable)?;
                Ok(first)
            }

            async fn custom_fields(&self, tenant: TenantId) -> StoreResult<Vec<CustomFieldDef>> {
                let rows = $crate::sqlx::query("SELECT * FROM custom_fields WHERE tenant_id = $1 ORDER BY name")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::custom_field(&Cols(r))).collect()
            }

            async fn put_custom_field(&self, tenant: TenantId, field: CustomFieldDef, audit: AuditDraft) -> StoreResult<()> {
                let (kind, choices) = decode::custom_field_columns(&field);
                let mut tx = self.begin().await?;
                $crate::sqlx::query(
                    "INSERT INTO custom_fields (tenant_id, name, label, kind, required, choices) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (tenant_id, name) DO UPDATE SET label = excluded.label, kind = excluded.kind,
                     required = excluded.required, choices = excluded.choices",
                )
                .bind(tenant.0)
                .bind(&field.name)
                .bind(&field.label)
                .bind(kind)
                .bind(field.required)
                .bind(choices)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn delete_custom_field(&self, tenant: TenantId, name: &str, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("DELETE FROM custom_fields WHERE tenant_id = $1 AND name = $2")
                    .bind(tenant.0)
                    .bind(name)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn create_contact(&self, contact: NewContact, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                insert_contacts(&mut tx, vec![contact]).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn contact(&self, tenant: TenantId, id: ContactId) -> StoreResult<Option<SealedContact>> {
                let row = $crate::sqlx::query("SELECT * FROM contacts WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::sealed_contact(&Cols(r))).transpose()
            }

            async fn contacts(&self, tenant: TenantId, after: ContactId, limit: u32) -> StoreResult<Vec<SealedContact>> {
                let rows = $crate::sqlx::query("SELECT * FROM contacts WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3")
                    .bind(tenant.0)
                    .bind(after.0)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::sealed_contact(&Cols(r))).collect()
            }

            async fn contact_by_phone(&self, tenant: TenantId, digest: &Digest) -> StoreResult<Option<ContactId>> {
                let id: Option<i64> = $crate::sqlx::query_scalar("SELECT contact_id FROM contact_phones WHERE tenant_id = $1 AND digest = $2")
                    .bind(tenant.0)
                    .bind(&digest[..])
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(id.map(ContactId))
            }

            async fn contacts_by_email(&self, tenant: TenantId, digest: &Digest) -> StoreResult<Vec<ContactId>> {
                let ids: Vec<i64> =
                    $crate::sqlx::query_scalar("SELECT contact_id FROM contact_emails WHERE tenant_id = $1 AND digest = $2 ORDER BY contact_id")
                        .bind(tenant.0)
                        .bind(&digest[..])
                        .fetch_all(&self.pool)
                        .await
                        .map_err(unavailable)?;
                Ok(ids.into_iter().map(ContactId).collect())
            }

            async fn update_contact(
                &self,
                tenant: TenantId,
                id: ContactId,
                fields: SealedFields,
                lookups: ContactLookups,
                at: UnixTime,
                audit: AuditDraft,
            ) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "UPDATE contacts SET name = $1, phones = $2, email = $3, address = $4, language = $5, custom = $6,
                     region = $7, time_zone = $8, updated_at = $9 WHERE tenant_id = $10 AND id = $11 AND erased_at IS NULL",
                )
                .bind(&fields.name)
                .bind(&fields.phones)
                .bind(&fields.email)
                .bind(&fields.address)
                .bind(&fields.language)
                .bind(&fields.custom)
                .bind(&lookups.region)
                .bind(&lookups.time_zone)
                .bind(at)
                .bind(tenant.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                replace_lookups(&mut tx, tenant, id, Some(&lookups)).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn change_consent(&self, tenant: TenantId, id: ContactId, change: ConsentChange, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let s = &change.state;
                let done = $crate::sqlx::query(
                    "UPDATE contacts SET consent = $1, consent_source = $2, consent_at = $3, do_not_contact = $4, dnc_source = $5,
                     dnc_at = $6, restricted = $7, updated_at = $8 WHERE tenant_id = $9 AND id = $10 AND erased_at IS NULL",
                )
                .bind(s.consent.as_str())
                .bind(&s.consent_source)
                .bind(s.consent_at)
                .bind(s.do_not_contact)
                .bind(&s.dnc_source)
                .bind(s.dnc_at)
                .bind(s.restricted)
                .bind(change.event.at)
                .bind(tenant.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                let e = &change.event;
                $crate::sqlx::query(
                    "INSERT INTO consent_events (tenant_id, contact_id, at, kind, value, source, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(tenant.0)
                .bind(id.0)
                .bind(e.at)
                .bind(e.kind.as_str())
                .bind(&e.value)
                .bind(&e.source)
                .bind(&e.actor)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                insert_suppressions(&mut tx, tenant, &change.suppress, &e.source, e.at).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn consent_history(&self, tenant: TenantId, id: ContactId) -> StoreResult<Vec<ConsentEvent>> {
                let rows = $crate::sqlx::query("SELECT * FROM consent_events WHERE tenant_id = $1 AND contact_id = $2 ORDER BY id")
                    .bind(tenant.0)
                    .bind(id.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::consent_event(&Cols(r))).collect()
            }

            async fn suppressed(&self, tenant: TenantId, digests: &[Digest]) -> StoreResult<Vec<Digest>> {
                let mut found = Vec::new();
                for chunk in digests.chunks(INSERT_BATCH * 4) {
                    let mut query = QueryBuilder::<$db>::new("SELECT digest FROM suppressions WHERE tenant_id = ");
                    query.push_bind(tenant.0).push(" AND digest IN (");
                    let mut list = query.separated(", ");
                    for digest in chunk {
                        list.push_bind(&digest[..]);
                    }
                    query.push(")");
                    let rows: Vec<Vec<u8>> = query.build_query_scalar().fetch_all(&self.pool).await.map_err(unavailable)?;
                    for row in rows {
                        found.push(Digest::try_from(row.as_slice()).map_err(|_| decode::undecodable("digest"))?);
                    }
                }
                Ok(found)
            }

            async fn add_suppressions(
                &self,
                tenant: TenantId,
                digests: &[Digest],
                source: &str,
                at: UnixTime,
                audit: AuditDraft,
            ) -> StoreResult<u64> {
                let mut tx = self.begin().await?;
                let added = insert_suppressions(&mut tx, tenant, digests, source, at).await?;
                self.append(&mut tx, audit.detail("added", added.to_string())).await?;
                Self::commit(tx).await?;
                Ok(added)
            }

            async fn add_note(&self, note: SealedNote, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                $crate::sqlx::query(
                    "INSERT INTO contact_notes (tenant_id, id, contact_id, author_id, body, created_at)
                     SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $3 AND erased_at IS NULL)",
                )
                .bind(note.tenant_id.0)
                .bind(note.id)
                .bind(note.contact_id.0)
                .bind(note.author_id.0)
                .bind(&note.body)
                .bind(note.created_at)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)
                .and_then(|done| must_change(done.rows_affected()))?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn notes(&self, tenant: TenantId, contact: ContactId) -> StoreResult<Vec<SealedNote>> {
                let rows = $crate::sqlx::query("SELECT * FROM contact_notes WHERE tenant_id = $1 AND contact_id = $2 ORDER BY id")
                    .bind(tenant.0)
                    .bind(contact.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::note(&Cols(r))).collect()
            }

            async fn assign(&self, tenant: TenantId, user: UserId, contact: Option<ContactId>, at: UnixTime, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                $crate::sqlx::query("DELETE FROM agent_assignments WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if let Some(contact) = contact {
                    $crate::sqlx::query(
                        "INSERT INTO agent_assignments (tenant_id, user_id, contact_id, since)
                         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $3 AND erased_at IS NULL)
                         AND EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2)",
                    )
                    .bind(tenant.0)
                    .bind(user.0)
                    .bind(contact.0)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)
                    .and_then(|done| must_change(done.rows_affected()))?;
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn erase_contact(&self, entry: ErasureEntry, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                if !erase(&mut tx, &entry).await? {
                    return Err(StoreError::NotFound);
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn retention_policy(&self, tenant: TenantId) -> StoreResult<Option<RetentionPolicy>> {
                let row = $crate::sqlx::query("SELECT contact_idle_days, note_days FROM retention_policies WHERE tenant_id = $1")
                    .bind(tenant.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.map(|row| {
                    let days = |column: &'static str| {
                        Cols(&row).opt_int(column)?.map(|d| u32::try_from(d).map_err(|_| decode::undecodable(column))).transpose()
                    };
                    Ok(RetentionPolicy { contact_idle_days: days("contact_idle_days")?, note_days: days("note_days")? })
                })
                .transpose()
            }

            async fn set_retention_policy(&self, tenant: TenantId, policy: RetentionPolicy, at: UnixTime, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                $crate::sqlx::query(
                    "INSERT INTO retention_policies (tenant_id, contact_idle_days, note_days, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant_id) DO UPDATE SET contact_idle_days = excluded.contact_idle_days, note_days = excluded.note_days,
                     updated_at = excluded.updated_at",
                )
                .bind(tenant.0)
                .bind(policy.contact_idle_days.map(i64::from))
                .bind(policy.note_days.map(i64::from))
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn apply_retention(
                &self,
                tenant: TenantId,
                cutoffs: RetentionCutoffs,
                at: UnixTime,
                audit: AuditDraft,
            ) -> StoreResult<Option<RetentionOutcome>> {
                let mut tx = self.begin().await?;
                if !retention_lock(&mut tx, tenant).await? {
                    tx.rollback().await.map_err(unavailable)?;
                    return Ok(None);
                }
                let mut outcome = RetentionOutcome::default();
                if let Some(before) = cutoffs.contacts_idle_before {
                    let due: Vec<i64> = $crate::sqlx::query_scalar(
                        "SELECT id FROM contacts WHERE tenant_id = $1 AND erased_at IS NULL AND COALESCE(last_worked_at, created_at) < $2",
                    )
                    .bind(tenant.0)
                    .bind(before)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                    for id in due {
                        let entry = ErasureEntry { tenant_id: tenant, contact_id: ContactId(id), erased_at: at, reason: "retention".into() };
                        erase(&mut tx, &entry).await?;
                        outcome.contacts_erased += 1;
                    }
                }
                if let Some(before) = cutoffs.notes_before {
                    let done = $crate::sqlx::query("DELETE FROM contact_notes WHERE tenant_id = $1 AND created_at < $2")
                        .bind(tenant.0)
                        .bind(before)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                    outcome.notes_deleted = done.rows_affected();
                }
                let audit =
                    audit.detail("contacts_erased", outcome.contacts_erased.to_string()).detail("notes_deleted", outcome.notes_deleted.to_string());
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(Some(outcome))
            }

            async fn erasure_ledger(&self, tenant: TenantId) -> StoreResult<Vec<ErasureEntry>> {
                let rows = $crate::sqlx::query("SELECT * FROM erasure_ledger WHERE tenant_id = $1 ORDER BY erased_at, contact_id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::erasure(&Cols(r))).collect()
            }
        }
    };
}
