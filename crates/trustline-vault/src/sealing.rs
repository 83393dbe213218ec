//! Contact fields to ciphertexts and back. Each field is encrypted on its own
//! under the subject's data key, bound to `contact:<id>` and its field name.

use crate::{Vault, VaultError, subject_label};
use trustline_crypto::{BlindIndexKey, SubjectKey, TenantKey};
use trustline_domain::contact::{ContactDetails, E164, EmailAddress, LanguageTag, PostalAddress, ValidatedContact};
use trustline_domain::{ContactId, TenantId, UnixTime};
use trustline_store::{ConsentState, ContactLookups, NewContact, SealedContact, SealedFields};

/// A contact with its fields decrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedContact {
    pub id: ContactId,
    pub details: ContactDetails,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub consent: ConsentState,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    pub last_worked_at: Option<UnixTime>,
}

/// The blind-index field names: a digest of one field never matches another.
pub const PHONE_INDEX: &str = "phone";
pub const EMAIL_INDEX: &str = "email";

pub fn phone_digest(index: &BlindIndexKey, number: &E164) -> [u8; 32] {
    index.index(PHONE_INDEX, number.as_str())
}

pub fn email_digest(index: &BlindIndexKey, email: &EmailAddress) -> [u8; 32] {
    index.index(EMAIL_INDEX, &email.lookup_form())
}

pub fn lookups(index: &BlindIndexKey, contact: &ValidatedContact) -> ContactLookups {
    ContactLookups {
        phones: contact.details.phones.iter().map(|p| phone_digest(index, p)).collect(),
        emails: contact.details.email.iter().map(|e| email_digest(index, e)).collect(),
        region: contact.region.clone(),
        time_zone: contact.time_zone.clone(),
    }
}

fn seal(key: &SubjectKey, record: &str, field: &str, plaintext: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, VaultError> {
    plaintext.map(|p| key.encrypt(record, field, &p).map_err(|_| VaultError::Seal)).transpose()
}

/// Encrypts every personal field of `details` for contact `id`.
pub fn seal_fields(key: &SubjectKey, id: ContactId, details: &ContactDetails) -> Result<SealedFields, VaultError> {
    let record = subject_label(id);
    Ok(SealedFields {
        name: seal(key, &record, "name", details.name.as_ref().map(|n| n.as_bytes().to_vec()))?,
        phones: seal(
            key,
            &record,
            "phones",
            (!details.phones.is_empty()).then(|| details.phones.iter().map(E164::as_str).collect::<Vec<_>>().join("\n").into_bytes()),
        )?,
        email: seal(key, &record, "email", details.email.as_ref().map(|e| e.as_str().as_bytes().to_vec()))?,
        address: seal(key, &record, "address", details.address.as_ref().map(to_json).transpose()?)?,
        language: seal(key, &record, "language", details.language.as_ref().map(|l| l.as_str().as_bytes().to_vec()))?,
        custom: seal(key, &record, "custom", (!details.custom.is_empty()).then(|| to_json(&details.custom)).transpose()?)?,
    })
}

fn to_json(value: &impl serde::Serialize) -> Result<Vec<u8>, VaultError> {
    serde_json::to_vec(value).map_err(|_| VaultError::Seal)
}

fn open_text(key: &SubjectKey, id: ContactId, field: &str, sealed: &Option<Vec<u8>>) -> Result<Option<String>, VaultError> {
    sealed
        .as_ref()
        .map(|c| {
            let plain = key.decrypt(&subject_label(id), field, c).map_err(|_| VaultError::Subject { contact: id })?;
            String::from_utf8(plain.to_vec()).map_err(|_| VaultError::Subject { contact: id })
        })
        .transpose()
}

/// Decrypts the numbers alone.
pub fn open_phones(key: &SubjectKey, id: ContactId, fields: &SealedFields) -> Result<Vec<E164>, VaultError> {
    let bad = || VaultError::Subject { contact: id };
    Ok(open_text(key, id, "phones", &fields.phones)?
        .map(|text| text.lines().map(|n| E164::parse(n).map_err(|_| bad())).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default())
}

/// Decrypts every personal field; a field that fails to open fails the whole contact.
pub fn open_fields(key: &SubjectKey, id: ContactId, fields: &SealedFields) -> Result<ContactDetails, VaultError> {
    let bad = || VaultError::Subject { contact: id };
    let phones = open_phones(key, id, fields)?;
    let email = open_text(key, id, "email", &fields.email)?.map(|e| EmailAddress::parse(&e).map_err(|_| bad())).transpose()?;
    let language = open_text(key, id, "language", &fields.language)?.map(|l| LanguageTag::parse(&l).map_err(|_| bad())).transpose()?;
    let address: Option<PostalAddress> =
        open_text(key, id, "address", &fields.address)?.map(|a| serde_json::from_str(&a).map_err(|_| bad())).transpose()?;
    let custom = open_text(key, id, "custom", &fields.custom)?.map(|c| serde_json::from_str(&c).map_err(|_| bad())).transpose()?;
    Ok(ContactDetails {
        name: open_text(key, id, "name", &fields.name)?,
        phones,
        email,
        address,
        language,
        custom: custom.unwrap_or_default(),
    })
}

impl Vault {
    /// A new contact: a fresh data key wrapped by the current tenant key,
    /// every field encrypted under it, and blind indexes for lookups.
    pub fn seal_new_contact(
        tenant_key: &TenantKey,
        index: &BlindIndexKey,
        tenant: TenantId,
        id: ContactId,
        contact: &ValidatedContact,
        consent: ConsentState,
        at: UnixTime,
    ) -> Result<NewContact, VaultError> {
        let (subject, data_key) = tenant_key.create_subject_key(&subject_label(id)).map_err(|_| VaultError::Seal)?;
        Ok(NewContact {
            tenant_id: tenant,
            id,
            key_version: tenant_key.version(),
            data_key,
            fields: seal_fields(&subject, id, &contact.details)?,
            lookups: lookups(index, contact),
            consent,
            created_at: at,
        })
    }

    /// The data key of a stored contact; `Erased` once it was shredded.
    pub async fn subject_key(&self, contact: &SealedContact) -> Result<SubjectKey, VaultError> {
        let (Some(version), Some(wrapped)) = (contact.key_version, contact.data_key.as_ref()) else {
            return Err(VaultError::Erased { contact: contact.id });
        };
        let tenant_key = self.tenant_key(contact.tenant_id, version).await?;
        tenant_key.open_subject_key(&subject_label(contact.id), wrapped).map_err(|_| VaultError::Subject { contact: contact.id })
    }

    pub async fn open_contact(&self, contact: &SealedContact) -> Result<OpenedContact, VaultError> {
        let key = self.subject_key(contact).await?;
        Ok(OpenedContact {
            id: contact.id,
            details: open_fields(&key, contact.id, &contact.fields)?,
            region: contact.region.clone(),
            time_zone: contact.time_zone.clone(),
            consent: contact.consent.clone(),
            created_at: contact.created_at,
            updated_at: contact.updated_at,
            last_worked_at: contact.last_worked_at,
        })
    }
}

/// Notes are sealed with their contact's key, bound to the note's own id.
pub fn note_label(id: i64) -> String {
    format!("note:{id}")
}
