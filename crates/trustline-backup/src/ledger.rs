//! The erasure ledger as a file of its own, sealed like a backup. Scheduled
//! backups refresh it beside the backup files, so a restore on a machine
//! that lost its database still knows who was erased after the backup it
//! restores was taken.

use crate::BackupError;
use crate::archive::{ArchiveKind, open_archive};
use crate::database::{seal_archive, staging_beside};
use std::path::Path;
use std::sync::Arc;
use trustline_crypto::Keyring;
use trustline_domain::UnixTime;
use trustline_store::{ErasureEntry, SnapshotFile, SnapshotManifest, Store};

/// The ledger's name beside scheduled backups.
pub const LEDGER_FILE: &str = "erasure-ledger.tlledger";
const ENTRIES_FILE: &str = "erasure-ledger.json";

/// Writes every tenant's erasure ledger to `out`, replacing an older copy
/// only once the new one is complete.
pub async fn write_ledger(store: &dyn Store, keyring: &Arc<Keyring>, now: UnixTime, out: &Path) -> Result<usize, BackupError> {
    let entries = store.all_erasures().await?;
    let staging = staging_beside(out)?;
    let json = serde_json::to_vec(&entries).map_err(|e| BackupError::Io { what: "encode the ledger".into(), source: e.into() })?;
    trustline_store::create_private_file(&staging.path().join(ENTRIES_FILE))
        .and_then(|mut file| std::io::Write::write_all(&mut file, &json))
        .map_err(BackupError::io("write the ledger"))?;
    let manifest = SnapshotManifest {
        engine: store.engine().into(),
        schema_version: 0,
        files: vec![SnapshotFile { name: ENTRIES_FILE.into(), bytes: json.len() as u64 }],
    };
    let fresh = staging.path().join(LEDGER_FILE);
    seal_archive(store, keyring, ArchiveKind::ErasureLedger, manifest, staging.path(), now, &fresh).await?;
    std::fs::rename(&fresh, out).map_err(BackupError::io(format!("replace {}", out.display())))?;
    Ok(entries.len())
}

/// The entries of a ledger file, after checking it like a backup.
pub fn read_ledger(path: &Path, keyring: &Keyring, staging_in: &Path) -> Result<Vec<ErasureEntry>, BackupError> {
    let archive = open_archive(path, keyring, staging_in)?;
    let tampered = |what: &str| BackupError::Tampered { path: path.to_path_buf(), what: what.into() };
    if archive.header.kind != ArchiveKind::ErasureLedger {
        return Err(BackupError::WrongKind {
            path: path.to_path_buf(),
            found: archive.header.kind.describe(),
            wanted: ArchiveKind::ErasureLedger.describe(),
        });
    }
    if archive.header.manifest.files.iter().map(|f| f.name.as_str()).ne([ENTRIES_FILE]) {
        return Err(tampered("it does not hold a ledger"));
    }
    let json = std::fs::read(archive.staging().join(ENTRIES_FILE)).map_err(BackupError::io("read the ledger"))?;
    serde_json::from_slice(&json).map_err(|_| tampered("its entries are not valid"))
}
