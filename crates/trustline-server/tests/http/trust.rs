//! The trust center on a live system: each automated control passes when
//! the system complies and fails, with its reason, when it is broken
//! (an admin without MFA, a tampered audit table, a stale checkpoint or
//! backup, plaintext or swapped ciphertexts in the contacts table, a dormant
//! account, a plain-HTTP start, a private webhook, an over-long token).

use serde_json::{Value, json};
use trustline_app::write_checkpoints;
use trustline_domain::{Clock, Role};
use trustline_server::AppConfig;
use trustline_store::{JobRunRecord, jobs};
use trustline_testkit::{Engine, TestClient, TestServer, on_both_engines};

on_both_engines!(
    controls_follow_the_system_both_ways,
    stored_data_and_destinations_are_checked,
    the_report_page_renders,
    an_evidence_bundle_verifies_offline_and_shows_tampering,
    each_control_keeps_the_history_of_its_checks
);

/// A control's status and evidence in the trust report.
pub(crate) async fn control(auditor: &TestClient, id: &str) -> (String, String) {
    let reply = auditor.get("/api/trust").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let control = reply.body["controls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    (control["status"].as_str().unwrap().to_owned(), control["evidence"].as_str().unwrap().to_owned())
}

async fn expect(auditor: &TestClient, id: &str, wanted: &str, mentions: &str) {
    let (found, evidence) = control(auditor, id).await;
    assert_eq!(found, wanted, "{id}: {evidence}");
    assert!(evidence.contains(mentions), "{id}: {evidence:?} should mention {mentions:?}");
}

async fn record(server: &TestServer, job: &str, ago: i64, ok: bool) {
    let run = JobRunRecord { at: server.clock.now() - ago, ok, detail: "test".into() };
    server.db.store.record_job_run(job, None, run).await.unwrap();
}

async fn team(server: &TestServer) -> (TestClient, TestClient) {
    let tenant = server.tenant.clone();
    let owner = server.create_user(&tenant, "olive", Role::Owner, true).await;
    let auditor = server.create_user(&tenant, "audra", Role::Auditor, true).await;
    (server.signed_in(&owner).await, server.signed_in(&auditor).await)
}

async fn controls_follow_the_system_both_ways(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (_owner, auditor) = team(&server).await;

    expect(&auditor, "AC-01", "PASS", "2 of 2 privileged accounts").await;
    expect(&auditor, "AC-09", "PASS", "1 enabled auditor").await;
    server.create_user(&server.tenant.clone(), "adam", Role::Admin, false).await;
    expect(&auditor, "AC-01", "FAIL", "without MFA: adam").await;

    expect(&auditor, "AU-01", "PASS", "verified to the head").await;
    expect(&auditor, "AU-02", "FAIL", "no signed checkpoint").await;
    write_checkpoints(server.db.store.as_ref(), &server.db.keys.checkpoint_signer, server.clock.now()).await.unwrap();
    expect(&auditor, "AU-02", "PASS", "newest signed checkpoint").await;
    server.clock.advance(2 * 3_600);
    let auditor = server.signed_in(&server.create_user(&server.tenant.clone(), "audrey", Role::Auditor, true).await).await;
    expect(&auditor, "AU-02", "FAIL", "2 h ago").await;
    server.db.raw.execute("UPDATE audit_events SET action = 'user.nothing' WHERE seq = 2").await;
    expect(&auditor, "AU-01", "FAIL", "broken: event 2").await;
    expect(&auditor, "AU-03", "PASS", "opened").await;

    expect(&auditor, "OP-01", "FAIL", "no backup recorded").await;
    record(&server, jobs::BACKUP, 3_600, true).await;
    expect(&auditor, "OP-01", "PASS", "last backup 1 h ago").await;
    record(&server, jobs::BACKUP, 60, false).await;
    expect(&auditor, "OP-01", "FAIL", "failed").await;
    record(&server, jobs::BACKUP_VERIFICATION, 8 * 86_400, true).await;
    expect(&auditor, "OP-02", "FAIL", "8 days ago").await;
    record(&server, jobs::RETENTION, 600, true).await;
    expect(&auditor, "DP-04", "PASS", "last retention run").await;
    record(&server, jobs::RETENTION, 3 * 3_600, true).await;
    expect(&auditor, "DP-04", "PASS", "last retention run").await;
    record(&server, jobs::SERVER_START, 60, false).await;
    expect(&auditor, "DP-07", "FAIL", "without TLS").await;
    record(&server, jobs::SERVER_START, 30, true).await;
    expect(&auditor, "DP-07", "PASS", "with TLS").await;
    expect(&auditor, "OP-03", "PASS", "packages").await;
    expect(&auditor, "OP-04", "MANUAL", "unknown").await;

    // An account nobody has used for 91 days; signing in clears it.
    let idle = server.create_user(&server.tenant.clone(), "ida", Role::Agent, false).await;
    server.clock.advance(91 * 86_400);
    let auditor = server.signed_in(&server.create_user(&server.tenant.clone(), "aubrey", Role::Auditor, true).await).await;
    let (found, evidence) = control(&auditor, "AC-06").await;
    assert_eq!(found, "FAIL", "{evidence}");
    assert!(evidence.contains("ida") && evidence.contains("olive"), "{evidence}");
    server.signed_in(&idle).await;
    let (_, evidence) = control(&auditor, "AC-06").await;
    assert!(!evidence.contains("ida"), "a sign-in counts: {evidence}");
    assert!(
        server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'trust.read'").await > 0,
        "looking at the controls is audited"
    );
}

/// Bytes of `text` in this engine's SQL.
fn bytes_sql(engine: Engine, text: &str) -> String {
    match engine {
        Engine::Sqlite => format!("CAST('{text}' AS BLOB)"),
        Engine::Postgres => format!("convert_to('{text}', 'UTF8')"),
    }
}

async fn stored_data_and_destinations_are_checked(engine: Engine) {
    let server = TestServer::start_with(engine, AppConfig { allow_private_webhooks: true, ..AppConfig::default() }).await;
    let (owner, auditor) = team(&server).await;
    for (name, phone) in [("Ada Lovelace", "+442071838750"), ("Bob Babbage", "+442071838751")] {
        assert_eq!(owner.post("/api/contacts", json!({ "name": name, "phones": [phone], "language": "en" })).await.status, 201);
    }
    expect(&auditor, "DP-01", "PASS", "2 sampled contacts").await;
    expect(&auditor, "DP-02", "PASS", "open with their own keys").await;
    expect(&auditor, "DP-05", "PASS", "0 erasures").await;

    // Ciphertexts swapped between two people: unreadable, though not plaintext.
    let ids: Vec<i64> =
        owner.get("/api/contacts").await.body["contacts"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    let (a, b) = (ids[0], ids[1]);
    server.db.raw.execute(&format!("UPDATE contacts SET name = (SELECT name FROM contacts WHERE id = {b}) WHERE id = {a}")).await;
    expect(&auditor, "DP-02", "FAIL", "1 of 2").await;
    expect(&auditor, "DP-01", "PASS", "no personal value").await;
    // A personal value written in the clear.
    server.db.raw.execute(&format!("UPDATE contacts SET email = {} WHERE id = {b}", bytes_sql(engine, "bob@example.com"))).await;
    expect(&auditor, "DP-01", "FAIL", "1 of 2").await;

    // Erasure leaves nothing; a row that kept its key is found.
    assert_eq!(owner.post(&format!("/api/contacts/{a}/erase"), json!({ "reason": "request" })).await.status, 204);
    expect(&auditor, "DP-05", "PASS", "1 erasures").await;
    server.db.raw.execute(&format!("UPDATE contacts SET data_key = {} WHERE id = {a}", bytes_sql(engine, "leftover-key"))).await;
    expect(&auditor, "DP-05", "FAIL", "1 erased contacts").await;

    expect(&auditor, "DP-03", "FAIL", "no retention period").await;
    assert_eq!(owner.put("/api/retention", json!({ "contact_idle_days": 365 })).await.status, 204);
    expect(&auditor, "DP-03", "PASS", "365 days").await;

    expect(&auditor, "DP-08", "PASS", "0 webhook").await;
    let hook = owner.post("/api/webhooks", json!({ "url": "http://10.1.2.3/hook", "events": ["contact.created"] })).await;
    assert_eq!(hook.status, 201, "{}", hook.body);
    expect(&auditor, "DP-08", "FAIL", "http://10.1.2.3/hook").await;

    let token = owner.post("/api/tokens", json!({ "name": "crm", "scopes": ["contact.read"], "expires_in_days": 30 })).await;
    assert_eq!(token.status, 201, "{}", token.body);
    expect(&auditor, "AC-08", "PASS", "1 active tokens").await;
    server.db.raw.execute("UPDATE api_tokens SET expires_at = expires_at + 400 * 86400").await;
    expect(&auditor, "AC-08", "FAIL", "crm").await;
}

async fn the_report_page_renders(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (owner, auditor) = team(&server).await;
    let page = auditor.get("/trust").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<table class=\"controls\">") && page.text.contains("AC-01"), "{}", page.text);
    assert!(page.text.contains("/static/trust.css") && !page.text.contains("<style>"), "the CSP allows no inline styles");
    assert_eq!(server.client().get("/static/trust.css").await.status, 200);
    let report: Value = owner.get("/api/trust").await.body;
    assert!(report["controls"].as_array().unwrap().len() >= 40);
    assert_eq!(report["passed"].as_u64().unwrap() + report["failed"].as_u64().unwrap() + report["manual"].as_u64().unwrap(), 42);
    let agent = server.signed_in(&server.create_user(&server.tenant.clone(), "ada", Role::Agent, false).await).await;
    assert_eq!(agent.get("/api/trust").await.status, 403);
    let answers = auditor.get("/api/trust/questionnaire").await.body;
    let mfa = answers.as_array().unwrap().iter().find(|a| a["id"] == "IAM-01").unwrap().clone();
    assert_eq!(mfa["answer"], "yes", "{mfa}");
    assert_eq!(mfa["controls"], json!(["AC-01"]));

    // Evidence attached by hand shows on the controls no check decides, with its age.
    let evidence = json!({ "summary": "information security policy v3 approved", "reference": "DOC-17" });
    assert_eq!(owner.post("/api/trust/controls/PP-06/evidence", evidence.clone()).await.status, 204);
    expect(&auditor, "PP-06", "MANUAL", "evidence attached 0 min ago: information security policy v3 approved (DOC-17)").await;
    let automated = owner.post("/api/trust/controls/AC-01/evidence", evidence.clone()).await;
    assert_eq!((automated.status, automated.code()), (409, "automated_control"));
    // The document lists exactly the controls that take evidence.
    let document = owner.get("/api/openapi.json").await.body;
    let parameter = &document["paths"]["/api/trust/controls/{id}/evidence"]["post"]["parameters"][0]["schema"]["pattern"];
    let listed: Vec<&str> = parameter.as_str().unwrap().trim_start_matches("^(").trim_end_matches(")$").split('|').collect();
    assert!(listed.contains(&"PP-06") && !listed.contains(&"AC-01"), "{parameter}");
    assert_eq!(owner.post("/api/trust/controls/ZZ-99/evidence", evidence.clone()).await.status, 404);
    assert_eq!(auditor.post("/api/trust/controls/PP-06/evidence", evidence).await.status, 403, "auditors review, they do not attach");
}

