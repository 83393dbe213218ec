//! Staging for backups and restores: folders only the service account can
//! enter (0700), removed when done or failed, and found and removed later
//! if a killed process left them. Each folder holds a lock for its life, so
//! the cleanup never touches one a running backup still uses.

use crate::BackupError;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub(crate) const SNAPSHOT_PREFIX: &str = ".trustline-snapshot-";
pub(crate) const RESTORE_PREFIX: &str = ".trustline-restore-";
pub(crate) const BACKUP_PREFIX: &str = ".trustline-backup-";
/// Held locked inside a staging folder while it is in use.
const IN_USE: &str = ".in-use";

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
    let in_use = trustline_store::create_private_file(&dir.path().join(IN_USE)).map_err(failed())?;
    in_use.try_lock().map_err(|e| failed()(std::io::Error::from(e)))?;
    Ok(Staging { dir, _in_use: in_use })
}

/// Whether the staging entry at `path` is still held by a running process.
fn in_use(path: &Path, is_dir: bool) -> bool {
    let lock = if is_dir { path.join(IN_USE) } else { path.to_path_buf() };
    match File::open(lock) {
        Ok(file) => matches!(file.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

/// Removes what killed backups and restores left in `dir` (snapshot and
/// restore folders, unfinished archives), never what a running one holds;
/// returns how many entries went.
pub fn remove_leftover_staging(dir: &Path) -> Result<usize, BackupError> {
    let failed = || BackupError::io(format!("remove leftovers in {}", dir.display()));
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(failed()(error)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(failed())?;
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| [SNAPSHOT_PREFIX, RESTORE_PREFIX, BACKUP_PREFIX].iter().any(|p| n.starts_with(p))) {
            continue;
        }
        let (path, is_dir) = (entry.path(), entry.file_type().map_err(failed())?.is_dir());
        if in_use(&path, is_dir) {
            continue;
        }
        let gone = if is_dir { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        gone.map_err(failed())?;
        removed += 1;
    }
    Ok(removed)
}
