//! The retention job: applies each tenant's retention policy. Safe on several
//! nodes at once (the store lets one node run a tenant at a time).

use trustline_audit::AuditDraft;
use trustline_domain::AuditAction;
use trustline_domain::UnixTime;
use trustline_store::{RetentionOutcome, Store, StoreResult, Tenant};

/// Runs every live tenant that has a policy; `None` for a tenant another node
/// was already running. Each run is one audit event with its counts.
pub async fn run_retention(store: &dyn Store, now: UnixTime) -> StoreResult<Vec<(Tenant, Option<RetentionOutcome>)>> {
    let mut runs = Vec::new();
    for tenant in store.list_tenants().await?.into_iter().filter(|t| t.ended_at.is_none()) {
        let Some(policy) = store.retention_policy(tenant.id).await? else { continue };
        let audit = AuditDraft::new(now, tenant.id.0, "system", AuditAction::RetentionRun, format!("tenant:{}", tenant.id));
        let outcome = store.apply_retention(tenant.id, policy.cutoffs(now), now, audit).await?;
        runs.push((tenant, outcome));
    }
    Ok(runs)
}
