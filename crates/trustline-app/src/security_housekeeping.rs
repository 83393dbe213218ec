//! Security housekeeping, on every node (each step is idempotent): every
//! control is checked and its history kept, dormant accounts are suspended, access reviews past their due date with
//! decisions pending are escalated as incidents, each tenant's audit chain
//! is verified, a broken one raising a critical incident, and the owners of
//! personal-data breaches are reminded as the 72-hour clock runs down
//! (timeline, audit, webhook `incident.reminder`, security stream).

use crate::security_stream::Urgency;
use crate::security_watch::SecurityWatch;
use serde_json::json;
use std::time::Duration;
use trustline_audit::AuditDraft;
use trustline_domain::access_review::is_dormant;
use trustline_domain::incidents::{IncidentKind, IncidentStatus, Severity, deadlines, reminder_due};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{AuditAction, TenantId, UnixTime};
use trustline_store::{NewIncident, StoreError, Tenant, TimelineEntry};

impl SecurityWatch {
    /// Starts the security housekeeping (controls checked, dormant accounts
    /// suspended, overdue access reviews escalated, audit chains verified,
    /// breach owners reminded as the 72-hour clock runs down) every `tick`.
    pub fn start_housekeeping(self: &std::sync::Arc<Self>, tick: Duration) {
        start(self.clone(), tick);
    }
}

fn start(watch: std::sync::Arc<SecurityWatch>, tick: Duration) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = run(&watch).await {
                tracing::warn!(%error, "security housekeeping failed; trying again");
            }
            tokio::time::sleep(tick).await;
        }
    });
}

async fn run(watch: &SecurityWatch) -> Result<(), StoreError> {
    let now = watch.clock.now();
    for tenant in watch.store.list_tenants().await?.into_iter().filter(|t| t.ended_at.is_none()) {
        check_controls(watch, &tenant, now).await?;
        suspend_dormant(watch, tenant.id, now).await?;
        escalate_reviews(watch, tenant.id, now).await?;
        check_audit_chain(watch, tenant.id, now).await?;
        remind_breaches(watch, &tenant, now).await?;
    }
    Ok(())
}

/// Continuous monitoring: the controls are checked whether or not anyone
/// looks at the trust center.
async fn check_controls(watch: &SecurityWatch, tenant: &Tenant, now: UnixTime) -> Result<(), StoreError> {
    let facts = crate::gather_trust_facts(&watch.store, &watch.keys, &watch.vault, &watch.policies, tenant, now).await?;
    crate::keep_control_history(watch.store.as_ref(), tenant.id, &trustline_trust::assess(&facts)).await
}

