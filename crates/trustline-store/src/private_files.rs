//! Files that hold rows outside the database (snapshots, restores, ledgers)
//! are the service account's alone: created 0600, never over an existing one.

use std::fs::File;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// A new file at `path`, readable and writable by its owner only.
pub fn create_private_file(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}
