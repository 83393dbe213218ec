//! Inbound queues and agents' skills as stored. Settings and skills are
//! kept as the domain's JSON; the store keeps the number unique, since a
//! dialled number must reach exactly one queue.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UnixTime, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queue {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    /// The E.164 number callers dial.
    pub number: String,
    /// `QueueSettings` as JSON.
    pub settings: String,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A queue to create, or the new settings of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueDraft {
    pub tenant_id: TenantId,
    pub name: String,
    pub number: String,
    pub settings: String,
    pub at: UnixTime,
}

#[async_trait]
pub trait QueueStore: Send + Sync {
    /// `Conflict` if the tenant has a queue of this name or any queue has
    /// this number. Fills the draft's target with the new id.
    async fn create_queue(&self, queue: QueueDraft, audit: AuditDraft) -> StoreResult<i64>;
    /// Replaces name, number and settings.
    async fn update_queue(&self, id: i64, queue: QueueDraft, audit: AuditDraft) -> StoreResult<()>;
    async fn queues(&self, tenant: TenantId) -> StoreResult<Vec<Queue>>;
    async fn queue(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Queue>>;
    /// The queue a dialled number reaches, of whichever tenant.
    async fn queue_by_number(&self, number: &str) -> StoreResult<Option<Queue>>;
    /// Replaces an agent's skills (JSON) of the tenant's user.
    async fn set_agent_skills(&self, tenant: TenantId, user: UserId, skills: &str, at: UnixTime, audit: AuditDraft) -> StoreResult<()>;
    /// Every agent's skills (JSON) in the tenant.
    async fn agent_skills(&self, tenant: TenantId) -> StoreResult<Vec<(UserId, String)>>;
}
