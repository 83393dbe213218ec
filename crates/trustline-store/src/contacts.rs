//! Contacts as stored: every personal field is a ciphertext the store cannot
//! read; lookups are by blind-index digest. The store decides nothing about
//! who may see what.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::contact::{Consent, ConsentKind, CustomFieldDef, RetentionCutoffs, RetentionPolicy};
use trustline_domain::{ContactId, TenantId, UnixTime, UserId};

/// A blind-index digest (HMAC of a normalised value).
pub type Digest = [u8; 32];

/// The encrypted personal fields of a contact, each bound to its row and
/// field name. `None` is an empty field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SealedFields {
    pub name: Option<Vec<u8>>,
    pub phones: Option<Vec<u8>>,
    pub email: Option<Vec<u8>>,
    pub address: Option<Vec<u8>>,
    pub language: Option<Vec<u8>>,
    pub custom: Option<Vec<u8>>,
}

/// What lookups and suppression need, without the values themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactLookups {
    pub phones: Vec<Digest>,
    pub emails: Vec<Digest>,
    /// ISO 3166 region and IANA zone of the first number: calling windows need them.
    pub region: Option<String>,
    pub time_zone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ConsentState {
    pub consent: Consent,
    pub consent_source: Option<String>,
    pub consent_at: Option<UnixTime>,
    pub do_not_contact: bool,
    pub dnc_source: Option<String>,
    pub dnc_at: Option<UnixTime>,
    pub restricted: bool,
}

impl ConsentState {
    pub fn unknown() -> Self {
        Self {
            consent: Consent::Unknown,
            consent_source: None,
            consent_at: None,
            do_not_contact: false,
            dnc_source: None,
            dnc_at: None,
            restricted: false,
        }
    }
}

/// A contact row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedContact {
    pub tenant_id: TenantId,
    pub id: ContactId,
    /// The subject's data key wrapped by tenant key `key_version`; `None` once erased.
    pub key_version: Option<u32>,
    pub data_key: Option<Vec<u8>>,
    pub fields: SealedFields,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub consent: ConsentState,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    pub last_worked_at: Option<UnixTime>,
    pub erased_at: Option<UnixTime>,
}

/// A contact to insert with its lookups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContact {
    pub tenant_id: TenantId,
    pub id: ContactId,
    pub key_version: u32,
    pub data_key: Vec<u8>,
    pub fields: SealedFields,
    pub lookups: ContactLookups,
    pub consent: ConsentState,
    pub created_at: UnixTime,
}

/// One entry of a contact's consent history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ConsentEvent {
    pub at: UnixTime,
    pub kind: ConsentKind,
    /// `granted`, `withdrawn`, `unknown`, `on` or `off`.
    pub value: String,
    pub source: String,
    pub actor: String,
}

/// A change of consent, do-not-contact or restriction, with its history entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentChange {
    pub state: ConsentState,
    pub event: ConsentEvent,
    /// Numbers to add to the tenant's do-not-contact list.
    pub suppress: Vec<Digest>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedNote {
    pub tenant_id: TenantId,
    pub id: i64,
    pub contact_id: ContactId,
    pub author_id: UserId,
    /// `None` once the contact was erased or the note expired.
    pub body: Option<Vec<u8>>,
    pub created_at: UnixTime,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErasureEntry {
    pub tenant_id: TenantId,
    pub contact_id: ContactId,
    pub erased_at: UnixTime,
    /// e.g. `request` (art. 17), `retention`.
    pub reason: String,
}

/// Which counter a block of ids comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Contact,
    Note,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Contact => "contact",
            IdKind::Note => "note",
        }
    }
}

#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Reserves `count` consecutive ids and returns the first. Ids are needed
    /// before rows are written because ciphertexts are bound to them.
    async fn reserve_ids(&self, kind: IdKind, count: u32) -> StoreResult<i64>;

    async fn custom_fields(&self, tenant: TenantId) -> StoreResult<Vec<CustomFieldDef>>;
    /// Adds or replaces a definition.
    async fn put_custom_field(&self, tenant: TenantId, field: CustomFieldDef, audit: AuditDraft) -> StoreResult<()>;
    async fn delete_custom_field(&self, tenant: TenantId, name: &str, audit: AuditDraft) -> StoreResult<()>;

    /// `Conflict` if one of its numbers already belongs to another contact.
    async fn create_contact(&self, contact: NewContact, audit: AuditDraft) -> StoreResult<()>;
    async fn contact(&self, tenant: TenantId, id: ContactId) -> StoreResult<Option<SealedContact>>;
    /// Contacts with `id > after`, ascending, at most `limit`; erased ones included.
    async fn contacts(&self, tenant: TenantId, after: ContactId, limit: u32) -> StoreResult<Vec<SealedContact>>;
    async fn contact_by_phone(&self, tenant: TenantId, digest: &Digest) -> StoreResult<Option<ContactId>>;
    async fn contacts_by_email(&self, tenant: TenantId, digest: &Digest) -> StoreResult<Vec<ContactId>>;
    /// Rectification: replaces the personal fields and lookups of a live contact.
    async fn update_contact(
        &self,
        tenant: TenantId,
        id: ContactId,
        fields: SealedFields,
        lookups: ContactLookups,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<()>;
    async fn change_consent(&self, tenant: TenantId, id: ContactId, change: ConsentChange, audit: AuditDraft) -> StoreResult<()>;
    async fn consent_history(&self, tenant: TenantId, id: ContactId) -> StoreResult<Vec<ConsentEvent>>;
    /// Which of `digests` are on the tenant's do-not-contact list.
    async fn suppressed(&self, tenant: TenantId, digests: &[Digest]) -> StoreResult<Vec<Digest>>;
    async fn add_suppressions(
        &self,
        tenant: TenantId,
        digests: &[Digest],
        source: &str,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<u64>;

    async fn add_note(&self, note: SealedNote, audit: AuditDraft) -> StoreResult<()>;
    async fn notes(&self, tenant: TenantId, contact: ContactId) -> StoreResult<Vec<SealedNote>>;

    /// Makes `contact` the one `user` works now (or none).
    async fn assign(&self, tenant: TenantId, user: UserId, contact: Option<ContactId>, at: UnixTime, audit: AuditDraft) -> StoreResult<()>;

    /// Crypto-shredding: destroys the subject key, blanks every ciphertext
    /// and lookup of the contact and its notes, takes it off every list and
    /// records it in the erasure ledger. `NotFound` if already erased.
    async fn erase_contact(&self, entry: ErasureEntry, audit: AuditDraft) -> StoreResult<()>;
    async fn erasure_ledger(&self, tenant: TenantId) -> StoreResult<Vec<ErasureEntry>>;

    async fn retention_policy(&self, tenant: TenantId) -> StoreResult<Option<RetentionPolicy>>;
    async fn set_retention_policy(&self, tenant: TenantId, policy: RetentionPolicy, at: UnixTime, audit: AuditDraft) -> StoreResult<()>;
    /// One retention run for one tenant, in one transaction: erases contacts
    /// idle since before the cutoff (crypto-shredding, ledger reason
    /// `retention`) and deletes notes older than theirs; the audit event
    /// gets the counts. `None` when another node is running it (on
    /// PostgreSQL an advisory lock decides).
    async fn apply_retention(
        &self,
        tenant: TenantId,
        cutoffs: RetentionCutoffs,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<Option<RetentionOutcome>>;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionOutcome {
    pub contacts_erased: u64,
    pub notes_deleted: u64,
}
