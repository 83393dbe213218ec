use crate::{Vault, VaultError, subject_label};
use trustline_audit::AuditDraft;
use trustline_crypto::Keyring;
use trustline_domain::{AuditAction, TenantId, UnixTime};
use trustline_store::{MasterWrapped, Store, WrappedIndexKey, WrappedSubjectKey, WrappedTenantKey};

/// Subject keys re-wrapped per transaction: small enough to keep write locks short.
const REWRAP_BATCH: u32 = 2000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantRotation {
    pub tenant: TenantId,
    pub from_version: u32,
    pub to_version: u32,
    pub rewrapped: u64,
    pub retired: u64,
}

impl Vault {
    /// Adds a new version of the tenant key, re-wraps every subject key under
    /// it in batches (payloads are untouched), then deletes the old versions.
    /// Safe while servers run: they write with the newest version, and an old
    /// version is only deleted once no subject key refers to it.
    pub async fn rotate_tenant_key(&self, tenant: TenantId, at: UnixTime, actor: &str) -> Result<TenantRotation, VaultError> {
        let from_version = self.store.tenant_keys(tenant).await?.first().map_or(0, |k| k.version);
        let to_version = from_version + 1;
        let new_key = self.add_tenant_key(tenant, to_version, at, actor).await?;
        let mut rewrapped = 0;
        loop {
            let batch = self.store.subject_keys_below(tenant, to_version, REWRAP_BATCH).await?;
            if batch.is_empty() {
                break;
            }
            let mut next = Vec::with_capacity(batch.len());
            for key in batch {
                let old = self.tenant_key(tenant, key.version).await?;
                let wrapped = new_key
                    .rewrap_subject_key(&old, &subject_label(key.contact_id), &key.wrapped)
                    .map_err(|_| VaultError::Subject { contact: key.contact_id })?;
                next.push(WrappedSubjectKey { contact_id: key.contact_id, version: key.version, wrapped });
            }
            let audit = AuditDraft::new(at, tenant.0, actor, AuditAction::KeySubjectRewrap, format!("tenant:{tenant}"))
                .detail("to_version", to_version.to_string());
            let changed = self.store.rewrap_subject_keys(tenant, to_version, next, audit).await?;
            rewrapped += changed;
            if changed == 0 {
                // Every key of the batch moved under us (erased or rewrapped elsewhere).
                break;
            }
        }
        let audit = AuditDraft::new(at, tenant.0, actor, AuditAction::KeyTenantRetire, format!("tenant:{tenant}"))
            .detail("below_version", to_version.to_string());
        let retired = self.store.retire_tenant_keys(tenant, to_version, audit).await?;
        Ok(TenantRotation { tenant, from_version, to_version, rewrapped, retired })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MasterRotation {
    pub tenant_keys: usize,
    pub index_keys: usize,
}

/// Re-wraps the installation secret and every tenant and index key from the
/// `old` master key to the `new` one, in one transaction. Nothing below the
/// tenant keys changes.
pub async fn rotate_master(
    store: &dyn Store,
    old: &Keyring,
    new: &Keyring,
    at: UnixTime,
    actor: &str,
) -> Result<MasterRotation, VaultError> {
    let current = store.master_wrapped().await?;
    if current.master_fingerprint != old.fingerprint() {
        return Err(VaultError::WrongMasterKey);
    }
    let installation_secret = new.rewrap_installation_secret(old, &current.installation_secret).map_err(|_| VaultError::WrongMasterKey)?;
    let tenant_keys = current
        .tenant_keys
        .iter()
        .map(|k| {
            new.rewrap_tenant_key(old, k.tenant_id.0, k.version, &k.wrapped)
                .map(|wrapped| WrappedTenantKey { tenant_id: k.tenant_id, version: k.version, wrapped })
                .map_err(|_| VaultError::TenantKey { tenant: k.tenant_id, what: "tenant key" })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let index_keys = current
        .index_keys
        .iter()
        .map(|k| {
            new.rewrap_index_key(old, k.tenant_id.0, &k.wrapped)
                .map(|wrapped| WrappedIndexKey { tenant_id: k.tenant_id, wrapped })
                .map_err(|_| VaultError::TenantKey { tenant: k.tenant_id, what: "blind-index key" })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut tenants: Vec<i64> = tenant_keys.iter().map(|k| k.tenant_id.0).chain(index_keys.iter().map(|k| k.tenant_id.0)).collect();
    tenants.push(0);
    tenants.sort_unstable();
    tenants.dedup();
    let audits = tenants
        .into_iter()
        .map(|tenant| {
            AuditDraft::new(at, tenant, actor, AuditAction::KeyMasterRotate, "installation")
                .detail("new_master", trustline_crypto::hex(&new.fingerprint()))
        })
        .collect();
    let report = MasterRotation { tenant_keys: tenant_keys.len(), index_keys: index_keys.len() };
    let next = MasterWrapped { master_fingerprint: new.fingerprint(), installation_secret, tenant_keys, index_keys };
    store.replace_master_wrapped(old.fingerprint(), next, audits).await?;
    Ok(report)
}
