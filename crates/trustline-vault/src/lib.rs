//! The personal-data vault: the one place where keys meet stored data.
//!
//! It fetches wrapped tenant, index and subject keys from the store, opens
//! them with the keyring, caches the opened tenant keys, and seals or opens
//! contact fields. Key rotation and crypto-shredding live here too, because
//! they are the same key hierarchy seen from the other end.

mod contacts;
mod error;
mod rights;
mod rotation;
mod sealing;
mod tenant_keys;

pub use contacts::OpenedNote;
pub use error::VaultError;
pub use rights::{AccessLogEntry, SubjectExport};
pub use rotation::{MasterRotation, TenantRotation, rotate_master};
pub use sealing::{OpenedContact, email_digest, lookups, note_label, open_fields, phone_digest, seal_fields};
pub use tenant_keys::Vault;

use trustline_domain::ContactId;

/// The label a contact's data key and fields are bound to.
pub fn subject_label(contact: ContactId) -> String {
    format!("contact:{contact}")
}
