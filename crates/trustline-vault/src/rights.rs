//! Data-subject rights (GDPR art. 15, 17, 20): everything about one person as
//! JSON, and erasure by destroying their data key.

use crate::{Vault, VaultError, subject_label};
use serde_json::{Value, json};
use trustline_audit::AuditDraft;
use trustline_domain::contact::ErasureReason;
use trustline_domain::{ContactId, TenantId};
use trustline_store::{ErasureEntry, StoreError};

/// How many of the newest audit events about a subject an export lists.
const ACCESS_LOG_LIMIT: u32 = 10_000;

impl Vault {
    /// The subject's data, notes, consent history and the log of who read or
    /// changed their record. `Erased` once the subject was erased.
    pub async fn export_subject(&self, tenant: TenantId, id: ContactId) -> Result<Value, VaultError> {
        let Some(sealed) = self.store.contact(tenant, id).await? else { return Err(StoreError::NotFound.into()) };
        let contact = self.open_contact(&sealed).await?;
        let notes = self.open_notes(&sealed).await?;
        let history = self.store.consent_history(tenant, id).await?;
        let events = self.store.audit_events_about(tenant, &subject_label(id), ACCESS_LOG_LIMIT).await?;
        let consent = &contact.consent;
        Ok(json!({
            "contact_id": id,
            "details": contact.details,
            "region": contact.region,
            "time_zone": contact.time_zone,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
            "last_worked_at": contact.last_worked_at,
            "consent": {
                "consent": consent.consent.as_str(),
                "consent_source": consent.consent_source,
                "consent_at": consent.consent_at,
                "do_not_contact": consent.do_not_contact,
                "dnc_source": consent.dnc_source,
                "dnc_at": consent.dnc_at,
                "restricted": consent.restricted,
            },
            "consent_history": history.iter().map(|e| json!({
                "at": e.at, "kind": e.kind.as_str(), "value": e.value, "source": e.source, "actor": e.actor,
            })).collect::<Vec<_>>(),
            "notes": notes.iter().map(|n| json!({ "id": n.id, "author_id": n.author_id, "body": n.body, "created_at": n.created_at })).collect::<Vec<_>>(),
            "access_log": events.iter().map(|e| {
                let b = &e.body;
                json!({ "at": b.at, "actor": b.actor, "action": b.action, "outcome": b.outcome, "source": b.source, "details": serde_json::from_str::<Value>(&b.details).unwrap_or(Value::Null) })
            }).collect::<Vec<_>>(),
        }))
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
