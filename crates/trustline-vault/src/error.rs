use trustline_domain::{ContactId, TenantId};
use trustline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Key material that does not open with the key above it: a wrong master
    /// key, a tampered row, or a key wrapped elsewhere.
    #[error("a key of tenant {tenant} does not open ({what})")]
    TenantKey { tenant: TenantId, what: &'static str },
    #[error("the data of contact {contact} does not open (tampered or moved ciphertext)")]
    Subject { contact: ContactId },
    #[error("the contact {contact} was erased; its data no longer exists")]
    Erased { contact: ContactId },
    #[error("the master key given is not the one on record")]
    WrongMasterKey,
    #[error("encryption failed")]
    Seal,
}
