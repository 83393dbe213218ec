//! Ending a tenant: every row of theirs is deleted, in an order that respects
//! foreign keys. The audit chain stays (it holds no personal data and is the
//! evidence of what happened); the tenant row stays, marked ended, so the
//! chain stays attributable and a restore can end the tenant again.

/// Rows deleted per table when a tenant ends.
pub type DeletionCounts = Vec<(&'static str, u64)>;

/// Builds the audit event of a tenant's end from what was deleted.
pub type Certifier = Box<dyn for<'c> FnOnce(&'c DeletionCounts) -> trustline_audit::AuditDraft + Send + 'static>;
