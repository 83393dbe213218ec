pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Storage failures, engine-neutral. Messages never contain stored values.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The audit event could not be written, so the change was rolled back.
    #[error("the audit log could not be written; nothing was changed")]
    AuditWrite(#[source] BoxError),
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// Key material was wrapped by a master key that has since been replaced.
    #[error("the master key was replaced; restart with the new master key")]
    StaleMasterKey,
    /// A snapshot that cannot be restored here (other engine or schema, files missing).
    #[error("the snapshot cannot be restored: {0}")]
    Snapshot(String),
    /// A queue named a number the operator has not assigned to its tenant.
    #[error("this number is not one of the organisation's inbound numbers")]
    NumberNotAssigned,
    /// A number still answered by a queue cannot be taken back.
    #[error("a queue answers this number; change the queue first")]
    NumberInUse,
    /// The change would leave the tenant without an enabled owner.
    #[error("the tenant's last enabled owner cannot be disabled or demoted")]
    LastOwner,
    /// A change fenced by a lease this node no longer holds (another node
    /// took it): nothing was changed.
    #[error("this node no longer holds the lease the change was made under; nothing was changed")]
    LeaseLost,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}
