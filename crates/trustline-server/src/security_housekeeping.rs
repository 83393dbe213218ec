//! Security housekeeping, on every node (each step is idempotent): dormant
//! accounts are suspended, access reviews past their due date with
//! decisions pending are escalated as incidents, and each tenant's audit
//! chain is verified, a broken one raising a critical incident.

use crate::state::AppState;
use std::time::Duration;
use trustline_audit::AuditDraft;
use trustline_domain::access_review::is_dormant;
use trustline_domain::incidents::{IncidentKind, Severity, deadlines};
use trustline_domain::{TenantId, UnixTime};
use trustline_store::{NewIncident, StoreError};

pub(crate) fn start(state: AppState, tick: Duration) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = run(&state).await {
                tracing::warn!(%error, "security housekeeping failed; trying again");
            }
            tokio::time::sleep(tick).await;
        }
    });
}

async fn run(state: &AppState) -> Result<(), StoreError> {
    let now = state.clock.now();
    for tenant in state.store.list_tenants().await?.into_iter().filter(|t| t.ended_at.is_none()) {
        suspend_dormant(state, tenant.id, now).await?;
        escalate_reviews(state, tenant.id, now).await?;
        check_audit_chain(state, tenant.id, now).await?;
    }
    Ok(())
}

async fn suspend_dormant(state: &AppState, tenant: TenantId, now: UnixTime) -> Result<(), StoreError> {
    for user in state.store.list_users(tenant).await? {
        if user.disabled || !is_dormant(user.last_sign_in_at, user.created_at, now) {
            continue;
        }
        let audit = AuditDraft::new(now, tenant.0, "system", "user.suspend_dormant", format!("user:{}", user.id))
            .detail("last_sign_in_at", user.last_sign_in_at.map_or_else(|| "never".to_owned(), |at| at.to_string()));
        state.store.set_user_disabled(tenant, user.id, true, audit).await?;
        tracing::info!(tenant = tenant.0, user = user.id.0, "dormant account suspended");
    }
    Ok(())
}

/// Raises an incident unless one with the same key is open already (so a
/// standing problem is one incident, not one per pass).
async fn raise_once(
    state: &AppState,
    tenant: TenantId,
    now: UnixTime,
    kind: IncidentKind,
    severity: Severity,
    key: String,
    title: String,
) -> Result<(), StoreError> {
    let open = state.store.incidents(tenant).await?.iter().any(|i| i.dedup_key == key && i.state.status != "closed");
    if open {
        return Ok(());
    }
    let clocks = deadlines(now, severity, false);
    let incident = NewIncident {
        tenant_id: tenant,
        kind: kind.as_str().into(),
        dedup_key: key,
        severity: severity.as_str().into(),
        title: title.clone(),
        at: now,
        respond_by: clocks.respond_by,
        breach_aware_at: clocks.breach_aware_at,
        notify_by: clocks.notify_by,
        entry: format!("found: {title}"),
        actor: "system:housekeeping".into(),
    };
    let audit = AuditDraft::new(now, tenant.0, "system:housekeeping", "incident.raise", String::new()).detail("kind", kind.as_str());
    state.store.raise_incident(incident, audit).await?;
    Ok(())
}

async fn escalate_reviews(state: &AppState, tenant: TenantId, now: UnixTime) -> Result<(), StoreError> {
    for review in state.store.access_reviews(tenant).await?.into_iter().filter(|r| r.completed_at.is_none() && now > r.due_at) {
        let title = format!("access review #{} is past its due date with decisions pending", review.id);
        let key = format!("access_review_overdue:{}", review.id);
        raise_once(state, tenant, now, IncidentKind::AccessReviewOverdue, Severity::Medium, key, title).await?;
    }
    Ok(())
}

async fn check_audit_chain(state: &AppState, tenant: TenantId, now: UnixTime) -> Result<(), StoreError> {
    let public_key = state.keys.checkpoint_signer.public_key();
    if let Err(broken) = crate::audit_check::verify_tenant(&state.store, &state.keys.chain, &public_key, tenant).await? {
        let title = format!("the audit chain is broken at event {}: {}", broken.seq, broken.kind);
        let key = format!("audit_chain_broken:{}", tenant.0);
        raise_once(state, tenant, now, IncidentKind::AuditChainBroken, Severity::Critical, key, title).await?;
    }
    Ok(())
}
