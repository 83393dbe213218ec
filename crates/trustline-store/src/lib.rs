//! The storage interface: traits, records and errors, with no SQL. The
//! application talks to `dyn Store` and never learns which engine is behind
//! it. The SQL both engines share lives in `trustline-store-sql`; each engine
//! crate holds its schema and what differs.
//!
//! Every method that changes state takes the audit event describing the change
//! and writes it in the same transaction: if the event cannot be written,
//! nothing is changed (fail closed).

mod access_reviews;
mod account_store;
mod agents;
mod audit_chain;
mod backup;
mod calls;
mod campaigns;
mod contacts;
mod desk_phones;
mod error;
mod idempotency;
mod imports;
mod incidents;
mod keys;
mod leases;
mod live;
mod nodes;
mod private_files;
mod queues;
mod records;
mod register_store;
mod tenant_end;
mod training;
mod trunks;
mod trust;
mod webhooks;

pub use access_reviews::{AccessDecisionRecord, AccessReview, AccessReviewItem, AccessReviewStore};
pub use account_store::AccountStore;
pub use agents::{AgentHistoryEntry, AgentMove, AgentStatus, AgentStore};
pub use audit_chain::AuditChainStore;
pub use backup::{
    BackupStore, KeptState, Reapplication, RestoreAuditor, RestoreOutcome, SnapshotFile, SnapshotManifest, parent_first, plain_file_name,
    reapplication,
};
pub use calls::{
    AttemptRecord, CallChange, CallDirection, CallDisposition, CallHold, CallMode, CallRecord, CallState, CallStore, DialCandidate, NewCall,
};
pub use campaigns::{Campaign, CampaignDraft, CampaignStore};
pub use contacts::{
    ConsentChange, ConsentEvent, ConsentState, ContactLookups, ContactStore, Digest, ErasureEntry, IdKind, NewContact, RetentionOutcome,
    SealedContact, SealedFields, SealedNote,
};
pub use desk_phones::{DeskPhoneLogin, DeskPhoneStore};
pub use error::{BoxError, StoreError};
pub use idempotency::{IdempotencyClaim, IdempotencyStore};
pub use imports::{CallList, ImportChunk, ImportCounts, ImportRecord, ImportRejection, ImportStore, ListStatus, NewImport, PhoneOwner};
pub use incidents::{IncidentRecord, IncidentState, IncidentStore, NewIncident, TimelineEntry};
pub use keys::{
    InstallationRecord, KeyStore, LockedStore, MasterWrapped, WrappedIndexKey, WrappedSubjectKey, WrappedTenantKey, same_key_set,
};
pub use leases::{Fence, LeaseRecord, LeaseStore, tenant_calls_lease};
pub use live::{LiveBus, LiveListener};
pub use nodes::{NodeBeat, NodeId, NodeSignal, NodeStore};
pub use private_files::{create_private_file, hold_file, hold_folder, remove_leftovers};
pub use queues::{InboundNumber, Queue, QueueDraft, QueueStore};
pub use records::{ApiToken, AuditSearch, NewApiToken, NewUser, Session, Tenant, User};
pub use register_store::{RegisterEntry, RegisterStore, registers};
pub use tenant_end::{Certifier, DeletionCounts};
pub use training::TrainingStore;
pub use trunks::{NewSipTrunk, SealedLogin, SipTrunk, TrunkRegistration, TrunkStore};
pub use trust::{ControlEvidence, JobRunRecord, TrustStore, jobs};
pub use webhooks::{AttemptOutcome, NewDelivery, NewWebhook, Webhook, WebhookDelivery, WebhookStore};

use async_trait::async_trait;
use trustline_audit::{AuditDraft, StoredEvent};
use trustline_domain::TenantId;

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store:
    AccountStore
    + AuditChainStore
    + KeyStore
    + ContactStore
    + ImportStore
    + BackupStore
    + AgentStore
    + CampaignStore
    + CallStore
    + QueueStore
    + WebhookStore
    + TrunkStore
    + DeskPhoneStore
    + TrustStore
    + TrainingStore
    + IncidentStore
    + RegisterStore
    + AccessReviewStore
    + IdempotencyStore
    + LiveBus
    + NodeStore
    + LeaseStore
    + Send
    + Sync
{
    /// `sqlite` or `postgres`, for logs and health reports.
    fn engine(&self) -> &'static str;

    /// Succeeds when a write transaction that appends to the audit log can be
    /// opened; rolled back, so nothing is written.
    async fn check_ready(&self) -> StoreResult<()>;

    // The audit log.
    /// Appends events in one transaction (the group-commit path for reads).
    async fn append_audit(&self, drafts: Vec<AuditDraft>) -> StoreResult<()>;
    /// Events of one tenant with `seq > after`, ascending, at most `limit`.
    async fn audit_events(&self, tenant: TenantId, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// The newest `limit` events of one tenant about `target` (e.g. `contact:42`), ascending.
    async fn audit_events_about(&self, tenant: TenantId, target: &str, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// The newest `limit` events of one tenant that match `search`, newest first.
    async fn search_audit(&self, tenant: TenantId, search: &AuditSearch, limit: u32) -> StoreResult<Vec<StoredEvent>>;
}
