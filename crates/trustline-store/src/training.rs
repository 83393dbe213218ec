//! Security courses and completions as stored. Whether someone's training
//! is current is the domain's rule.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::training::Course;
use trustline_domain::{TenantId, UnixTime, UserId};

#[async_trait]
pub trait TrainingStore: Send + Sync {
    /// `Conflict` if the tenant has a course of this title. Fills the
    /// draft's target with the new id.
    async fn create_course(
        &self,
        tenant: TenantId,
        title: &str,
        validity_days: u32,
        required: bool,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<i64>;
    async fn courses(&self, tenant: TenantId) -> StoreResult<Vec<Course>>;
    /// Records that `user` completed `course` at `completed_at`
    /// (`NotFound` unless both are the tenant's).
    async fn record_completion(
        &self,
        tenant: TenantId,
        course: i64,
        user: UserId,
        completed_at: UnixTime,
        recorded_by: UserId,
        audit: AuditDraft,
    ) -> StoreResult<()>;
    /// (user, course, completed at) of the tenant, or of one user.
    async fn completions(&self, tenant: TenantId, user: Option<UserId>) -> StoreResult<Vec<(UserId, i64, UnixTime)>>;
}
