//! Security incidents as stored, with their timelines, and how far the
//! detection rules have read each tenant's audit chain. Which moves an
//! incident may make is the domain's rule; the store checks only that a
//! change starts from the status on record.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::incidents::{IncidentKind, IncidentStatus, Severity};
use trustline_domain::{TenantId, UnixTime, UserId};

/// The parts of an incident that change over its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentState {
    pub status: IncidentStatus,
    pub owner_id: Option<UserId>,
    pub breach_aware_at: Option<UnixTime>,
    pub notify_by: Option<UnixTime>,
    pub notified_at: Option<UnixTime>,
    /// What was decided about notifying the regulator, and why.
    pub notification: Option<String>,
    pub root_cause: String,
    pub lessons: String,
    pub closed_at: Option<UnixTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentRecord {
    pub id: i64,
    pub tenant_id: TenantId,
    pub kind: IncidentKind,
    pub dedup_key: String,
    pub severity: Severity,
    pub title: String,
    pub opened_at: UnixTime,
    pub respond_by: UnixTime,
    pub updated_at: UnixTime,
    /// The hours left at the last breach reminder sent.
    pub reminded_hours: Option<i64>,
    pub state: IncidentState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewIncident {
    pub tenant_id: TenantId,
    pub kind: IncidentKind,
    pub dedup_key: String,
    pub severity: Severity,
    pub title: String,
    pub at: UnixTime,
    pub respond_by: UnixTime,
    pub breach_aware_at: Option<UnixTime>,
    pub notify_by: Option<UnixTime>,
    /// The first timeline entry: what was found.
    pub entry: String,
    pub actor: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct TimelineEntry {
    pub at: UnixTime,
    pub actor: String,
    pub entry: String,
}

#[async_trait]
pub trait IncidentStore: Send + Sync {
    /// Opens an incident, or, when one with the same `dedup_key` is still
    /// open, adds the entry to its timeline instead. Returns its id and
    /// whether it is new. Fills the draft's target.
    async fn raise_incident(&self, incident: NewIncident, audit: AuditDraft) -> StoreResult<(i64, bool)>;
    async fn incidents(&self, tenant: TenantId) -> StoreResult<Vec<IncidentRecord>>;
    async fn incident(&self, tenant: TenantId, id: i64) -> StoreResult<Option<(IncidentRecord, Vec<TimelineEntry>)>>;
    /// Replaces the incident's changing parts, provided its status is still
    /// `from` (`Conflict` otherwise), and adds `entry` to its timeline.
    async fn update_incident(
        &self,
        tenant: TenantId,
        id: i64,
        from: IncidentStatus,
        state: IncidentState,
        entry: TimelineEntry,
        audit: AuditDraft,
    ) -> StoreResult<()>;
    /// Records a breach reminder at `hours_left`, with its timeline entry,
    /// unless the incident is closed, notified, or was reminded at this mark
    /// or a later one (by another node, say): then nothing is written and
    /// `false` comes back.
    async fn record_reminder(
        &self,
        tenant: TenantId,
        id: i64,
        hours_left: i64,
        entry: TimelineEntry,
        audit: AuditDraft,
    ) -> StoreResult<bool>;
    /// The last audit sequence number the detection rules read.
    async fn detection_cursor(&self, tenant: TenantId) -> StoreResult<i64>;
    async fn set_detection_cursor(&self, tenant: TenantId, seq: i64) -> StoreResult<()>;
}
