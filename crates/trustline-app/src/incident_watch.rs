//! The detection task: reads each tenant's audit chain from where it last
//! stopped, turns events into signals, runs the detection rules and raises
//! incidents (one per attack: a finding whose key matches an open incident
//! is added to its timeline). Runs on every node safely: the store adds to
//! an open incident rather than opening a second one, and the cursor only
//! moves forward.
//!
//! The rules' windows live in memory: after a restart they start empty, so
//! an attack spanning the restart is seen from the restart on.
//!
//! For a SIEM, every security-relevant event (failed sign-ins, refusals,
//! reveals and exports) and every incident raised goes to the security
//! stream, and incidents go to webhook subscribers of `incident.raised`.
//! Usernames appear only as MACs, as in the audit log.

use crate::security_stream::Urgency;
use crate::security_watch::SecurityWatch;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use trustline_audit::AuditDraft;
use trustline_audit::StoredEvent;
use trustline_domain::incidents::{
    AuditFields, Detector, Finding, IncidentKind, Severity, Thresholds, deadlines, is_new_network, network_of, signal_of,
};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{AuditAction, Role, TenantId, UnixTime, UserId};
use trustline_store::{JobRunRecord, NewIncident, StoreError, jobs};

const PAGE: u32 = 1_000;
/// Evidence that detection runs is recorded this often.
const RECORD_EVERY: i64 = 3_600;

impl SecurityWatch {
    /// Starts the detection rules over the audit stream, reading new events
    /// every `tick`; security events and incidents also go to the stream.
    pub fn start_incident_detection(self: &std::sync::Arc<Self>, tick: Duration, thresholds: Thresholds) {
        start(self.clone(), tick, thresholds);
    }
}