async fn bundle_of(client: &TestClient, from: i64, to: i64) -> (u16, Vec<u8>) {
    let response = client.http.get(client.url(&format!("/api/trust/evidence?from={from}&seconds={}", to - from))).send().await.unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        assert_eq!(response.headers()["content-type"], "application/zip");
        assert!(response.headers()["content-disposition"].to_str().unwrap().contains("trustline-evidence-acme-"));
    }
    (status, response.bytes().await.unwrap().to_vec())
}

async fn an_evidence_bundle_verifies_offline_and_shows_tampering(engine: Engine) {
    let server = TestServer::start(engine).await;
    let start = server.clock.now();
    let (owner, auditor) = team(&server).await;
    write_checkpoints(server.db.store.as_ref(), &server.db.keys.checkpoint_signer, server.clock.now()).await.unwrap();
    server.clock.advance(300);
    let from = server.clock.now();
    for (name, phone) in [("Ada Lovelace", "+442071838750"), ("Bob Babbage", "+442071838751")] {
        assert_eq!(owner.post("/api/contacts", json!({ "name": name, "phones": [phone], "language": "en" })).await.status, 201);
    }
    let to = server.clock.now() + 1;
    server.clock.advance(300);
    let key = server.db.keys.checkpoint_signer.public_key();

    let (status, bundle) = bundle_of(&auditor, from, to).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bundle));
    let verified = trustline_evidence::verify_bundle(&bundle, Some(&key)).unwrap();
    assert_eq!((verified.manifest.tenant.as_str(), verified.manifest.period_from, verified.manifest.period_to), ("acme", from, to));
    assert_eq!(verified.passed + verified.failed + verified.manual, 42);
    assert!(verified.checkpoints >= 2, "pinned at both ends: {verified:?}");
    let events = server.db.store.audit_events(server.tenant.id, 0, 10_000).await.unwrap();
    let created: Vec<i64> = events.iter().filter(|e| e.body.action == "contact.create").map(|e| e.body.seq).collect();
    assert_eq!(created.len(), 2);
    assert!(created.iter().all(|seq| (verified.manifest.first_seq..=verified.manifest.last_seq).contains(seq)), "{verified:?}");
    assert!(verified.manifest.first_seq > 1, "starts after the checkpoint before the period");
    assert!(events.iter().any(|e| e.body.action == "trust.evidence_export" && e.body.actor.contains("user:")), "the export is audited");

    // A whole year from the start, and a quiet period in the future, verify too.
    let (_, year) = bundle_of(&auditor, start - 300 * 86_400, start + 66 * 86_400).await;
    assert_eq!(trustline_evidence::verify_bundle(&year, Some(&key)).unwrap().manifest.first_seq, 1);
    let (_, quiet) = bundle_of(&auditor, to + 86_400, to + 2 * 86_400).await;
    assert!(trustline_evidence::verify_bundle(&quiet, Some(&key)).unwrap().events >= 1);

    // Someone with database access edits an event of the period: the next bundle fails offline.
    server.db.raw.execute(&format!("UPDATE audit_events SET actor = 'system' WHERE seq = {}", created[0])).await;
    let (_, tampered) = bundle_of(&auditor, from, to).await;
    let error = trustline_evidence::verify_bundle(&tampered, Some(&key)).unwrap_err();
    assert!(error.to_string().contains(&format!("audit event {}", created[0])), "{error}");

    // Bad periods, and people without access.
    for (from, to) in [(to, from), (from, from + 367 * 86_400)] {
        let (status, body) = bundle_of(&auditor, from, to).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_period")), "{body}");
    }
    assert_eq!(auditor.get("/api/trust/evidence?from=1").await.status, 400);
    let agent = server.signed_in(&server.create_user(&server.tenant.clone(), "ada", Role::Agent, false).await).await;
    assert_eq!(bundle_of(&agent, from, to).await.0, 403);
}

