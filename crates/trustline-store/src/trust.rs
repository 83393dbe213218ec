//! What the trust center reads that no other part of the store keeps: the
//! runs of scheduled jobs and recorded checks, and whether erasures left
//! anything behind.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::control_checks::ControlCheck;
use trustline_domain::{TenantId, UnixTime, UserId};

/// Jobs whose runs are kept.
pub mod jobs {
    /// A backup written (`detail`: the file and its size).
    pub const BACKUP: &str = "backup";
    /// A backup read back in full and verified.
    pub const BACKUP_VERIFICATION: &str = "backup_verification";
    /// A retention run over every tenant.
    pub const RETENTION: &str = "retention";
    /// A server start; `ok` when it serves TLS.
    pub const SERVER_START: &str = "server_start";
    /// The detection rules read the audit stream (recorded hourly).
    pub const INCIDENT_DETECTION: &str = "incident_detection";
    /// A check of the dependencies against the advisory database.
    pub const ADVISORY_CHECK: &str = "advisory_check";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRunRecord {
    pub at: UnixTime,
    pub ok: bool,
    pub detail: String,
}

/// Evidence attached by hand to a control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlEvidence {
    pub control_id: String,
    pub summary: String,
    /// Where the evidence lives (a document id or URL).
    pub reference: String,
    pub attached_by: UserId,
    pub attached_at: UnixTime,
}

#[async_trait]
pub trait TrustStore: Send + Sync {
    /// Records a run of `job`, for one tenant or (`None`) the installation.
    async fn record_job_run(&self, job: &str, tenant: Option<TenantId>, run: JobRunRecord) -> StoreResult<()>;
    /// The newest run of `job` for the tenant, or for the installation.
    async fn last_job_run(&self, job: &str, tenant: Option<TenantId>) -> StoreResult<Option<JobRunRecord>>;
    /// (erased contacts, those still holding a data key or a ciphertext).
    async fn erasure_remains(&self, tenant: TenantId) -> StoreResult<(u32, u32)>;
    async fn attach_evidence(&self, tenant: TenantId, evidence: ControlEvidence, audit: AuditDraft) -> StoreResult<()>;
    /// The newest evidence of each control of the tenant.
    async fn latest_evidence(&self, tenant: TenantId) -> StoreResult<Vec<ControlEvidence>>;
    /// Keeps these checks in their controls' histories.
    async fn record_control_checks(&self, tenant: TenantId, checks: &[ControlCheck]) -> StoreResult<()>;
    /// The newest kept check of each control of the tenant.
    async fn latest_control_checks(&self, tenant: TenantId) -> StoreResult<Vec<ControlCheck>>;
    /// One control's kept checks, newest first, at most `limit`.
    async fn control_history(&self, tenant: TenantId, control_id: &str, limit: u32) -> StoreResult<Vec<ControlCheck>>;
}
