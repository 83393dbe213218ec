//! Every automated check driven both ways: compliant facts pass, and each
//! way of breaking them fails with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use trustline_domain::{Action, LoginThrottle, PasswordPolicy, Role, SessionPolicy, permits};
use trustline_trust::{
    AccessReviewFacts, AccountFact, AuditFacts, CATALOGUE, Check, ConfigFacts, EncryptionSample, IncidentFacts, JobRun, RegisterFacts,
    Status, TokenFact, TrainingFacts, TrustFacts, assess,
};

const NOW: i64 = 1_900_000_000;
const DAY: i64 = 86_400;

fn account(username: &str, role: Role, mfa: bool) -> AccountFact {
    AccountFact { username: username.into(), role, disabled: false, mfa, created_at: NOW - 400 * DAY, last_sign_in_at: Some(NOW - DAY) }
}

fn ran(ago: i64, ok: bool) -> Option<JobRun> {
    Some(JobRun { at: NOW - ago, ok, detail: "recorded".into() })
}

fn compliant() -> TrustFacts {
    let mut permissions = Vec::new();
    for role in Role::ALL {
        for action in Action::ALL {
            permissions.push((role, action.as_str().to_owned(), permits(role, action)));
        }
    }
    TrustFacts {
        tenant: "acme".into(),
        at: NOW,
        accounts: vec![account("olive", Role::Owner, true), account("audra", Role::Auditor, true), account("ada", Role::Agent, false)],
        tokens: vec![TokenFact { name: "crm".into(), scopes: 2, created_at: NOW - DAY, expires_at: NOW + 89 * DAY }],
        permissions,
        config: ConfigFacts::of(&PasswordPolicy::default(), &SessionPolicy::default(), &LoginThrottle::default()),
        audit: AuditFacts { chain: Some(Ok(1_234)), last_checkpoint_at: Some(NOW - 120), writable: Some(true) },
        encryption: Some(EncryptionSample { sampled: 50, plaintext: 0, unreadable: 0 }),
        retention_idle_days: Some(365),
        retention_last_run: ran(3_600, true),
        retention_interval_seconds: 3_600,
        erasures_incomplete: Some(0),
        erasures: 3,
        webhooks: vec![("https://crm.example.com/hook".into(), true)],
        server_tls: ran(DAY, true),
        last_backup: ran(3_600, true),
        last_backup_verification: ran(2 * DAY, true),
        dependencies: 300,
        last_advisory_check: ran(5 * DAY, true),
        training: Some(TrainingFacts { required_courses: 1, people: 2, lapsed: Vec::new() }),
        last_detection_run: ran(1_800, true),
        incidents: Some(IncidentFacts { active: 1, overdue: Vec::new(), breaches_unnotified: Vec::new() }),
        manual_evidence: Vec::new(),
        suppliers: Some(RegisterFacts { entries: 2, overdue: Vec::new() }),
        risks: Some(RegisterFacts { entries: 5, overdue: Vec::new() }),
        access_reviews: Some(AccessReviewFacts { last_completed_at: Some(NOW - 30 * DAY), overdue: Vec::new() }),
    }
}

fn status_of(facts: &TrustFacts, check: Check) -> (Status, String) {
    let id = CATALOGUE.iter().find(|c| c.check == check).unwrap().id;
    let result = assess(facts).controls.into_iter().find(|c| c.id == id).unwrap();
    (result.status, result.evidence)
}

#[test]
fn a_compliant_system_passes_every_automated_check() {
    let assessment = assess(&compliant());
    for c in &assessment.controls {
        let check = CATALOGUE.iter().find(|k| k.id == c.id).unwrap().check;
        let expected = if check.is_automated() { Status::Pass } else { Status::Manual };
        assert_eq!(c.status, expected, "{} {}: {}", c.id, c.title, c.evidence);
    }
    assert_eq!(assessment.failed, 0);
    assert_eq!(assessment.passed + assessment.manual, CATALOGUE.len());
}

/// Breaks the facts one way and expects `check` to fail, naming `reason`.
fn fails(check: Check, reason: &str, break_it: impl FnOnce(&mut TrustFacts)) {
    let mut facts = compliant();
    break_it(&mut facts);
    let (status, evidence) = status_of(&facts, check);
    assert_eq!(status, Status::Fail, "{check:?} should fail: {evidence}");
    assert!(evidence.contains(reason), "{check:?}: {evidence:?} should mention {reason:?}");
}

