//! Outbound campaigns as stored: the domain's status and checked settings
//! (kept as JSON, decoded here once), with the lists they dial.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::dialing::{CampaignSettings, CampaignStatus};
use trustline_domain::{TenantId, UnixTime};

#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    pub status: CampaignStatus,
    pub settings: CampaignSettings,
    pub list_ids: Vec<i64>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A campaign to create, or the new settings of one.
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignDraft {
    pub tenant_id: TenantId,
    pub name: String,
    pub settings: CampaignSettings,
    pub list_ids: Vec<i64>,
    pub at: UnixTime,
}

#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// A new campaign in `draft`; `Conflict` if the name is taken. Fills the
    /// draft's target with the new id.
    async fn create_campaign(&self, campaign: CampaignDraft, audit: AuditDraft) -> StoreResult<i64>;
    async fn campaigns(&self, tenant: TenantId) -> StoreResult<Vec<Campaign>>;
    async fn campaign(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Campaign>>;
    /// Replaces name, settings and lists.
    async fn update_campaign(&self, id: i64, campaign: CampaignDraft, audit: AuditDraft) -> StoreResult<()>;
    /// Moves the status, provided it is still `from` (`Conflict` otherwise).
    async fn set_campaign_status(
        &self,
        tenant: TenantId,
        id: i64,
        from: CampaignStatus,
        to: CampaignStatus,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<()>;
}
