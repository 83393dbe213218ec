//! Inbound queues and agents' skills as stored: the domain's checked
//! settings and skill levels (kept as JSON, decoded here once). The store
//! keeps the number unique, since a dialled number must reach exactly one
//! queue.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::routing::{QueueSettings, SkillLevels};
use trustline_domain::{TenantId, UnixTime, UserId};

#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    /// The E.164 number callers dial.
    pub number: String,
    pub settings: QueueSettings,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A queue to create, or the new settings of one.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueDraft {
    pub tenant_id: TenantId,
    pub name: String,
    pub number: String,
    pub settings: QueueSettings,
    pub at: UnixTime,
}

/// An inbound number of the installation's inventory, assigned to a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundNumber {
    /// E.164.
    pub number: String,
    pub tenant_id: TenantId,
    pub assigned_at: UnixTime,
    /// The tenant's queue that answers it, if any.
    pub queue: Option<String>,
}

#[async_trait]
pub trait QueueStore: Send + Sync {
    /// `NumberNotAssigned` unless the number is the tenant's; `Conflict` if
    /// the tenant has a queue of this name or another queue has this
    /// number. Fills the draft's target with the new id.
    async fn create_queue(&self, queue: QueueDraft, audit: AuditDraft) -> StoreResult<i64>;
    /// Replaces name, number and settings, under the rules of `create_queue`.
    async fn update_queue(&self, id: i64, queue: QueueDraft, audit: AuditDraft) -> StoreResult<()>;
    /// Assigns a number to a tenant; `Conflict` if it is assigned already.
    async fn assign_number(&self, tenant: TenantId, number: &str, at: UnixTime, audit: AuditDraft) -> StoreResult<()>;
    /// Takes a number back; `NotFound` unless it is the tenant's, `NumberInUse`
    /// while a queue answers it.
    async fn release_number(&self, tenant: TenantId, number: &str, audit: AuditDraft) -> StoreResult<()>;
    /// The tenant's numbers, by number.
    async fn inbound_numbers(&self, tenant: TenantId) -> StoreResult<Vec<InboundNumber>>;
    async fn queues(&self, tenant: TenantId) -> StoreResult<Vec<Queue>>;
    async fn queue(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Queue>>;
    /// The queue a dialled number reaches, of whichever tenant.
    async fn queue_by_number(&self, number: &str) -> StoreResult<Option<Queue>>;
    /// Replaces an agent's skills (JSON) of the tenant's user.
    async fn set_agent_skills(
        &self,
        tenant: TenantId,
        user: UserId,
        skills: &SkillLevels,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<()>;
    /// Every agent's skills (JSON) in the tenant.
    async fn agent_skills(&self, tenant: TenantId) -> StoreResult<Vec<(UserId, SkillLevels)>>;
}