fn start(watch: std::sync::Arc<SecurityWatch>, tick: Duration, thresholds: Thresholds) {
    tokio::spawn(async move {
        let mut detectors: HashMap<TenantId, Detector> = HashMap::new();
        let mut recorded: Option<UnixTime> = None;
        loop {
            match scan(&watch, &mut detectors, thresholds).await {
                Ok(()) => {
                    let now = watch.clock.now();
                    if recorded.is_none_or(|at| now - at >= RECORD_EVERY) {
                        let run = JobRunRecord { at: now, ok: true, detail: format!("{} tenants watched", detectors.len()) };
                        match watch.store.record_job_run(jobs::INCIDENT_DETECTION, None, run).await {
                            Ok(()) => recorded = Some(now),
                            Err(error) => tracing::warn!(%error, "the detection run could not be recorded"),
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "the detection rules could not read the audit stream"),
            }
            tokio::time::sleep(tick).await;
        }
    });
}

async fn scan(watch: &SecurityWatch, detectors: &mut HashMap<TenantId, Detector>, thresholds: Thresholds) -> Result<(), StoreError> {
    for tenant in watch.store.list_tenants().await?.into_iter().filter(|t| t.ended_at.is_none()) {
        let detector = detectors.entry(tenant.id).or_insert_with(|| Detector::new(thresholds));
        let mut after = watch.store.detection_cursor(tenant.id).await?;
        loop {
            let events = watch.store.audit_events(tenant.id, after, PAGE).await?;
            let Some(last) = events.last().map(|e| e.body.seq) else { break };
            for event in &events {
                let b = &event.body;
                let mut findings: Vec<Finding> = new_network(watch, tenant.id, event).await?.into_iter().collect();
                let fields = AuditFields {
                    at: b.at,
                    actor: &b.actor,
                    action: &b.action,
                    target: &b.target,
                    outcome: &b.outcome,
                    source: &b.source,
                    details: &b.details,
                };
                if let Some(signal) = signal_of(fields) {
                    let urgency = if b.outcome == "success" { Urgency::Notice } else { Urgency::Warning };
                    let line = json!({
                        "type": "security_event",
                        "tenant": tenant.slug,
                        "seq": b.seq,
                        "at": b.at,
                        "actor": b.actor,
                        "action": b.action,
                        "outcome": b.outcome,
                        "source": b.source,
                        "details": serde_json::from_str::<Value>(&b.details).unwrap_or(Value::Null),
                    });
                    watch.stream.send(line, urgency, b.at).await;
                    findings.extend(detector.observe(&signal));
                }
                for finding in findings {
                    let (at, urgency) = (finding.at, Urgency::of_severity(finding.severity));
                    if let Some(incident) = raise(watch, tenant.id, finding).await? {
                        let line = json!({ "type": "incident", "tenant": tenant.slug, "incident": incident.clone() });
                        watch.stream.send(line, urgency, at).await;
                        crate::publish_webhook(watch.store.as_ref(), watch.clock.now(), tenant.id, WebhookEvent::IncidentRaised, incident)
                            .await;
                    }
                }
            }
            after = last;
            watch.store.set_detection_cursor(tenant.id, after).await?;
        }
    }
    Ok(())
}

/// Accounts whose sign-ins from a new network are worth an incident.
const PRIVILEGED: [Role; 3] = [Role::Owner, Role::Admin, Role::Auditor];

/// A privileged account's successful sign-in from a network none of its
/// earlier sign-ins came from.
async fn new_network(watch: &SecurityWatch, tenant: TenantId, event: &StoredEvent) -> Result<Option<Finding>, StoreError> {
    let b = &event.body;
    if b.action != AuditAction::SessionLogin.name() || b.outcome != "success" {
        return Ok(None);
    }
    let Some(user) = b.target.strip_prefix("user:").and_then(|id| id.parse::<i64>().ok()) else { return Ok(None) };
    let Some(account) = watch.store.user(tenant, UserId(user)).await? else { return Ok(None) };
    if !PRIVILEGED.contains(&account.role) {
        return Ok(None);
    }
    let earlier: Vec<String> = watch
        .store
        .audit_events_about(tenant, &b.target, 500)
        .await?
        .into_iter()
        .filter(|e| e.body.seq < b.seq && e.body.action == AuditAction::SessionLogin.name() && e.body.outcome == "success")
        .map(|e| e.body.source)
        .collect();
    if !is_new_network(&b.source, &earlier) {
        return Ok(None);
    }
    let network = network_of(&b.source).unwrap_or_default();
    Ok(Some(Finding {
        kind: IncidentKind::NewNetworkSignIn,
        key: format!("new_network:{}:{network}", b.target),
        severity: Severity::Medium,
        at: b.at,
        summary: format!("{} ({}) signed in from {network}, a network it never used", account.username, account.role.as_str()),
        personal_data: false,
    }))
}

/// Raises (or adds to) the incident of `finding`; a new one is returned
/// as JSON for the SIEM and webhooks.
async fn raise(watch: &SecurityWatch, tenant: TenantId, finding: Finding) -> Result<Option<Value>, StoreError> {
    let clocks = deadlines(finding.at, finding.severity, finding.personal_data);
    let incident = NewIncident {
        tenant_id: tenant,
        kind: finding.kind,
        dedup_key: finding.key.clone(),
        severity: finding.severity,
        title: finding.summary.clone(),
        at: finding.at,
        respond_by: clocks.respond_by,
        breach_aware_at: clocks.breach_aware_at,
        notify_by: clocks.notify_by,
        entry: format!("detected: {}", finding.summary),
        actor: "system:detection".into(),
    };
    let audit = AuditDraft::new(watch.clock.now(), tenant.0, "system:detection", AuditAction::IncidentRaise, String::new())
        .detail("kind", finding.kind.as_str())
        .detail("severity", finding.severity.as_str());
    let (id, created) = watch.store.raise_incident(incident, audit).await?;
    if !created {
        return Ok(None);
    }
    tracing::warn!(incident = id, tenant = tenant.0, kind = finding.kind.as_str(), "security incident raised");
    Ok(Some(json!({
        "incident_id": id,
        "kind": finding.kind.as_str(),
        "severity": finding.severity.as_str(),
        "summary": finding.summary,
        "at": finding.at,
        "personal_data_breach": finding.personal_data,
    })))
}
