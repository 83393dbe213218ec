//! Snapshots as one binary `COPY` stream per table, all read in a single
//! REPEATABLE READ transaction (one consistent view while writers go on);
//! restores truncate and reload every table in one transaction.

use crate::contacts::erase;
use crate::delete_tenant_rows;
use crate::rows::Row as Cols;
use crate::{PostgresStore, append_events, unavailable};
use async_trait::async_trait;
use sqlx::PgConnection;
use std::io::{Read, Write};
use std::path::Path;
use trustline_store::{
    BackupStore, ErasureEntry, RestoreAuditor, RestoreOutcome, SnapshotFile, SnapshotManifest, StoreError, StoreResult, parent_first,
    plain_file_name,
};
use trustline_store_sql::decode;

const ENGINE: &str = "postgres";
const COPY_SUFFIX: &str = ".copy";
/// Bytes sent per `COPY FROM` message on restore.
const SEND_BYTES: usize = 1 << 20;

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Unavailable(Box::new(e))
}

/// The project's tables, parent-first by foreign key.
async fn tables(conn: &mut PgConnection) -> StoreResult<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations' ORDER BY c.oid",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(unavailable)?;
    if let Some(odd) = names.iter().find(|n| !n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')) {
        return Err(StoreError::Corrupt(format!("unexpected table name {odd:?}")));
    }
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(unavailable)?;
    Ok(parent_first(&names, &edges))
}

async fn schema_version(conn: &mut PgConnection) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
        .map_err(unavailable)
}

async fn copy_out(conn: &mut PgConnection, table: &str, path: &Path) -> StoreResult<u64> {
    let mut file = trustline_store::create_private_file(path).map_err(io_error)?;
    let mut stream = conn.copy_out_raw(&format!("COPY \"{table}\" TO STDOUT (FORMAT binary)")).await.map_err(unavailable)?;
    let mut bytes = 0u64;
    while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        let chunk = chunk.map_err(unavailable)?;
        file.write_all(&chunk).map_err(io_error)?;
        bytes += chunk.len() as u64;
    }
    file.sync_all().map_err(io_error)?;
    Ok(bytes)
}

async fn copy_in(conn: &mut PgConnection, table: &str, path: &Path) -> StoreResult<()> {
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let mut copy = conn.copy_in_raw(&format!("COPY \"{table}\" FROM STDIN (FORMAT binary)")).await.map_err(unavailable)?;
    let mut buffer = vec![0u8; SEND_BYTES];
    loop {
        let read = match file.read(&mut buffer) {
            Ok(read) => read,
            Err(e) => {
                copy.abort("the snapshot file could not be read").await.map_err(unavailable)?;
                return Err(io_error(e));
            }
        };
        if read == 0 {
            break;
        }
        copy.send(buffer.get(..read).unwrap_or_default()).await.map_err(unavailable)?;
    }
    copy.finish().await.map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl BackupStore for PostgresStore {
    async fn snapshot(&self, dir: &Path) -> StoreResult<SnapshotManifest> {
        let mut tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(unavailable)?;
        let schema_version = schema_version(&mut tx).await?;
        let mut files = Vec::new();
        for table in tables(&mut tx).await? {
            let name = format!("{table}{COPY_SUFFIX}");
            let bytes = copy_out(&mut tx, &table, &dir.join(&name)).await?;
            files.push(SnapshotFile { name, bytes });
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(SnapshotManifest { engine: ENGINE.into(), schema_version, files })
    }

    async fn restore(
        &self,
        dir: &Path,
        manifest: &SnapshotManifest,
        ledger: Vec<ErasureEntry>,
        audit: RestoreAuditor,
    ) -> StoreResult<RestoreOutcome> {
        if manifest.engine != ENGINE {
            return Err(StoreError::Snapshot(format!("it was taken from {}, this database is {ENGINE}", manifest.engine)));
        }
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        let ours = schema_version(&mut tx).await?;
        if manifest.schema_version != ours {
            return Err(StoreError::Snapshot(format!("it is at schema version {}, this database at {ours}", manifest.schema_version)));
        }
        let tables = tables(&mut tx).await?;
        let expected: Vec<String> = tables.iter().map(|t| format!("{t}{COPY_SUFFIX}")).collect();
        let mut named: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
        named.sort_unstable();
        let mut wanted: Vec<&str> = expected.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        if named != wanted || !manifest.files.iter().all(|f| plain_file_name(&f.name)) {
            return Err(StoreError::Snapshot("its tables differ from this database's".into()));
        }

        let kept = kept_state(&mut tx).await?;

        // TRUNCATE locks every table until commit; identity sequences keep
        // their position, so ids handed out since the snapshot stay used.
        let list = tables.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!("TRUNCATE {list}"))).execute(&mut *tx).await.map_err(unavailable)?;
        for table in &tables {
            copy_in(&mut tx, table, &dir.join(format!("{table}{COPY_SUFFIX}"))).await?;
        }
        advance_identities(&mut tx).await?;

        let outcome = reapply(&mut tx, kept, ledger).await?;
        append_events(&mut tx, &self.chain, vec![audit(&outcome)]).await.map_err(|e| StoreError::AuditWrite(Box::new(e)))?;
        tx.commit().await.map_err(|e| StoreError::AuditWrite(Box::new(e)))?;
        Ok(outcome)
    }

    async fn all_erasures(&self) -> StoreResult<Vec<ErasureEntry>> {
        let rows = sqlx::query("SELECT * FROM erasure_ledger ORDER BY erased_at, tenant_id, contact_id")
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?;
        rows.iter().map(|r| decode::erasure(&Cols(r))).collect()
    }
}

/// Moves identity sequences past the highest restored id (a restore into an
/// empty database starts them at 1), never backwards.
async fn advance_identities(conn: &mut PgConnection) -> StoreResult<()> {
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(unavailable)?;
    for (table, column) in columns {
        let sequence = format!("pg_get_serial_sequence('\"{table}\"', '{column}')");
        let sql = format!(
            "WITH used AS (SELECT GREATEST((SELECT COALESCE(MAX(\"{column}\"), 0) FROM \"{table}\"),
                                           COALESCE(pg_sequence_last_value({sequence}::regclass), 0)) AS id)
             SELECT setval({sequence}, GREATEST(id, 1), id > 0) FROM used"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await.map_err(unavailable)?;
    }
    Ok(())
}

trustline_store_sql::restore_sql_for!(PgConnection);
