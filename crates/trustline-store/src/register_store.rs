//! The supplier and risk registers as stored: each entry is the domain's
//! JSON, replaced whole when it changes.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UnixTime};

/// The registers kept.
pub mod registers {
    pub const SUPPLIERS: &str = "supplier";
    pub const RISKS: &str = "risk";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterEntry {
    pub id: i64,
    /// The domain's JSON.
    pub body: String,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

#[async_trait]
pub trait RegisterStore: Send + Sync {
    /// Fills the draft's target with `{register}:{id}`.
    async fn add_register_entry(&self, tenant: TenantId, register: &str, body: &str, at: UnixTime, audit: AuditDraft) -> StoreResult<i64>;
    /// `NotFound` unless the entry is the tenant's, in that register.
    async fn replace_register_entry(
        &self,
        tenant: TenantId,
        register: &str,
        id: i64,
        body: &str,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<()>;
    async fn register_entries(&self, tenant: TenantId, register: &str) -> StoreResult<Vec<RegisterEntry>>;
}
