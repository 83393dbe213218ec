//! Call lists and their imports. An import commits chunk by chunk; each
//! chunk carries the file position after it, written in the same
//! transaction as its rows, so a crash resumes exactly at the next chunk.

use crate::{Digest, NewContact, StoreResult};
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{ContactId, TenantId, UnixTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListStatus {
    /// Being imported: not to be dialled yet.
    Importing,
    Ready,
}

impl ListStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ListStatus::Importing => "importing",
            ListStatus::Ready => "ready",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallList {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    pub status: ListStatus,
    pub created_at: UnixTime,
    pub members: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// New contacts created.
    pub accepted: i64,
    /// Existing contacts (matched by number) added to the list.
    pub linked: i64,
    pub rejected: i64,
    /// Rows whose contact was already on the list.
    pub duplicates: i64,
    /// Rows on the do-not-contact list.
    pub suppressed: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub tenant_id: TenantId,
    pub list_id: i64,
    pub file_name: String,
    pub file_digest: Digest,
    /// The column mapping, as JSON.
    pub mapping: String,
    pub finished: bool,
    /// Where the next chunk starts.
    pub byte_offset: u64,
    pub line: u64,
    pub counts: ImportCounts,
    pub started_at: UnixTime,
    pub finished_at: Option<UnixTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewImport {
    pub tenant_id: TenantId,
    pub list_name: String,
    pub file_name: String,
    pub file_digest: Digest,
    pub mapping: String,
    /// Where the first chunk starts (just past the header).
    pub byte_offset: u64,
    pub line: u64,
    pub at: UnixTime,
}

/// One line of the rejected-rows report: never the values, only where and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ImportRejection {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// Who owns a number already, and whether they may be called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneOwner {
    pub digest: Digest,
    pub contact_id: ContactId,
    pub do_not_contact: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportChunk {
    pub tenant_id: TenantId,
    pub import_id: i64,
    pub list_id: i64,
    /// The position the import must still be at (guards against two runs).
    pub from_offset: u64,
    pub to_offset: u64,
    pub to_line: u64,
    pub contacts: Vec<NewContact>,
    /// Existing contacts to add to the list.
    pub linked: Vec<ContactId>,
    pub rejections: Vec<ImportRejection>,
    /// What this chunk adds to the import's counts.
    pub counts: ImportCounts,
    pub at: UnixTime,
}

#[async_trait]
pub trait ImportStore: Send + Sync {
    async fn call_lists(&self, tenant: TenantId) -> StoreResult<Vec<CallList>>;
    /// Starts an import of a file into a list (created if new), or returns the
    /// unfinished import of the same file into the same list, to resume it.
    async fn begin_import(&self, import: NewImport, audit: AuditDraft) -> StoreResult<ImportRecord>;
    async fn import_record(&self, tenant: TenantId, id: i64) -> StoreResult<Option<ImportRecord>>;
    async fn phone_owners(&self, tenant: TenantId, digests: &[Digest]) -> StoreResult<Vec<PhoneOwner>>;
    /// Which of `contacts` are already members of the list.
    async fn list_members_among(&self, list_id: i64, contacts: &[ContactId]) -> StoreResult<Vec<ContactId>>;
    /// Commits one chunk. `Conflict` if the import is no longer at `from_offset`.
    async fn commit_import_chunk(&self, chunk: ImportChunk, audit: AuditDraft) -> StoreResult<()>;
    /// Marks the import finished and its list ready to be worked.
    async fn finish_import(&self, tenant: TenantId, id: i64, at: UnixTime, audit: AuditDraft) -> StoreResult<ImportRecord>;
    async fn import_rejections(&self, tenant: TenantId, id: i64, after_line: u64, limit: u32) -> StoreResult<Vec<ImportRejection>>;
}
