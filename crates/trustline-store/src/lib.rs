//! The storage interface. The server talks to `dyn Store` and never learns
//! which engine is behind it; each engine crate holds its own SQL and schema.
//!
//! Every method that changes state takes the audit event describing the change
//! and writes it in the same transaction: if the event cannot be written,
//! nothing is changed (fail closed).

mod access_review_sql;
mod access_reviews;
mod agents;
mod backup;
mod call_sql;
mod calls;
mod campaigns;
mod contacts;
pub mod decode;
mod engine_sql;
mod error;
mod idempotency;
mod imports;
mod incident_sql;
mod incidents;
mod keys;
mod live;
mod queue_sql;
mod queues;
mod records;
mod register_sql;
mod register_store;
mod tenant_end;
mod training;
mod training_sql;
mod trust;
mod trust_sql;
mod webhook_sql;
mod webhooks;

pub use access_reviews::{AccessDecisionRecord, AccessReview, AccessReviewItem, AccessReviewStore};
pub use agents::{AgentHistoryEntry, AgentMove, AgentStatus, AgentStore, StoredAgentState};
pub use backup::{
    BackupStore, KeptState, Reapplication, RestoreAuditor, RestoreOutcome, SnapshotFile, SnapshotManifest, parent_first, plain_file_name,
    reapplication,
};
pub use calls::{AttemptRecord, CallChange, CallDisposition, CallHold, CallRecord, CallState, CallStore, DialCandidate, NewCall};
pub use campaigns::{Campaign, CampaignDraft, CampaignStore};
pub use contacts::{
    ConsentChange, ConsentEvent, ConsentState, ContactLookups, ContactStore, Digest, ErasureEntry, IdKind, NewContact, RetentionOutcome,
    SealedContact, SealedFields, SealedNote,
};
pub use error::{BoxError, StoreError};
pub use idempotency::{IdempotencyClaim, IdempotencyStore};
pub use imports::{CallList, ImportChunk, ImportCounts, ImportRecord, ImportRejection, ImportStore, ListStatus, NewImport, PhoneOwner};
pub use incidents::{IncidentRecord, IncidentState, IncidentStore, NewIncident, TimelineEntry};
pub use keys::{
    InstallationRecord, KeyStore, LockedStore, MasterWrapped, WrappedIndexKey, WrappedSubjectKey, WrappedTenantKey, same_key_set,
};
pub use live::{LiveBus, LiveListener};
pub use queues::{Queue, QueueDraft, QueueStore};
pub use records::{ApiToken, AuditSearch, NewApiToken, NewUser, Session, Tenant, User};
pub use register_store::{RegisterEntry, RegisterStore, registers};
pub use tenant_end::{Certifier, DeletionCounts, MARK_TENANT_ENDED, TENANT_DELETIONS};
pub use training::TrainingStore;
pub use trust::{ControlEvidence, JobRunRecord, TrustStore, jobs};
pub use webhooks::{AttemptOutcome, NewDelivery, NewWebhook, Webhook, WebhookDelivery, WebhookStore};

