//! Data-subject rights (GDPR art. 15, 17, 20): everything about one person as
//! JSON, and erasure by destroying their data key.

use crate::{OpenedNote, Vault, VaultError, subject_label};
use serde::Serialize;
use std::collections::BTreeMap;
use trustline_audit::AuditDraft;
use trustline_domain::contact::{ContactDetails, ErasureReason};
use trustline_domain::{ContactId, TenantId, UnixTime};
use trustline_store::{ConsentEvent, ConsentState, ErasureEntry, StoreError};

/// How many of the newest audit events about a subject an export lists.
const ACCESS_LOG_LIMIT: u32 = 10_000;

/// Everything kept about one person, as they may ask for it (GDPR art. 15)
/// and take it elsewhere (art. 20).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SubjectExport {
    pub contact_id: ContactId,
    pub details: ContactDetails,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    pub last_worked_at: Option<UnixTime>,
    pub consent: ConsentState,
    pub consent_history: Vec<ConsentEvent>,
    pub notes: Vec<OpenedNote>,
    /// Who read or changed the record, newest first.
    pub access_log: Vec<AccessLogEntry>,
}

/// One audit event about the person.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AccessLogEntry {
    pub at: UnixTime,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub source: String,
    pub details: BTreeMap<String, String>,
}

impl Vault {
    /// The subject's data, notes, consent history and the log of who read or
    /// changed their record. `Erased` once the subject was erased.
    pub async fn export_subject(&self, tenant: TenantId, id: ContactId) -> Result<SubjectExport, VaultError> {
        let Some(sealed) = self.store.contact(tenant, id).await? else { return Err(StoreError::NotFound.into()) };
        let contact = self.open_contact(&sealed).await?;
        let notes = self.open_notes(&sealed).await?;
        let consent_history = self.store.consent_history(tenant, id).await?;
        let events = self.store.audit_events_about(tenant, &subject_label(id), ACCESS_LOG_LIMIT).await?;
        let access_log = events
            .into_iter()
            .map(|e| {
                let b = e.body;
                let details = serde_json::from_str(&b.details).unwrap_or_default();
                AccessLogEntry { at: b.at, actor: b.actor, action: b.action, outcome: b.outcome, source: b.source, details }
            })
            .collect();
        Ok(SubjectExport {
            contact_id: id,
            details: contact.details,
            region: contact.region,
            time_zone: contact.time_zone,
            created_at: contact.created_at,
            updated_at: contact.updated_at,
            last_worked_at: contact.last_worked_at,
            consent: contact.consent,
            consent_history,
            notes,
            access_log,
        })
    }

    /// Crypto-shredding: the subject's data key is destroyed, every ciphertext
    /// and lookup of theirs removed, and the erasure recorded in the ledger
    /// that restores re-apply.
    pub async fn erase_subject(&self, tenant: TenantId, id: ContactId, reason: ErasureReason, audit: AuditDraft) -> Result<(), VaultError> {
        let entry = ErasureEntry { tenant_id: tenant, contact_id: id, erased_at: audit.at, reason: reason.as_str().to_owned() };
        match self.store.erase_contact(entry, audit).await {
            Err(StoreError::NotFound) => match self.store.contact(tenant, id).await? {
                Some(_) => Err(VaultError::Erased { contact: id }),
                None => Err(StoreError::NotFound.into()),
            },
            other => Ok(other?),
        }
    }
}
