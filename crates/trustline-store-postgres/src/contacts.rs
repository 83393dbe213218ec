use crate::rows::Row as Cols;
use crate::{PostgresStore, must_change, unavailable};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use trustline_audit::AuditDraft;
use trustline_domain::contact::{CustomFieldDef, RetentionCutoffs, RetentionPolicy};
use trustline_domain::{ContactId, TenantId, UnixTime, UserId};
use trustline_store::{
    ConsentChange, ConsentEvent, ContactLookups, ContactStore, Digest, ErasureEntry, IdKind, NewContact, RetentionOutcome, SealedContact,
    SealedFields, SealedNote, StoreError, StoreResult,
};
use trustline_store_sql::decode::{self, Columns as _};

/// The advisory-lock namespace of the retention job (the tenant id is the second key).
const RETENTION_LOCK: i32 = 0x7472_6574;

/// Rows per multi-row INSERT: well under PostgreSQL's 65,535 bound parameters.
const INSERT_BATCH: usize = 500;

fn phone_conflict(e: sqlx::Error) -> StoreError {
    match unavailable(e) {
        StoreError::Conflict(_) => StoreError::Conflict("a contact with this phone number"),
        other => other,
    }
}

/// Inserts contacts and their blind indexes.
pub(crate) async fn insert_contacts(conn: &mut PgConnection, contacts: Vec<NewContact>) -> StoreResult<()> {
    for chunk in contacts.chunks(INSERT_BATCH) {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO contacts (tenant_id, id, key_version, data_key, name, phones, email, address, language, custom, phone_digests,
             email_digests, region, time_zone, consent, consent_source, consent_at, do_not_contact, dnc_source, dnc_at, restricted,
             created_at, updated_at) ",
        );
        insert.push_values(chunk, |mut row, c| {
            row.push_bind(c.tenant_id.0)
                .push_bind(c.id.0)
                .push_bind(i64::from(c.key_version))
                .push_bind(&c.data_key)
                .push_bind(&c.fields.name)
                .push_bind(&c.fields.phones)
                .push_bind(&c.fields.email)
                .push_bind(&c.fields.address)
                .push_bind(&c.fields.language)
                .push_bind(&c.fields.custom)
                .push_bind(c.lookups.phones.concat())
                .push_bind(c.lookups.emails.concat())
                .push_bind(&c.lookups.region)
                .push_bind(&c.lookups.time_zone)
                .push_bind(c.consent.consent.as_str())
                .push_bind(&c.consent.consent_source)
                .push_bind(c.consent.consent_at)
                .push_bind(c.consent.do_not_contact)
                .push_bind(&c.consent.dnc_source)
                .push_bind(c.consent.dnc_at)
                .push_bind(c.consent.restricted)
                .push_bind(c.created_at)
                .push_bind(c.created_at);
        });
        insert.build().execute(&mut *conn).await.map_err(unavailable)?;
    }
    insert_lookups(conn, "contact_phones", &contacts, |c| &c.lookups.phones, phone_conflict).await?;
    insert_lookups(conn, "contact_emails", &contacts, |c| &c.lookups.emails, unavailable).await?;
    Ok(())
}

/// Inserts one blind-index table's rows for `contacts`, sorted so that
/// consecutive inserts land on neighbouring index pages.
async fn insert_lookups(
    conn: &mut PgConnection,
    table: &str,
    contacts: &[NewContact],
    digests: impl Fn(&NewContact) -> &Vec<Digest>,
    on_error: fn(sqlx::Error) -> StoreError,
) -> StoreResult<()> {
    let mut rows: Vec<(i64, &Digest, i64)> =
        contacts.iter().flat_map(|c| digests(c).iter().map(move |d| (c.tenant_id.0, d, c.id.0))).collect();
    rows.sort_unstable();
    for chunk in rows.chunks(INSERT_BATCH * 4) {
        let mut insert = QueryBuilder::<Postgres>::new(format!("INSERT INTO {table} (tenant_id, digest, contact_id) "));
        insert.push_values(chunk, |mut row, (tenant, digest, id)| {
            row.push_bind(*tenant).push_bind(&digest[..]).push_bind(*id);
        });
        insert.build().execute(&mut *conn).await.map_err(on_error)?;
    }
    Ok(())
}

