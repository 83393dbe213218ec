//! Snapshots by `VACUUM INTO` (a compacted copy written from one read
//! transaction, while writers go on), restores by attaching that copy and
//! replacing every table in one write transaction.

use crate::contacts::erase;
use crate::delete_tenant_rows;
use crate::rows::Row as Cols;
use crate::{SqliteStore, append_events, unavailable};
use async_trait::async_trait;
use sqlx::{Connection, SqliteConnection};
use std::path::Path;
use trustline_store::{BackupStore, ErasureEntry, RestoreAuditor, RestoreOutcome, SnapshotFile, SnapshotManifest, StoreError, StoreResult};
use trustline_store_sql::decode;

const ENGINE: &str = "sqlite";
const SNAPSHOT_FILE: &str = "trustline.sqlite";

fn path_text(path: &Path) -> StoreResult<&str> {
    path.to_str().ok_or_else(|| StoreError::Snapshot(format!("the staging path {} is not UTF-8", path.display())))
}

/// The project's tables in creation order, which is parent-first.
async fn tables(conn: &mut SqliteConnection, schema: &str) -> StoreResult<Vec<String>> {
    let sql = format!(
        "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY rowid"
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await.map_err(unavailable)
}

async fn schema_version(conn: &mut SqliteConnection, schema: &str) -> StoreResult<i64> {
    let sql = format!("SELECT COALESCE(MAX(version), 0) FROM {schema}._sqlx_migrations WHERE success");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.map_err(unavailable)
}

#[async_trait]
impl BackupStore for SqliteStore {
    async fn snapshot(&self, dir: &Path) -> StoreResult<SnapshotManifest> {
        let path = dir.join(SNAPSHOT_FILE);
        let mut conn = self.pool.acquire().await.map_err(unavailable)?;
        let version = schema_version(&mut conn, "main").await?;
        // VACUUM INTO fills an empty file as it finds it: made private first.
        trustline_store::create_private_file(&path).map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        sqlx::query("VACUUM INTO $1").bind(path_text(&path)?).execute(&mut *conn).await.map_err(unavailable)?;
        let bytes = std::fs::metadata(&path).map_err(|e| StoreError::Unavailable(Box::new(e)))?.len();
        Ok(SnapshotManifest {
            engine: ENGINE.into(),
            schema_version: version,
            files: vec![SnapshotFile { name: SNAPSHOT_FILE.into(), bytes }],
        })
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
        if manifest.files.iter().map(|f| f.name.as_str()).ne([SNAPSHOT_FILE]) {
            return Err(StoreError::Snapshot(format!("a {ENGINE} snapshot is the single file {SNAPSHOT_FILE}")));
        }
        let path = dir.join(SNAPSHOT_FILE);
        let mut conn = self.writer.acquire().await.map_err(unavailable)?;
        sqlx::query("ATTACH DATABASE $1 AS snapshot").bind(path_text(&path)?).execute(&mut *conn).await.map_err(unavailable)?;
        let restored = self.restore_attached(&mut conn, manifest, ledger, audit).await;
        let detached = sqlx::query("DETACH DATABASE snapshot").execute(&mut *conn).await.map_err(unavailable);
        let outcome = restored?;
        detached?;
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

impl SqliteStore {
    async fn restore_attached(
        &self,
        conn: &mut SqliteConnection,
        manifest: &SnapshotManifest,
        ledger: Vec<ErasureEntry>,
        audit: RestoreAuditor,
    ) -> StoreResult<RestoreOutcome> {
        let (ours, theirs) = (schema_version(conn, "main").await?, schema_version(conn, "snapshot").await?);
        if ours != theirs || manifest.schema_version != theirs {
            return Err(StoreError::Snapshot(format!("it is at schema version {theirs}, this database at {ours}")));
        }
        let names = tables(conn, "main").await?;
        if tables(conn, "snapshot").await? != names {
            return Err(StoreError::Snapshot("its tables differ from this database's".into()));
        }
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(unavailable)?;
        sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await.map_err(unavailable)?;

        let kept = kept_state(&mut tx).await?;

        for table in names.iter().rev() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM main.\"{table}\""))).execute(&mut *tx).await.map_err(unavailable)?;
        }
        for table in &names {
            let copy = format!("INSERT INTO main.\"{table}\" SELECT * FROM snapshot.\"{table}\"");
            sqlx::query(sqlx::AssertSqlSafe(copy)).execute(&mut *tx).await.map_err(unavailable)?;
        }

        let outcome = reapply(&mut tx, kept, ledger).await?;
        append_events(&mut tx, &self.chain, vec![audit(&outcome)]).await.map_err(|e| StoreError::AuditWrite(Box::new(e)))?;
        tx.commit().await.map_err(|e| StoreError::AuditWrite(Box::new(e)))?;
        Ok(outcome)
    }
}

trustline_store_sql::restore_sql_for!(SqliteConnection);
