use std::path::PathBuf;
use trustline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} is not a Trustline backup file")]
    NotABackup(PathBuf),
    #[error("{path} is a backup of format version {version}, which this version cannot read")]
    UnsupportedVersion { path: PathBuf, version: u8 },
    #[error("{path} was written with the master key {backup}; the master key here is {current}")]
    OtherMasterKey { path: PathBuf, backup: String, current: String },
    /// Any failed check of the file's contents; nothing was written.
    #[error("{path} failed its integrity check ({what}); it was altered, truncated or damaged")]
    Tampered { path: PathBuf, what: String },
    #[error("{path} holds {found}, not {wanted}")]
    WrongKind { path: PathBuf, found: &'static str, wanted: &'static str },
    #[error("{0} already exists; backups are never overwritten")]
    Exists(PathBuf),
    #[error("cannot {what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up the backup key")]
    Key(#[source] trustline_crypto::SealError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}
