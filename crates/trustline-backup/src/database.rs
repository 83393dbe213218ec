//! Whole-database backups and restores.

use crate::BackupError;
use crate::archive::{ArchiveKind, BackupHeader, VerifiedArchive, write_archive};
use crate::staging::{SNAPSHOT_PREFIX, Staging, private_staging, remove_leftover_staging};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trustline_audit::AuditDraft;
use trustline_crypto::{Keyring, hex, random_bytes};
use trustline_domain::AuditAction;
use trustline_domain::UnixTime;
use trustline_store::{ErasureEntry, RestoreOutcome, SnapshotManifest, Store, StoreError};

#[derive(Clone, Debug)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub backup_id: String,
    pub bytes: u64,
    pub engine: String,
}

/// A private staging directory beside `out`, so the snapshot never leaves
/// the file system the backup is written to; what killed runs left there
/// is removed first.
pub(crate) fn staging_beside(out: &Path) -> Result<Staging, BackupError> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    remove_leftover_staging(parent)?;
    private_staging(parent, SNAPSHOT_PREFIX)
}

/// Seals the files of `manifest` (in `staging`) into a new archive at `out`,
/// under the current master key.
pub(crate) async fn seal_archive(
    store: &dyn Store,
    keyring: &Arc<Keyring>,
    kind: ArchiveKind,
    manifest: SnapshotManifest,
    staging: &Path,
    now: UnixTime,
    out: &Path,
) -> Result<(BackupHeader, u64), BackupError> {
    let wrapped = store.master_wrapped().await?;
    if wrapped.master_fingerprint != keyring.fingerprint() {
        return Err(StoreError::StaleMasterKey.into());
    }
    let (keyring, staging, out) = (keyring.clone(), staging.to_path_buf(), out.to_path_buf());
    tokio::task::spawn_blocking(move || seal_files(&keyring, kind, manifest, &wrapped.installation_secret, now, &staging, &out))
        .await
        .map_err(|e| BackupError::Io { what: "write the backup".into(), source: std::io::Error::other(e) })?
}

/// Seals the files of `manifest` (in `source`) into a new archive at `out`
/// with a fresh key wrapped by `keyring`; returns the header and the file's
/// size. Blocking.
pub fn seal_files(
    keyring: &Keyring,
    kind: ArchiveKind,
    manifest: SnapshotManifest,
    installation_secret: &[u8],
    now: UnixTime,
    source: &Path,
    out: &Path,
) -> Result<(BackupHeader, u64), BackupError> {
    let backup_id = hex(random_bytes::<16>().as_ref());
    let (key, wrapped_key) = keyring.create_backup_key(&backup_id).map_err(BackupError::Key)?;
    let header = BackupHeader {
        kind,
        backup_id,
        created_at: now,
        master_fingerprint: hex(&keyring.fingerprint()),
        installation_secret: hex(installation_secret),
        wrapped_key: hex(&wrapped_key),
        manifest,
    };
    let bytes = write_archive(out, &header, &key, source)?;
    Ok((header, bytes))
}

/// Writes a consistent, encrypted backup of the whole database to `out`
/// (which must not exist) while the database stays in use, and records it
/// in the installation's audit log. If the event cannot be written, the file
/// is removed.
pub async fn create_backup(
    store: &dyn Store,
    keyring: &Arc<Keyring>,
    now: UnixTime,
    out: &Path,
    actor: &str,
) -> Result<BackupSummary, BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let staging = staging_beside(out)?;
    let manifest = store.snapshot(staging.path()).await?;
    let engine = manifest.engine.clone();
    let (header, bytes) = seal_archive(store, keyring, ArchiveKind::Database, manifest, staging.path(), now, out).await?;
    let audit = AuditDraft::new(now, 0, actor, AuditAction::BackupCreate, format!("backup:{}", header.backup_id))
        .detail("bytes", bytes.to_string())
        .detail("engine", engine.clone());
    if let Err(error) = store.append_audit(vec![audit]).await {
        // A backup nobody can account for must not exist.
        let _removed = std::fs::remove_file(out);
        return Err(error.into());
    }
    Ok(BackupSummary { path: out.to_path_buf(), backup_id: header.backup_id, bytes, engine })
}

/// Replaces the database with a verified backup. `store` must have been
/// unlocked as the backup's installation. Erasures and tenant ends known to
/// the replaced database, and those of `ledger`, are applied again; the
/// restore is recorded in the installation's audit log with what it rolled
/// back.
pub async fn restore_backup(
    store: &dyn Store,
    archive: &VerifiedArchive,
    ledger: Vec<ErasureEntry>,
    now: UnixTime,
    actor: &str,
) -> Result<RestoreOutcome, BackupError> {
    if archive.header.kind != ArchiveKind::Database {
        return Err(BackupError::WrongKind {
            path: archive.path.clone(),
            found: archive.header.kind.describe(),
            wanted: ArchiveKind::Database.describe(),
        });
    }
    let header = archive.header.clone();
    let actor = actor.to_owned();
    let auditor: trustline_store::RestoreAuditor = Box::new(move |outcome: &RestoreOutcome| {
        let heads = outcome.replaced_heads.iter().map(|(tenant, seq)| format!("{tenant}:{seq}")).collect::<Vec<_>>().join(",");
        let ended = outcome.tenants_ended_again.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        AuditDraft::new(now, 0, actor, AuditAction::BackupRestore, format!("backup:{}", header.backup_id))
            .detail("backup_created_at", header.created_at.to_string())
            .detail("erasures_reapplied", outcome.erasures_reapplied.to_string())
            .detail("tenants_ended_again", ended)
            .detail("replaced_heads", heads)
    });
    Ok(store.restore(archive.staging(), &archive.header.manifest, ledger, auditor).await?)
}
