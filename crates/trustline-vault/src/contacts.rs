//! Writing personal data: every write seals before it reaches the store.

use crate::sealing::{lookups, note_label, seal_fields};
use crate::{OpenedContact, Vault, VaultError, subject_label};
use trustline_audit::AuditDraft;
use trustline_domain::contact::{E164, EmailAddress, ValidatedContact};
use trustline_domain::{ContactId, TenantId, UnixTime, UserId};
use trustline_store::{ConsentState, Digest, IdKind, SealedContact, SealedNote};

/// A note with its text decrypted (`None` once erased).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct OpenedNote {
    pub id: i64,
    pub author_id: UserId,
    pub body: Option<String>,
    pub created_at: UnixTime,
}

impl Vault {
    /// Stores a new contact; its audit event gets the new id as target.
    pub async fn create_contact(
        &self,
        tenant: TenantId,
        contact: &ValidatedContact,
        consent: ConsentState,
        mut audit: AuditDraft,
    ) -> Result<ContactId, VaultError> {
        let at = audit.at;
        let tenant_key = self.current_tenant_key(tenant, at, &audit.actor).await?;
        let index = self.index_key(tenant, at, &audit.actor).await?;
        let id = ContactId(self.store.reserve_ids(IdKind::Contact, 1).await?);
        let new = Self::seal_new_contact(&tenant_key, &index, tenant, id, contact, consent, at)?;
        audit.target = subject_label(id);
        self.store.create_contact(new, audit).await?;
        Ok(id)
    }

    /// Rectification: re-encrypts every field with the contact's own key.
    pub async fn rectify_contact(&self, current: &SealedContact, contact: &ValidatedContact, audit: AuditDraft) -> Result<(), VaultError> {
        let key = self.subject_key(current).await?;
        let index = self.index_key(current.tenant_id, audit.at, &audit.actor).await?;
        let fields = seal_fields(&key, current.id, &contact.details)?;
        let at = audit.at;
        self.store.update_contact(current.tenant_id, current.id, fields, lookups(&index, contact), at, audit).await?;
        Ok(())
    }

    pub async fn add_note(&self, contact: &SealedContact, author: UserId, body: &str, mut audit: AuditDraft) -> Result<i64, VaultError> {
        let key = self.subject_key(contact).await?;
        let id = self.store.reserve_ids(IdKind::Note, 1).await?;
        let sealed = key.encrypt(&note_label(id), "body", body.as_bytes()).map_err(|_| VaultError::Seal)?;
        audit.target = note_label(id);
        let note = SealedNote {
            tenant_id: contact.tenant_id,
            id,
            contact_id: contact.id,
            author_id: author,
            body: Some(sealed),
            created_at: audit.at,
        };
        self.store.add_note(note, audit).await?;
        Ok(id)
    }

    pub async fn open_notes(&self, contact: &SealedContact) -> Result<Vec<OpenedNote>, VaultError> {
        let notes = self.store.notes(contact.tenant_id, contact.id).await?;
        let key = match self.subject_key(contact).await {
            Ok(key) => Some(key),
            Err(VaultError::Erased { .. }) => None,
            Err(other) => return Err(other),
        };
        notes
            .into_iter()
            .map(|n| {
                let body = match (&key, &n.body) {
                    (Some(key), Some(sealed)) => {
                        let plain =
                            key.decrypt(&note_label(n.id), "body", sealed).map_err(|_| VaultError::Subject { contact: contact.id })?;
                        Some(String::from_utf8(plain.to_vec()).map_err(|_| VaultError::Subject { contact: contact.id })?)
                    }
                    _ => None,
                };
                Ok(OpenedNote { id: n.id, author_id: n.author_id, body, created_at: n.created_at })
            })
            .collect()
    }

    /// The blind index of a number, for lookups and suppression.
    pub async fn phone_lookup(&self, tenant: TenantId, number: &E164, at: UnixTime, actor: &str) -> Result<Digest, VaultError> {
        Ok(crate::phone_digest(&*self.index_key(tenant, at, actor).await?, number))
    }

    pub async fn email_lookup(&self, tenant: TenantId, email: &EmailAddress, at: UnixTime, actor: &str) -> Result<Digest, VaultError> {
        Ok(crate::email_digest(&*self.index_key(tenant, at, actor).await?, email))
    }

    /// The number a call to this contact dials, its first, opening the
    /// numbers and no other field: placing a call needs nothing more. `None`
    /// for an erased contact or one without a number.
    pub async fn number_to_dial(&self, tenant: TenantId, id: ContactId) -> Result<Option<E164>, VaultError> {
        let Some(sealed) = self.store.contact(tenant, id).await? else { return Ok(None) };
        if sealed.erased_at.is_some() {
            return Ok(None);
        }
        let key = self.subject_key(&sealed).await?;
        Ok(crate::sealing::open_phones(&key, id, &sealed.fields)?.into_iter().next())
    }

    /// Loads and opens one live contact of `tenant`.
    pub async fn load_contact(&self, tenant: TenantId, id: ContactId) -> Result<Option<(SealedContact, OpenedContact)>, VaultError> {
        let Some(sealed) = self.store.contact(tenant, id).await? else { return Ok(None) };
        let opened = self.open_contact(&sealed).await?;
        Ok(Some((sealed, opened)))
    }
}
