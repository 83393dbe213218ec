//! Files that hold rows outside the database (snapshots, restores, ledgers,
//! spooled uploads) are the service account's alone: created 0600, never
//! over an existing one, locked while in use, and removed when a killed
//! process left them, never while another process still holds them.

use std::fs::File;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The file a folder of work holds locked while it is in use.
const IN_USE: &str = ".in-use";

/// A new file at `path`, readable and writable by its owner only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

/// Marks `file` in use for as long as this handle stays open.
pub fn hold_file(file: &File) -> io::Result<()> {
    file.try_lock().map_err(io::Error::from)
}

/// Marks the folder `dir` in use until the returned handle is dropped.
pub fn hold_folder(dir: &Path) -> io::Result<File> {
    let in_use = create_private_file(&dir.join(IN_USE))?;
    hold_file(&in_use)?;
    Ok(in_use)
}

/// Whether the entry at `path` is still held by a running process.
fn held(path: &Path, is_dir: bool) -> bool {
    let lock = if is_dir { path.join(IN_USE) } else { path.to_path_buf() };
    File::open(lock).is_ok_and(|file| matches!(file.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock)))
}

/// Removes the files and folders in `dir` whose names start with one of
/// `prefixes` and that no running process holds; returns how many went.
pub fn remove_leftovers(dir: &Path, prefixes: &[&str]) -> io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| prefixes.iter().any(|p| n.starts_with(p))) {
            continue;
        }
        let (path, is_dir) = (entry.path(), entry.file_type()?.is_dir());
        if held(&path, is_dir) {
            continue;
        }
        if is_dir { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) }?;
        removed += 1;
    }
    Ok(removed)
}