#[test]
fn each_check_fails_when_its_control_breaks() {
    fails(Check::PrivilegedMfa, "audra", |f| f.accounts[1].mfa = false);
    fails(Check::PasswordPolicy, "8 characters", |f| f.config.password.min_chars = 8);
    fails(Check::SessionLimits, "120 min idle", |f| f.config.session_idle_seconds = 7_200);
    fails(Check::SignInThrottling, "1000 per account", |f| f.config.throttle_per_account = 1_000);
    fails(Check::LeastPrivilege, "contact.read", |f| f.permissions.push((Role::Auditor, "contact.read".into(), true)));
    fails(Check::LeastPrivilege, "user.create", |f| f.permissions.push((Role::Agent, "user.create".into(), true)));
    fails(Check::DormantAccounts, "ada", |f| f.accounts[2].last_sign_in_at = Some(NOW - 91 * DAY));
    fails(Check::DormantAccounts, "newbie", |f| {
        f.accounts.push(AccountFact { last_sign_in_at: None, created_at: NOW - 100 * DAY, ..account("newbie", Role::Agent, false) });
    });
    fails(Check::ApiTokensExpire, "crm", |f| f.tokens[0].expires_at = NOW + 400 * DAY);
    fails(Check::ApiTokensExpire, "crm", |f| f.tokens[0].scopes = 0);
    fails(Check::IndependentAuditor, "no enabled auditor", |f| f.accounts[1].disabled = true);
    fails(Check::AuditChain, "broken: event 7", |f| f.audit.chain = Some(Err("event 7 was edited".into())));
    fails(Check::AuditChain, "not checked", |f| f.audit.chain = None);
    fails(Check::RecentCheckpoint, "3 h ago", |f| f.audit.last_checkpoint_at = Some(NOW - 3 * 3_600));
    fails(Check::RecentCheckpoint, "no signed checkpoint", |f| f.audit.last_checkpoint_at = None);
    fails(Check::AuditWritable, "cannot be written", |f| f.audit.writable = Some(false));
    fails(Check::EncryptionAtRest, "2 of 50", |f| f.encryption = Some(EncryptionSample { sampled: 50, plaintext: 2, unreadable: 0 }));
    fails(Check::EncryptionAtRest, "no sample", |f| f.encryption = None);
    fails(Check::CiphertextIntegrity, "1 of 50", |f| f.encryption = Some(EncryptionSample { sampled: 50, plaintext: 0, unreadable: 1 }));
    fails(Check::RetentionPolicySet, "no retention period", |f| f.retention_idle_days = None);
    fails(Check::RetentionOnSchedule, "3 h ago", |f| f.retention_last_run = ran(3 * 3_600, true));
    fails(Check::RetentionOnSchedule, "failed", |f| f.retention_last_run = ran(60, false));
    fails(Check::RetentionOnSchedule, "no retention run", |f| f.retention_last_run = None);
    fails(Check::ErasureComplete, "2 erased contacts", |f| f.erasures_incomplete = Some(2));
    fails(Check::WebhookDestinations, "http://10.0.0.5", |f| f.webhooks.push(("http://10.0.0.5/hook".into(), false)));
    fails(Check::TlsInTransit, "without TLS", |f| f.server_tls = ran(60, false));
    fails(Check::TlsInTransit, "no server start", |f| f.server_tls = None);
    fails(Check::RecentBackup, "2 days ago", |f| f.last_backup = ran(2 * DAY, true));
    fails(Check::RecentBackup, "no backup", |f| f.last_backup = None);
    fails(Check::BackupVerified, "10 days ago", |f| f.last_backup_verification = ran(10 * DAY, true));
    fails(Check::BackupVerified, "failed", |f| f.last_backup_verification = ran(60, false));
    fails(Check::DependencyInventory, "no dependency inventory", |f| f.dependencies = 0);
    fails(Check::AdvisoryCheck, "40 days ago", |f| f.last_advisory_check = ran(40 * DAY, true));
    fails(Check::AdvisoryCheck, "failed", |f| f.last_advisory_check = ran(60, false));
    fails(Check::IncidentDetection, "no detection run", |f| f.last_detection_run = None);
    fails(Check::IncidentDetection, "3 h ago", |f| f.last_detection_run = ran(3 * 3_600, true));
    fails(Check::IncidentDeadlines, "stuffing from 198.51.100.7", |f| {
        f.incidents =
            Some(IncidentFacts { active: 1, overdue: vec!["stuffing from 198.51.100.7".into()], breaches_unnotified: Vec::new() });
    });
    fails(Check::BreachNotification, "laptop lost", |f| {
        f.incidents = Some(IncidentFacts { active: 1, overdue: Vec::new(), breaches_unnotified: vec!["laptop lost".into()] });
    });
    fails(Check::AccessReview, "no access review", |f| f.access_reviews = Some(AccessReviewFacts::default()));
    fails(Check::AccessReview, "100 days ago", |f| {
        f.access_reviews = Some(AccessReviewFacts { last_completed_at: Some(NOW - 100 * DAY), overdue: Vec::new() });
    });
    fails(Check::AccessReview, "#4", |f| {
        f.access_reviews = Some(AccessReviewFacts { last_completed_at: Some(NOW - DAY), overdue: vec!["#4".into()] });
    });
    fails(Check::SupplierReview, "no supplier", |f| f.suppliers = Some(RegisterFacts::default()));
    fails(Check::SupplierReview, "Carrier Ltd: never reviewed", |f| {
        f.suppliers = Some(RegisterFacts { entries: 1, overdue: vec!["Carrier Ltd: never reviewed".into()] });
    });
    fails(Check::RiskReview, "no risk", |f| f.risks = Some(RegisterFacts::default()));
    fails(Check::RiskReview, "stolen laptops", |f| f.risks = Some(RegisterFacts { entries: 3, overdue: vec!["stolen laptops".into()] }));
    fails(Check::TrainingCurrent, "no security course", |f| f.training = Some(TrainingFacts::default()));
    fails(Check::TrainingCurrent, "ada: never", |f| {
        f.training = Some(TrainingFacts { required_courses: 1, people: 2, lapsed: vec!["ada: never".into()] });
    });
}

