//! The scale-out engine: any number of server processes share one PostgreSQL
//! database. Appends to a tenant's audit chain serialise on that tenant's
//! `audit_heads` row (`SELECT ... FOR UPDATE`), so chains of different tenants
//! are written in parallel.

mod access_reviews;
mod accounts;
mod agents;
mod audit_chain;
mod backup;
mod calls;
mod campaigns;
mod connecting;
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
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;
use trustline_audit::{AuditDraft, ChainHead, ChainKeys, StoredEvent, genesis_hash};
use trustline_domain::TenantId;
use trustline_store::{AuditSearch, InstallationRecord, LockedStore, Store, StoreError, StoreResult};
use trustline_store_sql::decode;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database before it is unlocked: it can only hand out the installation secret.
pub struct PostgresDatabase {
    pool: PgPool,
}

pub struct PostgresStore {
    pool: PgPool,
    chain: Arc<ChainKeys>,
}

fn unavailable(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("a record with this name"),
        _ => StoreError::Unavailable(Box::new(e)),
    }
}

impl PostgresDatabase {
    /// Connects and applies migrations. A server that cannot be reached is
    /// reported at once, saying where and why.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = connecting::options(url).map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        connecting::try_first(&options).await.map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(unavailable)?;
        // Several nodes may start at once; the migrator takes an advisory lock.
        MIGRATOR.run(&pool).await.map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        Ok(Self { pool })
    }

    /// Raw access for tests that tamper with rows or install failing triggers.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl LockedStore for PostgresDatabase {
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
        Arc::new(PostgresStore { pool: self.pool, chain })
    }
}

impl PostgresStore {
    /// Raw access for tests and maintenance commands.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin().await.map_err(unavailable)
    }

    async fn append_all(&self, conn: &mut PgConnection, drafts: Vec<AuditDraft>) -> StoreResult<()> {
        append_events(conn, &self.chain, drafts).await.map_err(|e| StoreError::AuditWrite(Box::new(e)))
    }

    async fn append(&self, conn: &mut PgConnection, draft: AuditDraft) -> StoreResult<()> {
        self.append_all(conn, vec![draft]).await
    }

    async fn commit(tx: sqlx::Transaction<'static, sqlx::Postgres>) -> StoreResult<()> {
        tx.commit().await.map_err(|e| StoreError::AuditWrite(Box::new(e)))
    }
}

async fn append_events(conn: &mut PgConnection, chain: &ChainKeys, drafts: Vec<AuditDraft>) -> Result<(), sqlx::Error> {
    // Lock each tenant's head row in ascending order, so that concurrent
    // batches touching several tenants cannot deadlock.
    let mut heads = Vec::new();
    for tenant in trustline_audit::tenants_of(&drafts) {
        let lock_head = || sqlx::query("SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE").bind(tenant);
        let mut row = lock_head().fetch_optional(&mut *conn).await?;
        if row.is_none() {
            // First event of the tenant: create the head row, then lock it like any other.
            sqlx::query("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING")
                .bind(tenant)
                .bind(&genesis_hash(tenant)[..])
                .execute(&mut *conn)
                .await?;
            row = lock_head().fetch_optional(&mut *conn).await?;
        }
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

/// One statement for the whole batch: a round trip per event would cap
/// throughput at the network latency.
async fn insert_events(conn: &mut PgConnection, events: &[StoredEvent]) -> Result<(), sqlx::Error> {
    let column = |f: fn(&StoredEvent) -> i64| events.iter().map(f).collect::<Vec<i64>>();
    let (tenants, seqs, ats) = (column(|e| e.body.tenant_id), column(|e| e.body.seq), column(|e| e.body.at));
    let text = |f: fn(&StoredEvent) -> &str| events.iter().map(|e| f(e).to_owned()).collect::<Vec<String>>();
    let bytes = |f: fn(&StoredEvent) -> &[u8]| events.iter().map(|e| f(e).to_vec()).collect::<Vec<Vec<u8>>>();
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, seq, at, actor, action, target, outcome, source, details, prev_hash, hash, seal)
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[],
                              $8::TEXT[], $9::TEXT[], $10::BYTEA[], $11::BYTEA[], $12::BYTEA[])",
    )
    .bind(tenants)
    .bind(seqs)
    .bind(ats)
    .bind(text(|e| &e.body.actor))
    .bind(text(|e| &e.body.action))
    .bind(text(|e| &e.body.target))
    .bind(text(|e| &e.body.outcome))
    .bind(text(|e| &e.body.source))
    .bind(text(|e| &e.body.details))
    .bind(bytes(|e| &e.prev_hash))
    .bind(bytes(|e| &e.hash))
    .bind(bytes(|e| &e.seal))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn must_change(rows: u64) -> StoreResult<()> {
    if rows == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

#[async_trait]
impl Store for PostgresStore {
    fn engine(&self) -> &'static str {
        "postgres"
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
        let rows = sqlx::query("SELECT * FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
            .bind(tenant.0)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?;
        rows.iter().map(|r| decode::event(&Cols(r))).collect()
    }

    async fn audit_events_about(&self, tenant: TenantId, target: &str, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT * FROM audit_events WHERE tenant_id = $1 AND target = $2 ORDER BY seq DESC LIMIT $3) newest ORDER BY seq",
        )
        .bind(tenant.0)
        .bind(target)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        rows.iter().map(|r| decode::event(&Cols(r))).collect()
    }

    async fn search_audit(&self, tenant: TenantId, search: &AuditSearch, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        // starts_with and strpos compare exactly (LIKE would read % and _).
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE tenant_id = $1
               AND ($2::text IS NULL OR starts_with(action, $2)) AND ($3::text IS NULL OR strpos(actor, $3) > 0)
               AND ($4::text IS NULL OR strpos(target, $4) > 0) AND ($5::text IS NULL OR outcome = $5)
               AND ($6::bigint IS NULL OR seq < $6) AND ($8::text IS NULL OR NOT starts_with(action, $8))
               AND ($9::bigint IS NULL OR at >= $9) AND ($10::bigint IS NULL OR at < $10)
             ORDER BY seq DESC LIMIT $7",
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
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        rows.iter().map(|r| decode::event(&Cols(r))).collect()
    }
}

trustline_store_sql::tenant_deletion_for!(PgConnection);
