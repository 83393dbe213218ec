use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};
use sqlx::PgConnection;
use trustline_audit::AuditDraft;
use trustline_domain::TenantId;
use trustline_store::{KeyStore, MasterWrapped, StoreError, StoreResult, WrappedIndexKey, WrappedSubjectKey, WrappedTenantKey};
use trustline_store_sql::decode;

/// Refuses key material wrapped by a master key other than the one on record.
/// The shared row lock makes a concurrent master-key swap wait for this write.
async fn check_master(conn: &mut PgConnection, fingerprint: [u8; 16]) -> StoreResult<()> {
    let row = sqlx::query("SELECT master_fingerprint FROM installation WHERE id = 1 FOR SHARE")
        .fetch_one(&mut *conn)
        .await
        .map_err(unavailable)?;
    if decode::fingerprint(&Cols(&row), "master_fingerprint")? == fingerprint { Ok(()) } else { Err(StoreError::StaleMasterKey) }
}

trustline_store_sql::key_store_for!(PostgresStore, PgConnection);

/// Holds the installation row exclusively: key additions (which take it
/// shared) wait for a master-key swap.
async fn lock_installation(conn: &mut PgConnection) -> StoreResult<()> {
    sqlx::query("SELECT 1 FROM installation WHERE id = 1 FOR UPDATE").execute(&mut *conn).await.map_err(unavailable)?;
    Ok(())
}
