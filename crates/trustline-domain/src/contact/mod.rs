//! Contacts: the people a tenant calls or is called by (data subjects).
//!
//! Raw input (API JSON or a CSV row) becomes [`ContactDetails`] only through
//! [`ContactInput::validate`], which checks every field and reports every
//! problem at once; the store never sees an unchecked value.

mod consent;
mod custom_field;
mod details;
mod erasure;
mod input;
mod mask;
mod phone_number;
mod retention;

pub use consent::{Consent, ConsentKind, ConsentSource, ConsentUpdate, Switch, UnknownConsent};
pub use custom_field::{CustomFieldDef, CustomFieldKind};
pub use details::{ContactDetails, EmailAddress, LanguageTag, PostalAddress};
pub use erasure::{ErasureReason, UnknownErasureReason};
pub use input::MAX_PHONES;
pub use input::{AddressInput, ContactInput, ValidatedContact};
pub use mask::{MASK, mask_address, mask_email, mask_name, mask_text};
pub use phone_number::{E164, InvalidE164, NormalisedPhone, PhoneNormaliser};
pub use retention::{RetentionCutoffs, RetentionPolicy};

/// One problem with one field of an input, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { field: field.into(), reason: reason.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}