use async_trait::async_trait;
use trustline_audit::{AuditDraft, Checkpoint, Hash, StoredEvent};
use trustline_domain::{Role, TenantId, TokenId, UnixTime, UserId};

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store:
    KeyStore
    + ContactStore
    + ImportStore
    + BackupStore
    + AgentStore
    + CampaignStore
    + CallStore
    + QueueStore
    + WebhookStore
    + TrustStore
    + TrainingStore
    + IncidentStore
    + RegisterStore
    + AccessReviewStore
    + IdempotencyStore
    + LiveBus
    + Send
    + Sync
{
    /// `sqlite` or `postgres`, for logs and health reports.
    fn engine(&self) -> &'static str;

    /// Succeeds when a write transaction that appends to the audit log can be
    /// opened; rolled back, so nothing is written.
    async fn check_ready(&self) -> StoreResult<()>;

    // Tenants. `create_tenant` fills the draft's tenant and target.
    async fn create_tenant(&self, slug: &str, name: &str, audit: AuditDraft) -> StoreResult<Tenant>;
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>>;
    async fn list_tenants(&self) -> StoreResult<Vec<Tenant>>;
    async fn set_tenant_require_mfa(&self, id: TenantId, require: bool, audit: AuditDraft) -> StoreResult<()>;
    /// The ISO 3166 region assumed for numbers without a country code.
    async fn set_tenant_default_region(&self, id: TenantId, region: Option<&str>, audit: AuditDraft) -> StoreResult<()>;
    /// Deletes every row of the tenant and its keys (see [`TENANT_DELETIONS`])
    /// and marks it ended, in one transaction whose audit event `certify`
    /// builds from the counts. `NotFound` if it does not exist or already ended.
    async fn end_tenant(&self, id: TenantId, at: UnixTime, certify: Certifier) -> StoreResult<DeletionCounts>;

    // Users. `create_user` fills the draft's target with the new id.
    async fn create_user(&self, user: NewUser, audit: AuditDraft) -> StoreResult<User>;
    async fn user(&self, tenant: TenantId, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_username(&self, tenant: TenantId, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self, tenant: TenantId) -> StoreResult<Vec<User>>;
    /// Disabling also ends the user's sessions and revokes their API tokens.
    async fn set_user_disabled(&self, tenant: TenantId, id: UserId, disabled: bool, audit: AuditDraft) -> StoreResult<()>;
    /// A privilege change ends the user's sessions.
    async fn set_user_role(&self, tenant: TenantId, id: UserId, role: Role, audit: AuditDraft) -> StoreResult<()>;
    /// Ends the user's sessions.
    async fn set_password(&self, tenant: TenantId, id: UserId, password_hash: &str, audit: AuditDraft) -> StoreResult<()>;
    /// Stores a sealed TOTP seed awaiting its first code.
    async fn begin_totp_enrolment(&self, tenant: TenantId, id: UserId, sealed_seed: &[u8], audit: AuditDraft) -> StoreResult<()>;
    /// Makes the pending seed active, records the step of the confirming code
    /// and replaces the recovery codes (stored as digests).
    async fn confirm_totp(
        &self,
        tenant: TenantId,
        id: UserId,
        step: i64,
        recovery_digests: &[[u8; 32]],
        audit: AuditDraft,
    ) -> StoreResult<()>;
    /// Removes MFA and ends the user's sessions.
    async fn reset_mfa(&self, tenant: TenantId, id: UserId, audit: AuditDraft) -> StoreResult<()>;
    /// Records a used TOTP step; false if this or a later step was already used.
    async fn use_totp_step(&self, tenant: TenantId, id: UserId, step: i64) -> StoreResult<bool>;
    /// Consumes a recovery code; false if it does not exist or was used.
    async fn use_recovery_code(&self, tenant: TenantId, id: UserId, digest: &[u8; 32], at: UnixTime) -> StoreResult<bool>;
    async fn unused_recovery_codes(&self, tenant: TenantId, id: UserId) -> StoreResult<u32>;

    // Sessions, keyed by the digest of the cookie value.
    async fn create_session(&self, session: Session, audit: AuditDraft) -> StoreResult<()>;
    async fn session(&self, token_digest: &[u8; 32]) -> StoreResult<Option<Session>>;
    async fn touch_session(&self, token_digest: &[u8; 32], at: UnixTime) -> StoreResult<()>;
    /// Replaces a session with a new one (new token), e.g. after MFA.
    async fn rotate_session(&self, old_digest: &[u8; 32], new: Session, audit: AuditDraft) -> StoreResult<()>;
    async fn delete_session(&self, token_digest: &[u8; 32], audit: AuditDraft) -> StoreResult<()>;
    /// Removes sessions past their absolute lifetime; returns how many.
    async fn delete_sessions_created_before(&self, before: UnixTime) -> StoreResult<u64>;

    // Failed sign-in counters.
    async fn record_login_failure(&self, keys: &[String], at: UnixTime) -> StoreResult<()>;
    /// Failures for `key` at or after `since`, and the oldest of them.
    async fn login_failures(&self, key: &str, since: UnixTime) -> StoreResult<(u32, Option<UnixTime>)>;
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;
    /// Forgets failures older than `before` (they no longer count); returns how many.
    async fn delete_login_failures_before(&self, before: UnixTime) -> StoreResult<u64>;

    // API tokens. `create_token` fills the draft's target with the new id.
    async fn create_token(&self, token: NewApiToken, audit: AuditDraft) -> StoreResult<ApiToken>;
    async fn token_by_digest(&self, digest: &[u8; 32]) -> StoreResult<Option<ApiToken>>;
    async fn list_tokens(&self, tenant: TenantId) -> StoreResult<Vec<ApiToken>>;
    async fn revoke_token(&self, tenant: TenantId, id: TokenId, audit: AuditDraft) -> StoreResult<()>;

    // The audit log.
    /// Appends events in one transaction (the group-commit path for reads).
    async fn append_audit(&self, drafts: Vec<AuditDraft>) -> StoreResult<()>;
    /// Events of one tenant with `seq > after`, ascending, at most `limit`.
    async fn audit_events(&self, tenant: TenantId, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// The newest `limit` events of one tenant about `target` (e.g. `contact:42`), ascending.
    async fn audit_events_about(&self, tenant: TenantId, target: &str, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// The newest `limit` events of one tenant that match `search`, newest first.
    async fn search_audit(&self, tenant: TenantId, search: &AuditSearch, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    async fn audit_head(&self, tenant: TenantId) -> StoreResult<Option<(i64, Hash)>>;
    async fn audit_hash_at(&self, tenant: TenantId, seq: i64) -> StoreResult<Option<Hash>>;
    async fn add_checkpoint(&self, checkpoint: Checkpoint) -> StoreResult<()>;
    async fn checkpoints(&self, tenant: TenantId) -> StoreResult<Vec<Checkpoint>>;
    /// The position of the newest checkpoint, if any.
    async fn latest_checkpoint_seq(&self, tenant: TenantId) -> StoreResult<Option<i64>>;
}
