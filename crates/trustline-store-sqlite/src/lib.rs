//! The embedded engine: one SQLite file in WAL mode with `synchronous=FULL`, so
//! a committed audit event survives power loss. Writers take the database lock
//! up front (`BEGIN IMMEDIATE`), which serialises appends to the audit chain.

mod access_reviews;
mod accounts;
mod agents;
mod audit_chain;
mod backup;
mod calls;
mod campaigns;
mod contacts;
mod desk_phones;
mod idempotency;
mod imports;
mod incidents;
mod keys;
mod leases;
mod live;
mod nodes;
mod queues;
mod registers;
mod rows;
mod training;
mod trunks;
mod trust;
mod webhooks;

use async_trait::async_trait;
use rows::Row as Cols;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use trustline_audit::{AuditDraft, ChainHead, ChainKeys, StoredEvent};
use trustline_domain::TenantId;
use trustline_store::{AuditSearch, InstallationRecord, LockedStore, Store, StoreError, StoreResult};
use trustline_store_sql::decode;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database before it is unlocked: it can only hand out the installation secret.
pub struct SqliteDatabase {
    pool: SqlitePool,
    writer: SqlitePool,
}

/// Reads use a small pool; every write transaction goes through one writer
/// connection, whose page cache therefore stays warm across transactions
/// (SQLite admits one writer at a time anyway).
pub struct SqliteStore {
    pool: SqlitePool,
    writer: SqlitePool,
    chain: Arc<ChainKeys>,
}

/// Page cache of the writer connection: bulk imports touch index pages all
/// over the file, and re-reading them for every chunk dominated import time.
const WRITER_CACHE_KIB: i64 = 256 * 1024;
const READER_CACHE_KIB: i64 = 16 * 1024;

/// The database holds personal data (encrypted) and the audit log: readable
/// by the service account only, from the moment it exists.
#[cfg(unix)]
fn create_private_file(path: &Path) -> StoreResult<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Unavailable(Box::new(e))),
    }
}

fn unavailable(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("a record with this name"),
        _ => StoreError::Unavailable(Box::new(e)),
    }
}

impl SqliteDatabase {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        create_private_file(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let cache = |kib: i64| options.clone().pragma("cache_size", format!("-{kib}"));
        // Checkpoints every 256 MiB of log rather than every 4 MiB: a page
        // changed by several commits in between is copied back once. The log
        // file is cut back to 64 MiB after each checkpoint.
        let writer_options =
            cache(WRITER_CACHE_KIB).pragma("wal_autocheckpoint", "65536").pragma("journal_size_limit", (64i64 << 20).to_string());
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(writer_options).await.map_err(unavailable)?;
        MIGRATOR.run(&writer).await.map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(cache(READER_CACHE_KIB)).await.map_err(unavailable)?;
        Ok(Self { pool, writer })
    }

