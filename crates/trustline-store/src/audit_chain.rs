//! The ends of each tenant's audit chain: its head, the hash at a position,
//! and the signed checkpoints that pin it.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::{Checkpoint, Hash};
use trustline_domain::TenantId;

#[async_trait]
pub trait AuditChainStore: Send + Sync {
    async fn audit_head(&self, tenant: TenantId) -> StoreResult<Option<(i64, Hash)>>;
    async fn audit_hash_at(&self, tenant: TenantId, seq: i64) -> StoreResult<Option<Hash>>;
    async fn add_checkpoint(&self, checkpoint: Checkpoint) -> StoreResult<()>;
    async fn checkpoints(&self, tenant: TenantId) -> StoreResult<Vec<Checkpoint>>;
    /// The position of the newest checkpoint, if any.
    async fn latest_checkpoint_seq(&self, tenant: TenantId) -> StoreResult<Option<i64>>;
}