async fn suspend_dormant(watch: &SecurityWatch, tenant: TenantId, now: UnixTime) -> Result<(), StoreError> {
    for user in watch.store.list_users(tenant).await? {
        if user.disabled || !is_dormant(user.last_sign_in_at, user.created_at, now) {
            continue;
        }
        let audit = AuditDraft::new(now, tenant.0, "system", AuditAction::UserSuspendDormant, format!("user:{}", user.id))
            .detail("last_sign_in_at", user.last_sign_in_at.map_or_else(|| "never".to_owned(), |at| at.to_string()));
        match watch.store.set_user_disabled(tenant, user.id, true, audit).await {
            Ok(()) => tracing::info!(tenant = tenant.0, user = user.id.0, "dormant account suspended"),
            // The organisation would be left without an owner: the account stays.
            Err(StoreError::LastOwner) => tracing::warn!(tenant = tenant.0, user = user.id.0, "dormant last owner left enabled"),
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// Raises an incident unless one with the same key is open already (so a
/// standing problem is one incident, not one per pass).
async fn raise_once(
    watch: &SecurityWatch,
    tenant: TenantId,
    now: UnixTime,
    kind: IncidentKind,
    severity: Severity,
    key: String,
    title: String,
) -> Result<(), StoreError> {
    let open = watch.store.incidents(tenant).await?.iter().any(|i| i.dedup_key == key && i.state.status != IncidentStatus::Closed);
    if open {
        return Ok(());
    }
    let clocks = deadlines(now, severity, false);
    let incident = NewIncident {
        tenant_id: tenant,
        kind,
        dedup_key: key,
        severity,
        title: title.clone(),
        at: now,
        respond_by: clocks.respond_by,
        breach_aware_at: clocks.breach_aware_at,
        notify_by: clocks.notify_by,
        entry: format!("found: {title}"),
        actor: "system:housekeeping".into(),
    };
    let audit =
        AuditDraft::new(now, tenant.0, "system:housekeeping", AuditAction::IncidentRaise, String::new()).detail("kind", kind.as_str());
    watch.store.raise_incident(incident, audit).await?;
    Ok(())
}

async fn escalate_reviews(watch: &SecurityWatch, tenant: TenantId, now: UnixTime) -> Result<(), StoreError> {
    for review in watch.store.access_reviews(tenant).await?.into_iter().filter(|r| r.completed_at.is_none() && now > r.due_at) {
        let title = format!("access review #{} is past its due date with decisions pending", review.id);
        let key = format!("access_review_overdue:{}", review.id);
        raise_once(watch, tenant, now, IncidentKind::AccessReviewOverdue, Severity::Medium, key, title).await?;
    }
    Ok(())
}

async fn check_audit_chain(watch: &SecurityWatch, tenant: TenantId, now: UnixTime) -> Result<(), StoreError> {
    let public_key = watch.keys.checkpoint_signer.public_key();
    if let Err(broken) = crate::verify_tenant(&watch.store, &watch.keys.chain, &public_key, tenant).await? {
        let title = format!("the audit chain is broken at event {}: {}", broken.seq, broken.kind);
        let key = format!("audit_chain_broken:{}", tenant.0);
        raise_once(watch, tenant, now, IncidentKind::AuditChainBroken, Severity::Critical, key, title).await?;
    }
    Ok(())
}

/// What a reminder at `hours_left` says.
fn reminder_text(hours_left: i64, notify_by: UnixTime) -> String {
    let by = jiff::Timestamp::from_second(notify_by).map_or_else(|_| notify_by.to_string(), |t| t.to_string());
    if hours_left == 0 {
        format!(
            "reminder: the 72 hours to notify the supervisory authority ended at {by}; notify now and give the reasons for the delay (GDPR art. 33(1))"
        )
    } else {
        format!("reminder: {hours_left} hours left to notify the supervisory authority (by {by}), or to record why not")
    }
}

async fn remind_breaches(watch: &SecurityWatch, tenant: &Tenant, now: UnixTime) -> Result<(), StoreError> {
    for incident in watch.store.incidents(tenant.id).await?.into_iter().filter(|i| i.state.status != IncidentStatus::Closed) {
        let s = &incident.state;
        let Some(hours_left) = reminder_due(s.notify_by, s.notified_at, now, incident.reminded_hours) else { continue };
        let text = reminder_text(hours_left, s.notify_by.unwrap_or(now));
        let entry = TimelineEntry { at: now, actor: "system:housekeeping".into(), entry: text.clone() };
        let audit =
            AuditDraft::new(now, tenant.id.0, "system:housekeeping", AuditAction::IncidentRemind, format!("incident:{}", incident.id))
                .detail("hours_left", hours_left.to_string());
        if !watch.store.record_reminder(tenant.id, incident.id, hours_left, entry, audit).await? {
            continue;
        }
        tracing::warn!(incident = incident.id, tenant = tenant.id.0, hours_left, "breach notification reminder");
        let reminder = json!({
            "incident_id": incident.id,
            "title": incident.title,
            "owner_id": s.owner_id.map(|u| u.0),
            "notify_by": s.notify_by,
            "hours_left": hours_left,
            "reminder": text,
        });
        let urgency = if hours_left <= 6 { Urgency::Critical } else { Urgency::Error };
        let line = json!({ "type": "incident_reminder", "tenant": tenant.slug, "reminder": reminder.clone() });
        watch.stream.send(line, urgency, now).await;
        crate::publish_webhook(watch.store.as_ref(), watch.clock.now(), tenant.id, WebhookEvent::IncidentReminder, reminder).await;
    }
    Ok(())
}
