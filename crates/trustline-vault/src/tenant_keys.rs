use crate::VaultError;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use trustline_audit::AuditDraft;
use trustline_crypto::{BlindIndexKey, Keyring, TenantKey};
use trustline_domain::{AuditAction, TenantId, UnixTime};
use trustline_store::{Store, StoreError, WrappedIndexKey, WrappedTenantKey};

/// Opens and caches tenant keys. Opened keys are cached by version; which
/// version is current is read from the store on every use, so a rotation
/// run from another process takes effect at once.
pub struct Vault {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) keyring: Arc<Keyring>,
    tenant_keys: RwLock<HashMap<(TenantId, u32), Arc<TenantKey>>>,
    index_keys: RwLock<HashMap<TenantId, Arc<BlindIndexKey>>>,
}

impl Vault {
    pub fn new(store: Arc<dyn Store>, keyring: Arc<Keyring>) -> Self {
        Self { store, keyring, tenant_keys: RwLock::default(), index_keys: RwLock::default() }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn cached(&self, tenant: TenantId, version: u32) -> Option<Arc<TenantKey>> {
        self.tenant_keys.read().ok().and_then(|keys| keys.get(&(tenant, version)).cloned())
    }

    fn open(&self, wrapped: &WrappedTenantKey) -> Result<Arc<TenantKey>, VaultError> {
        if let Some(key) = self.cached(wrapped.tenant_id, wrapped.version) {
            return Ok(key);
        }
        let key = self
            .keyring
            .open_tenant_key(wrapped.tenant_id.0, wrapped.version, &wrapped.wrapped)
            .map_err(|_| VaultError::TenantKey { tenant: wrapped.tenant_id, what: "tenant key" })?;
        let key = Arc::new(key);
        if let Ok(mut keys) = self.tenant_keys.write() {
            keys.insert((wrapped.tenant_id, wrapped.version), key.clone());
        }
        Ok(key)
    }

    /// The newest key version of `tenant`; version 1 is created on first use.
    pub async fn current_tenant_key(&self, tenant: TenantId, at: UnixTime, actor: &str) -> Result<Arc<TenantKey>, VaultError> {
        if let Some(newest) = self.store.tenant_keys(tenant).await?.first() {
            return self.open(newest);
        }
        match self.add_tenant_key(tenant, 1, at, actor).await {
            Ok(key) => Ok(key),
            // Another request created it first: use theirs.
            Err(VaultError::Store(StoreError::Conflict(_))) => {
                let keys = self.store.tenant_keys(tenant).await?;
                self.open(keys.first().ok_or(StoreError::NotFound)?)
            }
            Err(other) => Err(other),
        }
    }

    pub(crate) async fn add_tenant_key(
        &self,
        tenant: TenantId,
        version: u32,
        at: UnixTime,
        actor: &str,
    ) -> Result<Arc<TenantKey>, VaultError> {
        let (key, wrapped) = self.keyring.create_tenant_key(tenant.0, version).map_err(|_| VaultError::Seal)?;
        let audit = AuditDraft::new(at, tenant.0, actor, AuditAction::KeyTenantCreate, format!("tenant:{tenant}"))
            .detail("version", version.to_string());
        self.store.add_tenant_key(WrappedTenantKey { tenant_id: tenant, version, wrapped }, self.keyring.fingerprint(), audit).await?;
        let key = Arc::new(key);
        if let Ok(mut keys) = self.tenant_keys.write() {
            keys.insert((tenant, version), key.clone());
        }
        Ok(key)
    }

    /// A specific version, as recorded beside a subject key.
    pub async fn tenant_key(&self, tenant: TenantId, version: u32) -> Result<Arc<TenantKey>, VaultError> {
        if let Some(key) = self.cached(tenant, version) {
            return Ok(key);
        }
        let keys = self.store.tenant_keys(tenant).await?;
        let wrapped = keys
            .iter()
            .find(|k| k.version == version)
            .ok_or(VaultError::TenantKey { tenant, what: "the key version a subject refers to is missing" })?;
        self.open(wrapped)
    }

    /// The tenant's blind-index key, created on first use.
    pub async fn index_key(&self, tenant: TenantId, at: UnixTime, actor: &str) -> Result<Arc<BlindIndexKey>, VaultError> {
        if let Some(key) = self.index_keys.read().ok().and_then(|keys| keys.get(&tenant).cloned()) {
            return Ok(key);
        }
        let wrapped = match self.store.index_key(tenant).await? {
            Some(wrapped) => wrapped,
            None => {
                let (_, fresh) = self.keyring.create_index_key(tenant.0).map_err(|_| VaultError::Seal)?;
                let audit = AuditDraft::new(at, tenant.0, actor, AuditAction::KeyIndexCreate, format!("tenant:{tenant}"));
                self.store.add_index_key(WrappedIndexKey { tenant_id: tenant, wrapped: fresh }, self.keyring.fingerprint(), audit).await?
            }
        };
        let key = Arc::new(
            self.keyring.open_index_key(tenant.0, &wrapped).map_err(|_| VaultError::TenantKey { tenant, what: "blind-index key" })?,
        );
        if let Ok(mut keys) = self.index_keys.write() {
            keys.insert(tenant, key.clone());
        }
        Ok(key)
    }

    /// Drops every cached key of `tenant` (after its keys were destroyed).
    pub fn forget(&self, tenant: TenantId) {
        if let Ok(mut keys) = self.tenant_keys.write() {
            keys.retain(|(t, _), _| *t != tenant);
        }
        if let Ok(mut keys) = self.index_keys.write() {
            keys.remove(&tenant);
        }
    }
}