    /// Raw access for tests that tamper with rows or install failing triggers.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl LockedStore for SqliteDatabase {
    async fn installation(&self, fresh: InstallationRecord) -> StoreResult<InstallationRecord> {
        sqlx::query("INSERT INTO installation (id, secret, master_fingerprint) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(&fresh.wrapped_secret)
            .bind(&fresh.master_fingerprint[..])
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        let row = sqlx::query("SELECT secret, master_fingerprint FROM installation WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(unavailable)?;
        decode::installation(&Cols(&row))
    }

    fn unlock(self: Box<Self>, chain: Arc<ChainKeys>) -> Arc<dyn Store> {
        Arc::new(SqliteStore { pool: self.pool, writer: self.writer, chain })
    }
}

impl SqliteStore {
    /// Raw access for tests and maintenance commands.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn begin(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(unavailable)
    }

    async fn append_all(&self, conn: &mut SqliteConnection, drafts: Vec<AuditDraft>) -> StoreResult<()> {
        append_events(conn, &self.chain, drafts).await.map_err(|e| StoreError::AuditWrite(Box::new(e)))
    }

    async fn append(&self, conn: &mut SqliteConnection, draft: AuditDraft) -> StoreResult<()> {
        self.append_all(conn, vec![draft]).await
    }

    async fn commit(tx: sqlx::Transaction<'static, sqlx::Sqlite>) -> StoreResult<()> {
        tx.commit().await.map_err(|e| StoreError::AuditWrite(Box::new(e)))
    }
}

async fn append_events(conn: &mut SqliteConnection, chain: &ChainKeys, drafts: Vec<AuditDraft>) -> Result<(), sqlx::Error> {
    // BEGIN IMMEDIATE already holds the write lock: heads cannot move under us.
    let mut heads = Vec::new();
    for tenant in trustline_audit::tenants_of(&drafts) {
        let row = sqlx::query("SELECT seq, hash FROM audit_heads WHERE tenant_id = $1").bind(tenant).fetch_optional(&mut *conn).await?;
        if let Some(row) = row {
            let (seq, hash) = decode::head(&Cols(&row)).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            heads.push(ChainHead { tenant_id: tenant, seq, hash });
        }
    }
    let events = chain.link_batch(&mut heads, drafts);
    insert_events(conn, &events).await?;
    for head in &heads {
        sqlx::query(
            "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .bind(head.tenant_id)
        .bind(head.seq)
        .bind(&head.hash[..])
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn insert_events(conn: &mut SqliteConnection, events: &[StoredEvent]) -> Result<(), sqlx::Error> {
    for event in events.iter() {
        let b = &event.body;
        sqlx::query(
            "INSERT INTO audit_events (tenant_id, seq, at, actor, action, target, outcome, source, details, prev_hash, hash, seal)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(b.tenant_id)
        .bind(b.seq)
        .bind(b.at)
        .bind(&b.actor)
        .bind(&b.action)
        .bind(&b.target)
        .bind(&b.outcome)
        .bind(&b.source)
        .bind(&b.details)
        .bind(&event.prev_hash[..])
        .bind(&event.hash[..])
        .bind(&event.seal[..])
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn must_change(rows: u64) -> StoreResult<()> {
    if rows == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

#[async_trait]
impl Store for SqliteStore {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    async fn check_ready(&self) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // A probe row in no tenant's chain, rolled back: proves the audit table
        // accepts writes (triggers, constraints, disk) without leaving a trace.
        sqlx::query(
            "INSERT INTO audit_events (tenant_id, seq, at, actor, action, target, outcome, source, details, prev_hash, hash, seal)
             VALUES (-1, 0, 0, 'system', 'readiness.probe', '', 'success', 'local', '{}', $1, $1, $1)",
        )
        .bind(&[0u8; 32][..])
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::AuditWrite(Box::new(e)))?;
        tx.rollback().await.map_err(unavailable)
    }

    async fn append_audit(&self, drafts: Vec<AuditDraft>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        self.append_all(&mut tx, drafts).await?;
        Self::commit(tx).await
    }

    async fn audit_events(&self, tenant: TenantId, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        // One row holding the whole page as JSON: the driver's cost is per row
        // (each crosses from its worker thread), and audit pages are long.
        let page: String = sqlx::query_scalar(
            "SELECT json_group_array(json_array(tenant_id, seq, at, actor, action, target, outcome, source, details,
                                                hex(prev_hash), hex(hash), hex(seal)))
             FROM (SELECT * FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3)",
        )
        .bind(tenant.0)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_one(&self.pool)
        .await
        .map_err(unavailable)?;
        rows::events_from_json(&page)
    }

    async fn audit_events_about(&self, tenant: TenantId, target: &str, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        let page: String = sqlx::query_scalar(
            "SELECT json_group_array(json_array(tenant_id, seq, at, actor, action, target, outcome, source, details,
                                                hex(prev_hash), hex(hash), hex(seal)))
             FROM (SELECT * FROM (SELECT * FROM audit_events WHERE tenant_id = $1 AND target = $2 ORDER BY seq DESC LIMIT $3) ORDER BY seq)",
        )
        .bind(tenant.0)
        .bind(target)
        .bind(i64::from(limit))
        .fetch_one(&self.pool)
        .await
        .map_err(unavailable)?;
        rows::events_from_json(&page)
    }

    async fn search_audit(&self, tenant: TenantId, search: &AuditSearch, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        // instr and substr compare exactly (LIKE would ignore case and read % and _).
        let page: String = sqlx::query_scalar(
            "SELECT json_group_array(json_array(tenant_id, seq, at, actor, action, target, outcome, source, details,
                                                hex(prev_hash), hex(hash), hex(seal)))
             FROM (SELECT * FROM audit_events WHERE tenant_id = $1
                     AND ($2 IS NULL OR substr(action, 1, length($2)) = $2) AND ($3 IS NULL OR instr(actor, $3) > 0)
                     AND ($4 IS NULL OR instr(target, $4) > 0) AND ($5 IS NULL OR outcome = $5) AND ($6 IS NULL OR seq < $6)
                     AND ($8 IS NULL OR substr(action, 1, length($8)) <> $8) AND ($9 IS NULL OR at >= $9) AND ($10 IS NULL OR at < $10)
                   ORDER BY seq DESC LIMIT $7)",
        )
        .bind(tenant.0)
        .bind(&search.action)
        .bind(&search.actor)
        .bind(&search.target)
        .bind(&search.outcome)
        .bind(search.before)
        .bind(i64::from(limit))
        .bind(&search.not_action)
        .bind(search.from)
        .bind(search.to)
        .fetch_one(&self.pool)
        .await
        .map_err(unavailable)?;
        let mut events = rows::events_from_json(&page)?;
        events.sort_by_key(|e| std::cmp::Reverse(e.body.seq));
        Ok(events)
    }
}

trustline_store_sql::tenant_deletion_for!(SqliteConnection);
