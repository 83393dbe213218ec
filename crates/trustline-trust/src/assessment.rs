//! Each control's status from the facts: PASS or FAIL for automated checks
//! (with the reason), MANUAL where a person provides the evidence.

use crate::catalogue::{CATALOGUE, Check, Control};
use crate::facts::{JobRun, TrustFacts};
use serde::Serialize;
use trustline_domain::{Role, UnixTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Status {
    #[serde(rename = "PASS")]
    Pass,
    #[serde(rename = "FAIL")]
    Fail,
    #[serde(rename = "MANUAL")]
    Manual,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Manual => "MANUAL",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ControlResult {
    pub id: &'static str,
    pub title: &'static str,
    pub protects: &'static str,
    pub soc2: &'static [&'static str],
    pub iso27001: &'static [&'static str],
    pub status: Status,
    /// What was found, in words: the reason for a FAIL.
    pub evidence: String,
    pub how: &'static str,
    pub checked_at: UnixTime,
}

/// The whole catalogue judged at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Assessment {
    pub tenant: String,
    pub checked_at: UnixTime,
    pub passed: usize,
    pub failed: usize,
    pub manual: usize,
    pub controls: Vec<ControlResult>,
}

const DAY: i64 = 86_400;
const PRIVILEGED: [Role; 3] = [Role::Owner, Role::Admin, Role::Auditor];
use trustline_domain::access_review::{DORMANT_ACCOUNT_DAYS as DORMANT_DAYS, REVIEW_EVERY_DAYS, is_dormant};

fn verdict(ok: bool, pass: String, fail: String) -> (Status, String) {
    if ok { (Status::Pass, pass) } else { (Status::Fail, fail) }
}

fn age(now: UnixTime, at: UnixTime) -> String {
    let seconds = (now - at).max(0);
    match seconds {
        s if s < 3_600 => format!("{} min ago", s / 60),
        s if s < 2 * DAY => format!("{} h ago", s / 3_600),
        s => format!("{} days ago", s / DAY),
    }
}

/// A job that must have run successfully within `max_age` seconds.
fn recent(run: Option<&JobRun>, now: UnixTime, max_age: i64, what: &str) -> (Status, String) {
    match run {
        None => (Status::Fail, format!("no {what} recorded")),
        Some(run) if !run.ok => (Status::Fail, format!("the last {what} failed {}: {}", age(now, run.at), run.detail)),
        Some(run) => verdict(
            now - run.at <= max_age,
            format!("last {what} {} ({})", age(now, run.at), run.detail),
            format!("the last {what} was {}, longer ago than allowed", age(now, run.at)),
        ),
    }
}