/// Removes the blind indexes a contact owns and, given `lookups`, installs new ones.
async fn replace_lookups(conn: &mut PgConnection, tenant: TenantId, id: ContactId, lookups: Option<&ContactLookups>) -> StoreResult<()> {
    let owned = sqlx::query("SELECT phone_digests, email_digests FROM contacts WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?;
    if let Some(row) = owned {
        let owned = Cols(&row);
        for (table, column) in [("contact_phones", "phone_digests"), ("contact_emails", "email_digests")] {
            for digest in owned.opt_bytes(column)?.unwrap_or_default().chunks(32) {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE tenant_id = $1 AND digest = $2 AND contact_id = $3")))
                    .bind(tenant.0)
                    .bind(digest)
                    .bind(id.0)
                    .execute(&mut *conn)
                    .await
                    .map_err(unavailable)?;
            }
        }
    }
    let empty = ContactLookups::default();
    let lookups = lookups.unwrap_or(&empty);
    sqlx::query("UPDATE contacts SET phone_digests = $1, email_digests = $2 WHERE tenant_id = $3 AND id = $4")
        .bind(lookups.phones.concat())
        .bind(lookups.emails.concat())
        .bind(tenant.0)
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(unavailable)?;
    for digest in &lookups.phones {
        sqlx::query("INSERT INTO contact_phones (tenant_id, digest, contact_id) VALUES ($1, $2, $3)")
            .bind(tenant.0)
            .bind(&digest[..])
            .bind(id.0)
            .execute(&mut *conn)
            .await
            .map_err(phone_conflict)?;
    }
    for digest in &lookups.emails {
        sqlx::query("INSERT INTO contact_emails (tenant_id, digest, contact_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(tenant.0)
            .bind(&digest[..])
            .bind(id.0)
            .execute(&mut *conn)
            .await
            .map_err(unavailable)?;
    }
    Ok(())
}

trustline_store_sql::contact_store_for!(PostgresStore, sqlx::Postgres);

/// Several nodes run the retention job; the first to take this tenant's
/// lock does the work, the others skip it. Released with the transaction.
async fn retention_lock(conn: &mut PgConnection, tenant: TenantId) -> StoreResult<bool> {
    sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1, $2)")
        .bind(RETENTION_LOCK)
        .bind(i32::try_from(tenant.0).map_err(|_| StoreError::Corrupt("tenant id out of lock range".into()))?)
        .fetch_one(&mut *conn)
        .await
        .map_err(unavailable)
}

async fn insert_suppressions(
    conn: &mut PgConnection,
    tenant: TenantId,
    digests: &[Digest],
    source: &str,
    at: UnixTime,
) -> StoreResult<u64> {
    let mut added = 0;
    for chunk in digests.chunks(INSERT_BATCH * 2) {
        let mut insert = QueryBuilder::<Postgres>::new("INSERT INTO suppressions (tenant_id, digest, source, added_at) ");
        insert.push_values(chunk, |mut row, digest| {
            row.push_bind(tenant.0).push_bind(&digest[..]).push_bind(source).push_bind(at);
        });
        insert.push(" ON CONFLICT DO NOTHING");
        added += insert.build().execute(&mut *conn).await.map_err(unavailable)?.rows_affected();
    }
    Ok(added)
}

/// Crypto-shredding of one contact, also used when a restore re-applies the
/// ledger. The ledger entry is written even when the contact is already gone;
/// returns whether a live contact was erased.
pub(crate) async fn erase(conn: &mut PgConnection, entry: &ErasureEntry) -> StoreResult<bool> {
    let (tenant, id) = (entry.tenant_id, entry.contact_id);
    replace_lookups(conn, tenant, id, None).await?;
    let done = sqlx::query(
        "UPDATE contacts SET key_version = NULL, data_key = NULL, name = NULL, phones = NULL, email = NULL, address = NULL,
         language = NULL, custom = NULL, phone_digests = NULL, email_digests = NULL, updated_at = $1, erased_at = $1
         WHERE tenant_id = $2 AND id = $3 AND erased_at IS NULL",
    )
    .bind(entry.erased_at)
    .bind(tenant.0)
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    let erased = done.rows_affected() > 0;
    if erased {
        for statement in [
            "UPDATE contact_notes SET body = NULL WHERE tenant_id = $1 AND contact_id = $2",
            "DELETE FROM list_members WHERE tenant_id = $1 AND contact_id = $2",
            "DELETE FROM agent_assignments WHERE tenant_id = $1 AND contact_id = $2",
        ] {
            sqlx::query(statement).bind(tenant.0).bind(id.0).execute(&mut *conn).await.map_err(unavailable)?;
        }
    }
    sqlx::query("INSERT INTO erasure_ledger (tenant_id, contact_id, erased_at, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(tenant.0)
        .bind(id.0)
        .bind(entry.erased_at)
        .bind(&entry.reason)
        .execute(&mut *conn)
        .await
        .map_err(unavailable)?;
    Ok(erased)
}