/// A control's checks are kept when its result changes and daily while it
/// does not, whether a person looks or housekeeping checks; its page lists them.
async fn each_control_keeps_the_history_of_its_checks(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (_owner, auditor) = team(&server).await;
    let kept = |id: &str| {
        let raw = server.db.raw.clone();
        let sql = format!("SELECT COUNT(*) FROM control_checks WHERE control_id = '{id}'");
        async move { raw.scalar(&sql).await }
    };
    expect(&auditor, "AC-01", "PASS", "2 of 2 privileged accounts").await;
    expect(&auditor, "AC-01", "PASS", "2 of 2 privileged accounts").await;
    assert_eq!((kept("AC-01").await, kept("AU-01").await), (1, 1), "an unchanged result is kept once");
    server.create_user(&server.tenant.clone(), "adam", Role::Admin, false).await;
    expect(&auditor, "AC-01", "FAIL", "without MFA: adam").await;
    assert_eq!((kept("AC-01").await, kept("AU-01").await), (2, 1), "a change is kept");
    server.clock.advance(trustline_domain::control_checks::CONFIRM_EVERY_SECONDS);
    let auditor = server.signed_in(&server.create_user(&server.tenant.clone(), "audrey", Role::Auditor, true).await).await;
    // Housekeeping checks without anyone looking.
    server.app.start_security_housekeeping(std::time::Duration::from_millis(50));
    let started = std::time::Instant::now();
    while kept("AU-01").await < 2 {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "housekeeping kept no daily check");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let page = auditor.get("/trust/controls/AC-01").await;
    assert_eq!(page.status, 200);
    let history = page.text.split("<tbody>").nth(2).unwrap_or_default();
    let statuses: Vec<&str> = history.split("<td class=\"").skip(1).filter_map(|cell| cell.split('"').next()).collect();
    assert_eq!(statuses, ["FAIL", "FAIL", "PASS"], "newest first: the daily check, the change, the first: {history}");
    assert!(history.contains("without MFA: adam"), "{history}");
    assert_eq!(auditor.get("/trust/controls/XX-99").await.status, 404);
    let checks = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'trust.read'").await;
    assert!(checks >= 4, "every look is audited: {checks}");
}
