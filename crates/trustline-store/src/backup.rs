//! Consistent copies of the whole database, and putting one back.
//!
//! A snapshot is engine-specific (a SQLite database file, or one PostgreSQL
//! `COPY` stream per table) and only restores into the same engine at the same
//! schema version. Encryption and integrity of backup files are not the
//! store's business; it only writes and reads the snapshot files in a private
//! staging directory.

use crate::{ErasureEntry, StoreResult};
use async_trait::async_trait;
use std::path::Path;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UnixTime};

/// What a snapshot holds: files in the staging directory, in restore order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SnapshotManifest {
    pub engine: String,
    /// The newest applied migration; a snapshot restores only into the same.
    pub schema_version: i64,
    pub files: Vec<SnapshotFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SnapshotFile {
    /// A plain file name (no directories), checked before use.
    pub name: String,
    pub bytes: u64,
}

/// What a restore changed beyond loading the snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreOutcome {
    /// Subjects erased after the snapshot was taken, erased again.
    pub erasures_reapplied: u64,
    /// Tenants ended after the snapshot was taken, ended again.
    pub tenants_ended_again: Vec<TenantId>,
    /// Each tenant's audit head before the restore replaced it: the evidence
    /// of what the restore rolled back.
    pub replaced_heads: Vec<(TenantId, i64)>,
}

/// What the database being replaced knows and a snapshot may not: read in
/// the restore's transaction before the tables are replaced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeptState {
    pub ledger: Vec<ErasureEntry>,
    pub ended: Vec<(TenantId, UnixTime)>,
    pub heads: Vec<(TenantId, i64)>,
    /// Id counters (name, next id).
    pub counters: Vec<(String, i64)>,
}

/// Builds the audit event of a restore from its outcome.
pub type RestoreAuditor = Box<dyn for<'c> FnOnce(&'c RestoreOutcome) -> AuditDraft + Send + 'static>;

#[async_trait]
pub trait BackupStore: Send + Sync {
    /// Writes a transactionally consistent copy of every table into `dir`
    /// while other connections keep reading and writing.
    async fn snapshot(&self, dir: &Path) -> StoreResult<SnapshotManifest>;

    /// Replaces every table with the snapshot in `dir`, in one transaction.
    /// Erasures and tenant ends recorded in the database being replaced, and
    /// the entries of `ledger`, are applied again to the restored rows, so a
    /// restore never brings back data that was destroyed; id counters never
    /// move backwards. The event `audit` builds is appended last.
    async fn restore(
        &self,
        dir: &Path,
        manifest: &SnapshotManifest,
        ledger: Vec<ErasureEntry>,
        audit: RestoreAuditor,
    ) -> StoreResult<RestoreOutcome>;

    /// The erasure ledger of every tenant, oldest first.
    async fn all_erasures(&self) -> StoreResult<Vec<ErasureEntry>>;
}

/// Whether `name` is safe to join to the staging directory.
pub fn plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name != "."
        && name != ".."
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

/// What a restore must destroy again in the restored rows.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reapplication {
    /// Tenants live in the snapshot that had ended since: end them again.
    pub end: Vec<(TenantId, UnixTime)>,
    /// Ledger entries of tenants that stay live.
    pub erase: Vec<ErasureEntry>,
}

/// Decides what to re-apply after loading a snapshot whose tenants are
/// `restored` (id, ended) from what the replaced database had ended and
/// erased. Entries for tenants the snapshot does not know stay out: no rows
/// of theirs came back.
pub fn reapplication(restored: &[(TenantId, bool)], ended: &[(TenantId, UnixTime)], ledger: Vec<ErasureEntry>) -> Reapplication {
    let live = |id: TenantId| restored.iter().any(|&(t, ended)| t == id && !ended);
    let end: Vec<_> = ended.iter().copied().filter(|&(id, _)| live(id)).collect();
    let mut erase: Vec<_> = ledger.into_iter().filter(|e| live(e.tenant_id) && !end.iter().any(|&(id, _)| id == e.tenant_id)).collect();
    erase.sort_by_key(|e| (e.tenant_id, e.contact_id));
    erase.dedup_by_key(|e| (e.tenant_id, e.contact_id));
    Reapplication { end, erase }
}

/// Orders tables so that every table comes after the tables it references
/// (`edges` are (table, referenced)); otherwise keeps the given order.
pub fn parent_first(tables: &[String], edges: &[(String, String)]) -> Vec<String> {
    let mut ordered: Vec<String> = Vec::with_capacity(tables.len());
    let mut pending: Vec<&String> = tables.iter().collect();
    while !pending.is_empty() {
        let ready = pending.iter().position(|t| {
            edges
                .iter()
                .filter(|(child, parent)| child == *t && parent != *t)
                .all(|(_, parent)| ordered.contains(parent) || !tables.contains(parent))
        });
        // A reference cycle cannot be ordered; keep the rest as given.
        let index = ready.unwrap_or(0);
        ordered.push(pending.remove(index).clone());
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustline_domain::ContactId;

    fn entry(tenant: i64, contact: i64) -> ErasureEntry {
        ErasureEntry { tenant_id: TenantId(tenant), contact_id: ContactId(contact), erased_at: 5, reason: "request".into() }
    }

    #[test]
    fn only_live_tenants_of_the_snapshot_are_ended_or_erased_again() {
        let restored = [(TenantId(1), false), (TenantId(2), false), (TenantId(3), true)];
        let ended = [(TenantId(2), 9), (TenantId(3), 8), (TenantId(4), 7)];
        let plan = reapplication(&restored, &ended, vec![entry(1, 10), entry(1, 10), entry(2, 11), entry(3, 12), entry(4, 13)]);
        assert_eq!(plan.end, vec![(TenantId(2), 9)]);
        assert_eq!(plan.erase, vec![entry(1, 10)]);
    }

    #[test]
    fn referenced_tables_come_first() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let edges = vec![("notes".to_string(), "contacts".to_string()), ("contacts".to_string(), "tenants".to_string())];
        assert_eq!(
            parent_first(&names(&["notes", "contacts", "tenants", "other"]), &edges),
            names(&["tenants", "contacts", "notes", "other"])
        );
    }
}
