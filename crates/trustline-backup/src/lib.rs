//! Backup files: consistent snapshots of the database, encrypted and
//! integrity-checked (see `archive` for the format), written while servers
//! run, and restored only after the whole file has been verified.
//!
//! A restore never brings back destroyed data: the store re-applies the
//! erasure ledger and tenant ends of the database it replaces, plus any
//! erasure-ledger file kept beside the backups (`ledger`).

mod archive;
mod database;
mod error;
mod ledger;
mod schedule;
mod staging;

pub use archive::{ArchiveKind, BackupHeader, VerifiedArchive, open_archive};
pub use database::{BackupSummary, create_backup, restore_backup, seal_files};
pub use error::BackupError;
pub use ledger::{LEDGER_FILE, read_ledger, write_ledger};
pub use schedule::{BackupSchedule, ScheduledRun};
pub use staging::{Staging, remove_leftover_staging};
