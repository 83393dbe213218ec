use trustline_audit::{Checkpoint, checkpoint_message};
use trustline_crypto::CheckpointSigner;
use trustline_domain::UnixTime;
use trustline_store::{Store, StoreError};

/// Signs the head of every tenant chain that moved since its last checkpoint.
/// Safe to run on several nodes at once: a checkpoint for the same position is
/// written once. Returns how many were written.
pub async fn write_checkpoints(store: &dyn Store, signer: &CheckpointSigner, now: UnixTime) -> Result<usize, StoreError> {
    let mut written = 0;
    for tenant in store.list_tenants().await? {
        let Some((seq, hash)) = store.audit_head(tenant.id).await? else { continue };
        let latest = store.latest_checkpoint_seq(tenant.id).await?.unwrap_or(0);
        if seq <= latest {
            continue;
        }
        let signature = signer.sign(&checkpoint_message(tenant.id.0, seq, &hash, now)).to_vec();
        store.add_checkpoint(Checkpoint { tenant_id: tenant.id.0, seq, hash, at: now, signature }).await?;
        written += 1;
    }
    Ok(written)
}
