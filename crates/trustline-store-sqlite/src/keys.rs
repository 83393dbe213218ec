use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};
use sqlx::SqliteConnection;
use trustline_audit::AuditDraft;
use trustline_domain::TenantId;
use trustline_store::{KeyStore, MasterWrapped, StoreError, StoreResult, WrappedIndexKey, WrappedSubjectKey, WrappedTenantKey};
use trustline_store_sql::decode;

/// Refuses key material wrapped by a master key other than the one on record.
async fn check_master(conn: &mut SqliteConnection, fingerprint: [u8; 16]) -> StoreResult<()> {
    let row = sqlx::query("SELECT master_fingerprint FROM installation WHERE id = 1").fetch_one(&mut *conn).await.map_err(unavailable)?;
    if decode::fingerprint(&Cols(&row), "master_fingerprint")? == fingerprint { Ok(()) } else { Err(StoreError::StaleMasterKey) }
}

trustline_store_sql::key_store_for!(SqliteStore, SqliteConnection);

/// A SQLite write transaction holds the whole database already.
async fn lock_installation(_: &mut SqliteConnection) -> StoreResult<()> {
    Ok(())
}
