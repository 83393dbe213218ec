//! Stored register entries read back into the domain's form; the store
//! keeps them as the JSON the domain checked.

use trustline_store::{RegisterEntry, StoreError};

/// A supplier or risk register entry in the domain's form.
pub fn register_entry_of<T: serde::de::DeserializeOwned>(entry: &RegisterEntry) -> Result<T, StoreError> {
    serde_json::from_str(&entry.body).map_err(|_| StoreError::Corrupt(format!("register entry {}", entry.id)))
}
