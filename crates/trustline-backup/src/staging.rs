//! Staging for backups and restores: folders only the service account can
//! enter (0700), removed when done or failed, and found and removed later
//! if a killed process left them. Each folder is held in use for its life,
//! so the cleanup never touches one a running backup still uses.

use crate::BackupError;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub(crate) const SNAPSHOT_PREFIX: &str = ".trustline-snapshot-";
pub(crate) const RESTORE_PREFIX: &str = ".trustline-restore-";
pub(crate) const BACKUP_PREFIX: &str = ".trustline-backup-";

/// A private staging folder, removed when dropped.
pub struct Staging {
    dir: tempfile::TempDir,
    _in_use: File,
}

impl Staging {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A staging folder in `parent` named `prefix…`.
pub(crate) fn private_staging(parent: &Path, prefix: &str) -> Result<Staging, BackupError> {
    let failed = || BackupError::io(format!("create a private directory in {}", parent.display()));
    let dir =
        tempfile::Builder::new().prefix(prefix).permissions(std::fs::Permissions::from_mode(0o700)).tempdir_in(parent).map_err(failed())?;
    let in_use = trustline_store::hold_folder(dir.path()).map_err(failed())?;
    Ok(Staging { dir, _in_use: in_use })
}

/// Removes what killed backups and restores left in `dir` (snapshot and
/// restore folders, unfinished archives), never what a running one holds;
/// returns how many entries went.
pub fn remove_leftover_staging(dir: &Path) -> Result<usize, BackupError> {
    trustline_store::remove_leftovers(dir, &[SNAPSHOT_PREFIX, RESTORE_PREFIX, BACKUP_PREFIX])
        .map_err(BackupError::io(format!("remove leftovers in {}", dir.display())))
}
