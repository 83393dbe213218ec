use std::collections::HashMap;
use trustline_audit::{ChainBreak, ChainKeys, ChainVerifier, VerifiedChain};
use trustline_domain::TenantId;
use trustline_store::{Store, StoreError};

/// Events read per round trip while verifying.
const PAGE: u32 = 10_000;

/// The verdict on one tenant's audit chain.
pub type TenantVerification = Result<VerifiedChain, ChainBreak>;

/// Walks a tenant's whole chain in order, checking every link, seal, the
/// recorded head and every signed checkpoint. Memory use is one page.
pub async fn verify_tenant(
    store: &dyn Store,
    chain: &ChainKeys,
    public_key: &[u8],
    tenant: TenantId,
) -> Result<TenantVerification, StoreError> {
    let checkpoints = store.checkpoints(tenant).await?;
    let mut wanted: HashMap<i64, Option<[u8; 32]>> = checkpoints.iter().map(|c| (c.seq, None)).collect();
    let mut verifier = ChainVerifier::new(chain, tenant.0);
    let mut after = 0;
    loop {
        let page = store.audit_events(tenant, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.body.seq;
        for event in &page {
            if let Err(broken) = verifier.feed(event) {
                return Ok(Err(broken));
            }
            if let Some(slot) = wanted.get_mut(&event.body.seq) {
                *slot = Some(event.hash);
            }
        }
    }
    let head = store.audit_head(tenant).await?;
    Ok(verifier.finish(head, &checkpoints, public_key, |seq| wanted.get(&seq).copied().flatten()))
}
