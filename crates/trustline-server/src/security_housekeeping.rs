//! Security housekeeping, on every node (each step is idempotent): dormant
//! accounts are suspended, and access reviews past their due date with
//! decisions pending are escalated as incidents.

use crate::state::AppState;
use std::time::Duration;
use trustline_audit::AuditDraft;
use trustline_domain::access_review::is_dormant;
use trustline_domain::incidents::{IncidentKind, Severity};
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

async fn escalate_reviews(state: &AppState, tenant: TenantId, now: UnixTime) -> Result<(), StoreError> {
    for review in state.store.access_reviews(tenant).await?.into_iter().filter(|r| r.completed_at.is_none() && now > r.due_at) {
        let severity = Severity::Medium;
        let title = format!("access review #{} is past its due date with decisions pending", review.id);
        let incident = NewIncident {
            tenant_id: tenant,
            kind: IncidentKind::AccessReviewOverdue.as_str().into(),
            dedup_key: format!("access_review_overdue:{}", review.id),
            severity: severity.as_str().into(),
            title: title.clone(),
            at: now,
            respond_by: now + severity.response_seconds(),
            breach_aware_at: None,
            notify_by: None,
            entry: format!("escalated: {title}"),
            actor: "system:housekeeping".into(),
        };
        // Once open, the same incident is not raised again on later passes.
        let open = state.store.incidents(tenant).await?.iter().any(|i| i.dedup_key == incident.dedup_key && i.state.status != "closed");
        if !open {
            let audit = AuditDraft::new(now, tenant.0, "system:housekeeping", "incident.raise", String::new())
                .detail("kind", "access_review_overdue");
            state.store.raise_incident(incident, audit).await?;
        }
    }
    Ok(())
}
