//! Access reviews as stored: campaigns and one item per account. Revoking
//! access is done by disabling the account (the caller does it first, so a
//! revocation holds even if recording the decision fails).

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UnixTime, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessReview {
    pub id: i64,
    pub started_by: UserId,
    pub started_at: UnixTime,
    pub due_at: UnixTime,
    pub completed_at: Option<UnixTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessReviewItem {
    pub user_id: UserId,
    pub role: String,
    /// Whether the account could call numbers from the desk when the review started.
    pub manual_calls: bool,
    /// `pending`, `confirmed` or `revoked`.
    pub decision: String,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<UnixTime>,
}

/// A reviewer's decision on one account of a campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessDecisionRecord {
    pub review: i64,
    pub user: UserId,
    /// `confirmed` or `revoked`.
    pub decision: String,
    pub by: UserId,
    pub at: UnixTime,
}

#[async_trait]
pub trait AccessReviewStore: Send + Sync {
    /// A campaign over every enabled account of the tenant. Fills the draft's target.
    async fn start_access_review(
        &self,
        tenant: TenantId,
        by: UserId,
        at: UnixTime,
        due_at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<i64>;
    async fn access_reviews(&self, tenant: TenantId) -> StoreResult<Vec<AccessReview>>;
    async fn access_review_items(&self, tenant: TenantId, review: i64) -> StoreResult<Vec<AccessReviewItem>>;
    /// Records a decision on a pending item (`Conflict` if decided already,
    /// `NotFound` if there is none); completes the campaign with its last one.
    async fn decide_access(&self, tenant: TenantId, decision: AccessDecisionRecord, audit: AuditDraft) -> StoreResult<()>;
}