#[test]
fn an_unknown_is_never_a_pass() {
    let mut facts = compliant();
    facts.last_advisory_check = None;
    let (status, evidence) = status_of(&facts, Check::AdvisoryCheck);
    assert_eq!((status, evidence.as_str()), (Status::Manual, "unknown: no advisory check has been recorded"));
}

#[test]
fn manual_controls_show_their_evidence_and_its_age() {
    let mut facts = compliant();
    let id = CATALOGUE.iter().find(|c| c.check == Check::Manual).unwrap().id;
    assert_eq!(assess(&facts).controls.iter().find(|c| c.id == id).unwrap().evidence, "no evidence attached");
    facts.manual_evidence.push(trustline_trust::ManualEvidence {
        control_id: id.into(),
        summary: "policy set v3 approved by the board".into(),
        reference: "DOC-17".into(),
        attached_at: NOW - 400 * DAY,
    });
    let shown = assess(&facts).controls.into_iter().find(|c| c.id == id).unwrap();
    assert_eq!(shown.status, Status::Manual, "evidence never turns a manual control into a PASS");
    assert!(
        shown.evidence.contains("400 days ago") && shown.evidence.contains("DOC-17") && shown.evidence.contains("older than a year"),
        "{}",
        shown.evidence
    );
}

#[test]
fn the_json_report_has_the_promised_shape() {
    let value = serde_json::to_value(assess(&compliant())).unwrap();
    let first = &value["controls"][0];
    for key in ["id", "title", "soc2", "iso27001", "status", "evidence"] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["status"], "PASS");
    let html = trustline_trust::html(&assess(&compliant()));
    assert!(html.starts_with("<!doctype html>") && html.contains("AC-01") && !html.contains("<script"));
}

#[test]
fn the_oscal_export_has_a_finding_per_automated_control() {
    let mut facts = compliant();
    facts.accounts[1].mfa = false;
    let assessment = assess(&facts);
    let document = trustline_trust::oscal(&assessment);
    let result = &document["assessment-results"]["results"][0];
    let automated = CATALOGUE.iter().filter(|c| c.check.is_automated()).count();
    assert_eq!(result["findings"].as_array().unwrap().len(), automated);
    assert_eq!(result["observations"].as_array().unwrap().len(), CATALOGUE.len());
    let finding = |id: &str| result["findings"].as_array().unwrap().iter().find(|f| f["target"]["target-id"] == id).unwrap().clone();
    assert_eq!(finding("ac-01_obj")["target"]["status"]["state"], "not-satisfied");
    assert_eq!(finding("ac-02_obj")["target"]["status"]["state"], "satisfied");
    assert_eq!(document, trustline_trust::oscal(&assessment), "the same assessment exports the same document");
    let uuid = document["assessment-results"]["uuid"].as_str().unwrap();
    assert!(uuid.len() == 36 && uuid.as_bytes()[14] == b'5', "{uuid}");
}

#[test]
fn the_questionnaire_answers_from_the_controls() {
    let answers = |facts: &TrustFacts| trustline_trust::questionnaire(&assess(facts));
    let find = |all: &[trustline_trust::Answer], id: &str| all.iter().find(|a| a.id == id).unwrap().clone();
    let mut facts = compliant();
    let all = answers(&facts);
    assert_eq!(find(&all, "IAM-01").answer, "yes");
    assert_eq!(find(&all, "GRC-02").answer, "see_evidence", "a manual control");
    facts.accounts[1].mfa = false;
    let all = answers(&facts);
    let mfa = find(&all, "IAM-01");
    assert_eq!(mfa.answer, "no");
    assert!(mfa.evidence[0].contains("AC-01 FAIL") && mfa.evidence[0].contains("audra"), "{:?}", mfa.evidence);
}
