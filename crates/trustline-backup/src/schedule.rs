//! Scheduled backups: one new file per run in a directory, the newest
//! `keep` kept, and the erasure ledger refreshed beside them.

use crate::BackupError;
use crate::database::{BackupSummary, create_backup};
use crate::ledger::{LEDGER_FILE, write_ledger};
use std::path::PathBuf;
use std::sync::Arc;
use trustline_crypto::Keyring;
use trustline_domain::UnixTime;
use trustline_store::Store;

const PREFIX: &str = "trustline-";
const SUFFIX: &str = ".tlbackup";

#[derive(Clone, Debug)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    /// How many backups to keep (at least one).
    pub keep: usize,
}

#[derive(Debug)]
pub struct ScheduledRun {
    pub created: BackupSummary,
    pub removed: Vec<PathBuf>,
}

impl BackupSchedule {
    /// The backups in the directory, oldest first (names sort by time).
    pub fn backups(&self) -> Result<Vec<PathBuf>, BackupError> {
        let entries = std::fs::read_dir(&self.dir).map_err(BackupError::io(format!("list {}", self.dir.display())))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(BackupError::io(format!("list {}", self.dir.display())))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
                found.push(entry.path());
            }
        }
        found.sort();
        Ok(found)
    }

    /// Writes a new backup and the ledger, then removes the oldest backups
    /// beyond `keep`. Nothing is removed unless the new backup is complete.
    pub async fn run(&self, store: &dyn Store, keyring: &Arc<Keyring>, now: UnixTime) -> Result<ScheduledRun, BackupError> {
        std::fs::create_dir_all(&self.dir).map_err(BackupError::io(format!("create {}", self.dir.display())))?;
        let stamp = u64::try_from(now).unwrap_or(0);
        let name = |attempt: u32| self.dir.join(format!("{PREFIX}{stamp:012}-{attempt:02}{SUFFIX}"));
        let mut attempt = 1;
        while name(attempt).exists() {
            attempt += 1;
        }
        let out = name(attempt);
        let created = create_backup(store, keyring, now, &out, "system").await?;
        write_ledger(store, keyring, now, &self.dir.join(LEDGER_FILE)).await?;
        let backups = self.backups()?;
        let surplus = backups.len().saturating_sub(self.keep.max(1));
        let mut removed = Vec::new();
        for old in backups.into_iter().take(surplus) {
            std::fs::remove_file(&old).map_err(BackupError::io(format!("remove {}", old.display())))?;
            removed.push(old);
        }
        Ok(ScheduledRun { created, removed })
    }
}
