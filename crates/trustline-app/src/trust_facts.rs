//! Gathers what the trust center judges, for one tenant, from the running
//! system: accounts and tokens, the permission matrix in force, the security
//! settings, the audit chain and checkpoints, a sample of stored contacts
//! opened and compared with their rows, retention, erasures, webhook
//! destinations, and the recorded runs of backups, retention and server
//! starts.

use crate::audit_check::verify_tenant;
use crate::keys::Keys;
use crate::policies::Policies;
use std::sync::Arc;
use trustline_domain::destination::DestinationPolicy;
use trustline_domain::incidents::{notification_overdue, response_overdue};
use trustline_domain::registers::{Risk, Supplier};
use trustline_domain::training::training_current;
use trustline_domain::webhooks::destination_url;
use trustline_domain::{Action, ContactId, Role, UnixTime, permits};
use trustline_store::{JobRunRecord, Store, StoreError, Tenant, User, jobs, registers};
use trustline_trust::{
    AccessReviewFacts, AccountFact, AuditFacts, ConfigFacts, EncryptionSample, IncidentFacts, JobRun, ManualEvidence, RegisterFacts,
    TokenFact, TrainingFacts, TrustFacts,
};
use trustline_vault::{OpenedContact, Vault};

/// Contacts opened and compared with their stored rows per assessment.
const SAMPLE: u32 = 50;

fn run(record: Option<JobRunRecord>) -> Option<JobRun> {
    record.map(|r| JobRun { at: r.at, ok: r.ok, detail: r.detail })
}

/// Every personal value of an opened contact, as text.
fn values(opened: &OpenedContact) -> Vec<String> {
    let d = &opened.details;
    let mut out: Vec<String> = d.name.iter().cloned().collect();
    out.extend(d.phones.iter().map(|p| p.as_str().to_owned()));
    out.extend(d.email.iter().map(|e| e.as_str().to_owned()));
    if let Some(a) = &d.address {
        out.extend([&a.street, &a.city, &a.postcode].into_iter().flatten().cloned());
    }
    out.extend(d.custom.values().cloned());
    // Very short values (a two-letter code) could match ciphertext by chance.
    out.retain(|v| v.len() >= 4);
    out
}

/// Ciphertext is indistinguishable from random bytes; a stored field that
/// is mostly printable text was not encrypted.
fn looks_like_text(bytes: &[u8]) -> bool {
    let printable = bytes.iter().filter(|b| b.is_ascii_graphic() || **b == b' ').count();
    bytes.len() >= 8 && printable * 10 >= bytes.len() * 9
}

async fn sample(store: &Arc<dyn Store>, vault: &Vault, tenant: &Tenant) -> Result<EncryptionSample, StoreError> {
    let rows = store.contacts(tenant.id, ContactId(0), SAMPLE).await?;
    let mut sample = EncryptionSample::default();
    for row in rows.iter().filter(|r| r.erased_at.is_none()) {
        sample.sampled += 1;
        let f = &row.fields;
        let stored: Vec<&Vec<u8>> = [&f.name, &f.phones, &f.email, &f.address, &f.language, &f.custom].into_iter().flatten().collect();
        let mut readable = stored.iter().any(|bytes| looks_like_text(bytes));
        match vault.open_contact(row).await {
            Ok(opened) => {
                readable |= values(&opened).iter().any(|v| stored.iter().any(|bytes| bytes.windows(v.len()).any(|w| w == v.as_bytes())));
            }
            Err(_) => sample.unreadable += 1,
        }
        sample.plaintext += u32::from(readable);
    }
    Ok(sample)
}

