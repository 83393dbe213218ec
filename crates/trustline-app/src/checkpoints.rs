use trustline_audit::{Checkpoint, checkpoint_message};
use trustline_crypto::CheckpointSigner;
use trustline_domain::{TenantId, UnixTime};
use trustline_store::{Store, StoreError};

/// Signs the head of every tenant chain that moved since its last checkpoint.
/// Safe to run on several nodes at once: a checkpoint for the same position is
/// written once. Returns how many were written.
pub async fn write_checkpoints(store: &dyn Store, signer: &CheckpointSigner, now: UnixTime) -> Result<usize, StoreError> {
    let mut written = 0;
    for tenant in store.list_tenants().await? {
        written += usize::from(write_checkpoint(store, signer, tenant.id, now).await?);
    }
    Ok(written)
}

/// Signs the head of one tenant's chain if it moved since its last
/// checkpoint; says whether it wrote one.
pub async fn write_checkpoint(store: &dyn Store, signer: &CheckpointSigner, tenant: TenantId, now: UnixTime) -> Result<bool, StoreError> {
    let Some((seq, hash)) = store.audit_head(tenant).await? else { return Ok(false) };
    let latest = store.latest_checkpoint_seq(tenant).await?.unwrap_or(0);
    if seq <= latest {
        return Ok(false);
    }
    let signature = signer.sign(&checkpoint_message(tenant.0, seq, &hash, now)).to_vec();
    store.add_checkpoint(Checkpoint { tenant_id: tenant.0, seq, hash, at: now, signature }).await?;
    Ok(true)
}
