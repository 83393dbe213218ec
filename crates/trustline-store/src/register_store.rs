//! The supplier and risk registers as stored: each entry is the domain's
//! JSON, replaced whole when it changes. Callers go through the typed
//! functions below (`entries`, `entry`, `add`, `replace`), which encode and
//! decode the domain's types here, once; an entry that does not read back
//! is `Corrupt`.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UnixTime};

/// The registers kept, and the typed way in and out of them.
pub mod registers {
    use super::{RegisterEntry, RegisterStore};
    use crate::{StoreError, StoreResult};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use trustline_audit::AuditDraft;
    use trustline_domain::registers::{Risk, Supplier};
    use trustline_domain::{TenantId, UnixTime};

    pub const SUPPLIERS: &str = "supplier";
    pub const RISKS: &str = "risk";

    /// A domain type kept in a register, and the register it is kept in.
    pub trait Register: Serialize + DeserializeOwned {
        const NAME: &'static str;
    }

    impl Register for Supplier {
        const NAME: &'static str = SUPPLIERS;
    }

    impl Register for Risk {
        const NAME: &'static str = RISKS;
    }

    /// An entry read back in the domain's form.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Entry<T> {
        pub id: i64,
        pub value: T,
        pub created_at: UnixTime,
        pub updated_at: UnixTime,
    }

    fn decoded<T: Register>(entry: RegisterEntry) -> StoreResult<Entry<T>> {
        let value = serde_json::from_str(&entry.body).map_err(|_| StoreError::Corrupt(format!("{} entry {}", T::NAME, entry.id)))?;
        Ok(Entry { id: entry.id, value, created_at: entry.created_at, updated_at: entry.updated_at })
    }

    fn encoded<T: Register>(value: &T) -> StoreResult<String> {
        serde_json::to_string(value).map_err(|_| StoreError::Corrupt(format!("a {} entry that does not encode", T::NAME)))
    }

    /// The tenant's entries of `T`'s register.
    pub async fn entries<T: Register>(store: &dyn RegisterStore, tenant: TenantId) -> StoreResult<Vec<Entry<T>>> {
        store.register_entries(tenant, T::NAME).await?.into_iter().map(decoded).collect()
    }

    /// One entry of `T`'s register, if it is the tenant's.
    pub async fn entry<T: Register>(store: &dyn RegisterStore, tenant: TenantId, id: i64) -> StoreResult<Option<Entry<T>>> {
        store.register_entries(tenant, T::NAME).await?.into_iter().find(|e| e.id == id).map(decoded).transpose()
    }

    /// Adds `value` to its register; returns its id.
    pub async fn add<T: Register>(
        store: &dyn RegisterStore,
        tenant: TenantId,
        value: &T,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<i64> {
        store.add_register_entry(tenant, T::NAME, &encoded(value)?, at, audit).await
    }

    /// Replaces entry `id` of `value`'s register with `value`.
    pub async fn replace<T: Register>(
        store: &dyn RegisterStore,
        tenant: TenantId,
        id: i64,
        value: &T,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<()> {
        store.replace_register_entry(tenant, T::NAME, id, &encoded(value)?, at, audit).await
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterEntry {
    pub id: i64,
    /// The domain's JSON.
    pub body: String,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

#[async_trait]
pub trait RegisterStore: Send + Sync {
    /// Fills the draft's target with `{register}:{id}`.
    async fn add_register_entry(&self, tenant: TenantId, register: &str, body: &str, at: UnixTime, audit: AuditDraft) -> StoreResult<i64>;
    /// `NotFound` unless the entry is the tenant's, in that register.
    async fn replace_register_entry(
        &self,
        tenant: TenantId,
        register: &str,
        id: i64,
        body: &str,
        at: UnixTime,
        audit: AuditDraft,
    ) -> StoreResult<()>;
    async fn register_entries(&self, tenant: TenantId, register: &str) -> StoreResult<Vec<RegisterEntry>>;
}