fn register(facts: Option<&crate::facts::RegisterFacts>, what: &str) -> (Status, String) {
    match facts {
        None => (Status::Fail, "not checked".into()),
        Some(r) if r.entries == 0 => (Status::Fail, format!("no {what} is registered")),
        Some(r) => verdict(
            r.overdue.is_empty(),
            format!("{} {what} entries, all current", r.entries),
            format!("{what} entries needing attention: {}", r.overdue.join("; ")),
        ),
    }
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn judge(control: &Control, f: &TrustFacts) -> (Status, String) {
    let now = f.at;
    let enabled = || f.accounts.iter().filter(|a| !a.disabled);
    match control.check {
        Check::PrivilegedMfa => {
            let privileged: Vec<_> = enabled().filter(|a| PRIVILEGED.contains(&a.role)).collect();
            let missing: Vec<&str> = privileged.iter().filter(|a| !a.mfa).map(|a| a.username.as_str()).collect();
            verdict(
                missing.is_empty(),
                format!("{} of {} privileged accounts have MFA", privileged.len(), privileged.len()),
                format!("privileged accounts without MFA: {}", missing.join(", ")),
            )
        }
        Check::PasswordPolicy => {
            let p = &f.config.password;
            verdict(
                p.min_chars >= 12 && p.min_strength >= 3,
                format!("at least {} characters, strength {} of 4; Argon2id hashing", p.min_chars, p.min_strength),
                format!("the policy allows {} characters and strength {} (needs 12 and 3)", p.min_chars, p.min_strength),
            )
        }
        Check::SessionLimits => {
            let c = &f.config;
            verdict(
                c.session_idle_seconds <= 30 * 60 && c.session_absolute_seconds <= 12 * 3_600,
                format!("idle {} min, absolute {} h", c.session_idle_seconds / 60, c.session_absolute_seconds / 3_600),
                format!(
                    "sessions last {} min idle and {} h in all (limits 30 min, 12 h)",
                    c.session_idle_seconds / 60,
                    c.session_absolute_seconds / 3_600
                ),
            )
        }
        Check::SignInThrottling => {
            let c = &f.config;
            verdict(
                c.throttle_per_account <= 10 && c.throttle_per_address <= 100 && c.throttle_window_seconds >= 60,
                format!(
                    "{} failures per account, {} per address, per {} min",
                    c.throttle_per_account,
                    c.throttle_per_address,
                    c.throttle_window_seconds / 60
                ),
                format!(
                    "throttling allows {} per account and {} per address per {} s",
                    c.throttle_per_account, c.throttle_per_address, c.throttle_window_seconds
                ),
            )
        }
        Check::LeastPrivilege => {
            let auditor_writes: Vec<&str> = f
                .permissions
                .iter()
                .filter(|(role, action, allowed)| *role == Role::Auditor && *allowed && !auditor_may(action))
                .map(|(_, action, _)| action.as_str())
                .collect();
            let agent_admin: Vec<&str> = f
                .permissions
                .iter()
                .filter(|(role, action, allowed)| *role == Role::Agent && *allowed && administrative(action))
                .map(|(_, action, _)| action.as_str())
                .collect();
            verdict(
                !f.permissions.is_empty() && auditor_writes.is_empty() && agent_admin.is_empty(),
                format!(
                    "{} role-action pairs checked: auditors read-only without personal data, agents without administration",
                    f.permissions.len()
                ),
                format!("auditors may: {}; agents may: {}", names(auditor_writes.into_iter()), names(agent_admin.into_iter())),
            )
        }
        Check::DormantAccounts => {
            let dormant: Vec<&str> =
                enabled().filter(|a| is_dormant(a.last_sign_in_at, a.created_at, now)).map(|a| a.username.as_str()).collect();
            verdict(
                dormant.is_empty(),
                format!("{} enabled accounts, each signed in within {DORMANT_DAYS} days or newer", enabled().count()),
                format!("enabled accounts unused for over {DORMANT_DAYS} days: {}", dormant.join(", ")),
            )
        }
        Check::ApiTokensExpire => {
            let bad: Vec<&str> =
                f.tokens.iter().filter(|t| t.scopes == 0 || t.expires_at - t.created_at > 365 * DAY).map(|t| t.name.as_str()).collect();
            verdict(
                bad.is_empty(),
                format!("{} active tokens, each scoped and expiring within a year", f.tokens.len()),
                format!("tokens without scopes or living over a year: {}", bad.join(", ")),
            )
        }
        Check::IndependentAuditor => {
            let auditors = enabled().filter(|a| a.role == Role::Auditor).count();
            verdict(auditors > 0, format!("{auditors} enabled auditor accounts"), "no enabled auditor account".into())
        }
        Check::AuditChain => match &f.audit.chain {
            None => (Status::Fail, "the audit chain was not checked".into()),
            Some(Ok(events)) => (Status::Pass, format!("{events} events verified to the head")),
            Some(Err(broken)) => (Status::Fail, format!("the audit chain is broken: {broken}")),
        },
        Check::RecentCheckpoint => match f.audit.last_checkpoint_at {
            None => (Status::Fail, "no signed checkpoint yet".into()),
            Some(at) => verdict(
                now - at <= 3_600,
                format!("newest signed checkpoint {}", age(now, at)),
                format!("the newest signed checkpoint is {}", age(now, at)),
            ),
        },
        Check::AuditWritable => match f.audit.writable {
            Some(true) => (Status::Pass, "an audited write transaction opened".into()),
            Some(false) => (Status::Fail, "the audit log cannot be written".into()),
            None => (Status::Fail, "not checked".into()),
        },
        Check::EncryptionAtRest => match &f.encryption {
            None => (Status::Fail, "no sample taken".into()),
            Some(s) if s.sampled == 0 => (Status::Pass, "no contacts stored yet".into()),
            Some(s) => verdict(
                s.plaintext == 0,
                format!("{} sampled contacts: no personal value in their stored rows", s.sampled),
                format!("{} of {} sampled contacts show personal values in their stored rows", s.plaintext, s.sampled),
            ),
        },
        Check::CiphertextIntegrity => match &f.encryption {
            None => (Status::Fail, "no sample taken".into()),
            Some(s) => verdict(
                s.unreadable == 0,
                format!("{} sampled contacts open with their own keys", s.sampled),
                format!("{} of {} sampled contacts do not open with their own keys", s.unreadable, s.sampled),
            ),
        },
        Check::RetentionPolicySet => match f.retention_idle_days {
            Some(days) => (Status::Pass, format!("idle contacts are erased after {days} days")),
            None => (Status::Fail, "no retention period for idle contacts".into()),
        },
        Check::RetentionOnSchedule => recent(f.retention_last_run.as_ref(), now, 2 * f.retention_interval_seconds, "retention run"),
        Check::ErasureComplete => match f.erasures_incomplete {
            None => (Status::Fail, "not checked".into()),
            Some(0) => (Status::Pass, format!("{} erasures, none left a key or a value", f.erasures)),
            Some(n) => (Status::Fail, format!("{n} erased contacts still have a data key or a personal value")),
        },
        Check::WebhookDestinations => {
            let bad: Vec<&str> = f.webhooks.iter().filter(|(_, ok)| !ok).map(|(url, _)| url.as_str()).collect();
            verdict(
                bad.is_empty(),
                format!("{} webhook destinations, all public HTTPS", f.webhooks.len()),
                format!("webhooks to private or plain-HTTP destinations: {}", bad.join(", ")),
            )
        }
        Check::TlsInTransit => match &f.server_tls {
            None => (Status::Fail, "no server start recorded".into()),
            Some(run) => verdict(
                run.ok,
                format!("the server started {} with TLS", age(now, run.at)),
                format!("the server started {} without TLS", age(now, run.at)),
            ),
        },
        Check::RecentBackup => recent(f.last_backup.as_ref(), now, 26 * 3_600, "backup"),
        Check::BackupVerified => recent(f.last_backup_verification.as_ref(), now, 7 * DAY, "backup verification"),
        Check::DependencyInventory => verdict(
            f.dependencies > 0,
            format!("{} packages with exact versions embedded in this build", f.dependencies),
            "no dependency inventory in this build".into(),
        ),
        Check::AdvisoryCheck => match &f.last_advisory_check {
            None => (Status::Manual, "unknown: no advisory check has been recorded".into()),
            Some(run) => recent(Some(run), now, 30 * DAY, "advisory check"),
        },
        Check::TrainingCurrent => match &f.training {
            None => (Status::Fail, "not checked".into()),
            Some(t) if t.required_courses == 0 => (Status::Fail, "no security course is required".into()),
            Some(t) => verdict(
                t.lapsed.is_empty(),
                format!("{} people with personal-data access are current on {} required courses", t.people, t.required_courses),
                format!("training not current: {}", t.lapsed.join("; ")),
            ),
        },
        Check::IncidentDetection => recent(f.last_detection_run.as_ref(), now, 2 * 3_600, "detection run"),
        Check::IncidentDeadlines => match &f.incidents {
            None => (Status::Fail, "not checked".into()),
            Some(i) => verdict(
                i.overdue.is_empty(),
                format!("{} active incidents, none past its response deadline", i.active),
                format!("incidents past their response deadline: {}", i.overdue.join("; ")),
            ),
        },
        Check::BreachNotification => match &f.incidents {
            None => (Status::Fail, "not checked".into()),
            Some(i) => verdict(
                i.breaches_unnotified.is_empty(),
                "no personal-data breach is past 72 hours without notification".into(),
                format!("breaches past 72 hours without the regulator's notification: {}", i.breaches_unnotified.join("; ")),
            ),
        },
        Check::AccessReview => match &f.access_reviews {
            None => (Status::Fail, "not checked".into()),
            Some(r) if !r.overdue.is_empty() => {
                (Status::Fail, format!("access reviews past their due date with decisions pending: {}", r.overdue.join(", ")))
            }
            Some(r) => match r.last_completed_at {
                Some(at) if now - at <= REVIEW_EVERY_DAYS * DAY => (Status::Pass, format!("last access review completed {}", age(now, at))),
                Some(at) => (Status::Fail, format!("the last access review was completed {}", age(now, at))),
                None => (Status::Fail, "no access review has been completed".into()),
            },
        },
        Check::SupplierReview => register(f.suppliers.as_ref(), "supplier"),
        Check::RiskReview => register(f.risks.as_ref(), "risk"),
        Check::Manual | Check::NotTracked => {
            let attached = f.manual_evidence.iter().find(|e| e.control_id == control.id);
            let text = match attached {
                None => "no evidence attached".to_owned(),
                Some(e) => {
                    let stale = if now - e.attached_at > 365 * DAY { "; older than a year, due for renewal" } else { "" };
                    format!("evidence attached {}: {} ({}){stale}", age(now, e.attached_at), e.summary, e.reference)
                }
            };
            let prefix = if control.check == Check::NotTracked { "not tracked by Trustline yet; " } else { "" };
            (Status::Manual, format!("{prefix}{text}"))
        }
    }
}

/// Actions an auditor may hold: reading accounts, the audit log and settings.
fn auditor_may(action: &str) -> bool {
    matches!(action, "account.view" | "user.read" | "audit.read" | "tenant.settings.read" | "trust.read" | "incident.read")
}

/// Actions that administer the tenant.
fn administrative(action: &str) -> bool {
    action.starts_with("user.")
        || action.starts_with("tenant.")
        || matches!(
            action,
            "token.manage"
                | "audit.read"
                | "subject.rights"
                | "retention.manage"
                | "webhook.manage"
                | "trunk.manage"
                | "custom_fields.manage"
        )
}

/// Judges every control of the catalogue.
pub fn assess(facts: &TrustFacts) -> Assessment {
    let controls: Vec<ControlResult> = CATALOGUE
        .iter()
        .map(|c| {
            let (status, evidence) = judge(c, facts);
            ControlResult {
                id: c.id,
                title: c.title,
                protects: c.protects,
                soc2: c.soc2,
                iso27001: c.iso27001,
                status,
                evidence,
                how: c.how,
                checked_at: facts.at,
            }
        })
        .collect();
    let count = |s: Status| controls.iter().filter(|c| c.status == s).count();
    Assessment {
        tenant: facts.tenant.clone(),
        checked_at: facts.at,
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        manual: count(Status::Manual),
        controls,
    }
}