/// The facts for `tenant` at `now`.
pub async fn gather(
    store: &Arc<dyn Store>,
    keys: &Keys,
    vault: &Vault,
    policies: &Policies,
    tenant: &Tenant,
    now: UnixTime,
) -> Result<TrustFacts, StoreError> {
    let users = store.list_users(tenant.id).await?;
    let accounts = users
        .iter()
        .map(|u| AccountFact {
            mfa: u.has_mfa(),
            username: u.username.clone(),
            role: u.role,
            disabled: u.disabled,
            created_at: u.created_at,
            last_sign_in_at: u.last_sign_in_at,
        })
        .collect();
    let tokens = store
        .list_tokens(tenant.id)
        .await?
        .into_iter()
        .filter(|t| t.is_live(now))
        .map(|t| TokenFact { name: t.name, scopes: t.scopes.len(), created_at: t.created_at, expires_at: t.expires_at })
        .collect();
    let permissions = Role::ALL
        .iter()
        .flat_map(|&role| Action::ALL.iter().map(move |&action| (role, action.as_str().to_owned(), permits(role, action))))
        .collect();
    let public_key = keys.checkpoint_signer.public_key();
    let chain = match verify_tenant(store, &keys.chain, &public_key, tenant.id).await? {
        Ok(verified) => Ok(verified.events),
        Err(broken) => Err(format!("event {}: {}", broken.seq, broken.kind)),
    };
    let audit = AuditFacts {
        chain: Some(chain),
        last_checkpoint_at: store.checkpoints(tenant.id).await?.iter().map(|c| c.at).max(),
        writable: Some(store.check_ready().await.is_ok()),
    };
    let (erasures, incomplete) = store.erasure_remains(tenant.id).await?;
    let strict = DestinationPolicy { allow_private: false };
    let webhooks = store
        .webhooks(tenant.id)
        .await?
        .into_iter()
        .map(|w| {
            let ok = destination_url(&w.url, strict).is_ok();
            (w.url, ok)
        })
        .collect();
    Ok(TrustFacts {
        tenant: tenant.slug.clone(),
        at: now,
        accounts,
        tokens,
        permissions,
        config: ConfigFacts::of(&policies.password, &policies.session, &policies.throttle),
        audit,
        encryption: Some(sample(store, vault, tenant).await?),
        retention_idle_days: store.retention_policy(tenant.id).await?.and_then(|p| p.contact_idle_days),
        retention_last_run: run(store.last_job_run(jobs::RETENTION, None).await?),
        retention_interval_seconds: policies.retention_interval_seconds,
        erasures_incomplete: Some(incomplete),
        erasures,
        webhooks,
        server_tls: run(store.last_job_run(jobs::SERVER_START, None).await?),
        last_backup: run(store.last_job_run(jobs::BACKUP, None).await?),
        last_backup_verification: run(store.last_job_run(jobs::BACKUP_VERIFICATION, None).await?),
        dependencies: trustline_trust::sbom::PACKAGES.len(),
        last_advisory_check: run(store.last_job_run(jobs::ADVISORY_CHECK, None).await?),
        training: Some(training(store, tenant, &users, now).await?),
        last_detection_run: run(store.last_job_run(jobs::INCIDENT_DETECTION, None).await?),
        incidents: Some(incidents(store, tenant, now).await?),
        manual_evidence: store
            .latest_evidence(tenant.id)
            .await?
            .into_iter()
            .map(|e| ManualEvidence { control_id: e.control_id, summary: e.summary, reference: e.reference, attached_at: e.attached_at })
            .collect(),
        suppliers: Some(suppliers(store, tenant, now).await?),
        risks: Some(risks(store, tenant, now).await?),
        access_reviews: Some(access_reviews(store, tenant, now).await?),
    })
}

async fn access_reviews(store: &Arc<dyn Store>, tenant: &Tenant, now: UnixTime) -> Result<AccessReviewFacts, StoreError> {
    let reviews = store.access_reviews(tenant.id).await?;
    Ok(AccessReviewFacts {
        last_completed_at: reviews.iter().filter_map(|r| r.completed_at).max(),
        overdue: reviews.iter().filter(|r| r.completed_at.is_none() && now > r.due_at).map(|r| format!("#{}", r.id)).collect(),
    })
}

async fn suppliers(store: &Arc<dyn Store>, tenant: &Tenant, now: UnixTime) -> Result<RegisterFacts, StoreError> {
    let mut facts = RegisterFacts::default();
    for e in registers::entries::<Supplier>(store.as_ref(), tenant.id).await? {
        let supplier = e.value;
        facts.entries += 1;
        facts.overdue.extend(supplier.tasks(now).into_iter().filter(|t| t.overdue).map(|t| format!("{}: {}", supplier.name, t.task)));
    }
    Ok(facts)
}

async fn risks(store: &Arc<dyn Store>, tenant: &Tenant, now: UnixTime) -> Result<RegisterFacts, StoreError> {
    let mut facts = RegisterFacts::default();
    for e in registers::entries::<Risk>(store.as_ref(), tenant.id).await? {
        let risk = e.value;
        facts.entries += 1;
        if now > risk.review_due(e.created_at) {
            facts.overdue.push(format!("{}: review overdue", risk.title));
        }
    }
    Ok(facts)
}

async fn incidents(store: &Arc<dyn Store>, tenant: &Tenant, now: UnixTime) -> Result<IncidentFacts, StoreError> {
    let mut facts = IncidentFacts::default();
    for i in store.incidents(tenant.id).await? {
        facts.active += usize::from(i.state.status.is_active());
        if response_overdue(Some(i.state.status), i.respond_by, now) {
            facts.overdue.push(format!("#{} {}", i.id, i.title));
        }
        if notification_overdue(i.state.notify_by, i.state.notified_at, now) {
            facts.breaches_unnotified.push(format!("#{} {}", i.id, i.title));
        }
    }
    Ok(facts)
}

/// Training of everyone enabled whose role reads personal data.
async fn training(store: &Arc<dyn Store>, tenant: &Tenant, users: &[User], now: UnixTime) -> Result<TrainingFacts, StoreError> {
    let courses = store.courses(tenant.id).await?;
    let completions = store.completions(tenant.id, None).await?;
    let mut facts = TrainingFacts { required_courses: courses.iter().filter(|c| c.required).count(), ..TrainingFacts::default() };
    for user in users.iter().filter(|u| !u.disabled && permits(u.role, Action::ContactRead)) {
        facts.people += 1;
        let theirs: Vec<(i64, UnixTime)> = completions.iter().filter(|(u, _, _)| *u == user.id).map(|(_, c, at)| (*c, *at)).collect();
        if let Err(lapse) = training_current(&courses, &theirs, now) {
            facts.lapsed.push(format!("{}: {lapse}", user.username));
        }
    }
    Ok(facts)
}
