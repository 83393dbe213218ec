//! Wrapped key material. The store keeps only ciphertexts of keys (wrapped by
//! the master key or a tenant key) and the fingerprint of the master key that
//! wraps them; it never sees a plaintext key.

use crate::StoreResult;
use async_trait::async_trait;
use std::sync::Arc;
use trustline_audit::{AuditDraft, ChainKeys};
use trustline_domain::{ContactId, TenantId};

/// The installation secret (root of the service keys) as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallationRecord {
    pub wrapped_secret: Vec<u8>,
    pub master_fingerprint: [u8; 16],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedTenantKey {
    pub tenant_id: TenantId,
    pub version: u32,
    pub wrapped: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedIndexKey {
    pub tenant_id: TenantId,
    pub wrapped: Vec<u8>,
}

/// A data subject's key, wrapped by the tenant key of `version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedSubjectKey {
    pub contact_id: ContactId,
    pub version: u32,
    pub wrapped: Vec<u8>,
}

/// Everything the master key wraps, replaced as one when the master key changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MasterWrapped {
    pub master_fingerprint: [u8; 16],
    pub installation_secret: Vec<u8>,
    pub tenant_keys: Vec<WrappedTenantKey>,
    pub index_keys: Vec<WrappedIndexKey>,
}

/// A database opened but not yet unlocked. All it can do is hand out the
/// wrapped installation secret, from which the audit chain keys derive; only
/// then can it write audit events.
#[async_trait]
pub trait LockedStore: Send + Sync {
    /// The stored installation secret; stores `fresh` first when there is none.
    async fn installation(&self, fresh: InstallationRecord) -> StoreResult<InstallationRecord>;
    fn unlock(self: Box<Self>, chain: Arc<ChainKeys>) -> Arc<dyn crate::Store>;
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Every stored version of the tenant's key, newest first.
    async fn tenant_keys(&self, tenant: TenantId) -> StoreResult<Vec<WrappedTenantKey>>;
    /// Stores a new version. `Conflict` if the version exists; `StaleMasterKey`
    /// if `master_fingerprint` is not the one on record.
    async fn add_tenant_key(&self, key: WrappedTenantKey, master_fingerprint: [u8; 16], audit: AuditDraft) -> StoreResult<()>;
    async fn index_key(&self, tenant: TenantId) -> StoreResult<Option<Vec<u8>>>;
    /// Stores the index key unless the tenant has one; returns the one stored.
    async fn add_index_key(&self, key: WrappedIndexKey, master_fingerprint: [u8; 16], audit: AuditDraft) -> StoreResult<Vec<u8>>;
    /// Up to `limit` live subject keys wrapped under a version below `version`.
    async fn subject_keys_below(&self, tenant: TenantId, version: u32, limit: u32) -> StoreResult<Vec<WrappedSubjectKey>>;
    /// Replaces subject keys with forms wrapped by `to_version`. A key whose
    /// version changed (or that was erased) since it was read is left alone.
    /// `keys` carry the version they were read at. Returns how many changed.
    async fn rewrap_subject_keys(
        &self,
        tenant: TenantId,
        to_version: u32,
        keys: Vec<WrappedSubjectKey>,
        audit: AuditDraft,
    ) -> StoreResult<u64>;
    /// Deletes the tenant's key versions below `version` that no subject key
    /// uses any more; returns how many were deleted.
    async fn retire_tenant_keys(&self, tenant: TenantId, below: u32, audit: AuditDraft) -> StoreResult<u64>;
    async fn master_wrapped(&self) -> StoreResult<MasterWrapped>;
    /// Swaps in everything re-wrapped by a new master key, provided the master
    /// key on record is still `previous`. `audits` are appended in the same
    /// transaction (one per tenant).
    async fn replace_master_wrapped(&self, previous: [u8; 16], next: MasterWrapped, audits: Vec<AuditDraft>) -> StoreResult<()>;
}

/// Whether two snapshots hold the same keys (by tenant and version), so that a
/// master-key swap covers every key that exists at the moment it commits.
pub fn same_key_set(a: &MasterWrapped, b: &MasterWrapped) -> bool {
    let tenant = |m: &MasterWrapped| m.tenant_keys.iter().map(|k| (k.tenant_id, k.version)).collect::<std::collections::BTreeSet<_>>();
    let index = |m: &MasterWrapped| m.index_keys.iter().map(|k| k.tenant_id).collect::<std::collections::BTreeSet<_>>();
    tenant(a) == tenant(b) && index(a) == index(b)
}
