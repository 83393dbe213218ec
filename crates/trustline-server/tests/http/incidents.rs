//! Incidents from the audit stream: a credential-stuffing run raises
//! exactly one incident with its evidence; incidents are worked to closure
//! (a root cause and lessons are required), and the trust center follows
//! their deadlines and the 72-hour breach clock.

use crate::trust::control;
use serde_json::{Value, json};
use std::time::Duration;
use trustline_domain::Role;
use trustline_domain::incidents::Thresholds;
use trustline_server::{AppConfig, SiemOutputs, SyslogTarget};
use trustline_testkit::{Engine, TestClient, TestServer, on_both_engines};

on_both_engines!(
    credential_stuffing_raises_one_incident_worked_to_closure,
    a_privileged_sign_in_from_a_new_network_is_an_incident,
    a_breach_owner_is_reminded_as_the_72_hours_run_down
);

async fn incidents_after_quiet(client: &TestClient) -> Vec<Value> {
    let mut last = Vec::new();
    for _ in 0..200 {
        let now = client.get("/api/incidents").await.body.as_array().unwrap().clone();
        if !now.is_empty() && now == last {
            return now;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no incident settled: {last:?}");
}

/// Every datagram waiting on `socket`.
fn syslog_messages(socket: &std::net::UdpSocket) -> Vec<String> {
    socket.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut buffer = vec![0u8; 65_536];
    let mut messages = Vec::new();
    while let Ok(size) = socket.recv(&mut buffer) {
        messages.push(String::from_utf8(buffer[..size].to_vec()).unwrap());
    }
    messages
}

async fn credential_stuffing_raises_one_incident_worked_to_closure(engine: Engine) {
    let siem_dir = tempfile::tempdir().unwrap();
    let siem_file = siem_dir.path().join("security.jsonl");
    let syslog = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let siem = SiemOutputs { file: Some(siem_file.clone()), syslog: Some(SyslogTarget::Udp(syslog.local_addr().unwrap())) };
    let server = TestServer::start_with(engine, AppConfig { siem, ..AppConfig::default() }).await;
    server.app.start_incident_detection(Duration::from_millis(50), Thresholds::default());
    let tenant = server.tenant.clone();
    let olive = server.create_user(&tenant, "olive", Role::Owner, true).await;
    server.create_user(&tenant, "ada", Role::Agent, false).await;
    let owner = server.signed_in(&olive).await;

    // A leaked list replayed from one address: 60 accounts, a few of them real.
    let attacker = server.client();
    for i in 0..60 {
        let username = if i % 20 == 0 { "ada".to_owned() } else { format!("person{i}") };
        let reply = attacker.post("/api/session", json!({ "tenant": "acme", "username": username, "password": "Winter2026!" })).await;
        assert!(reply.status == 401 || reply.status == 429, "{}", reply.body);
    }
    let incidents = incidents_after_quiet(&owner).await;
    assert_eq!(incidents.len(), 1, "one attack, one incident: {incidents:?}");
    let incident = &incidents[0];
    assert_eq!((incident["kind"].as_str(), incident["severity"].as_str()), (Some("credential_stuffing"), Some("high")));
    let id = incident["id"].as_i64().unwrap();
    let detail = owner.get(&format!("/api/incidents/{id}")).await.body;
    let first = detail["timeline"][0]["entry"].as_str().unwrap();
    assert!(first.contains("10 different accounts from 127.0.0.1"), "{detail}");
    // The SIEM file has every failed sign-in and the one incident, usernames as MACs only.
    let lines: Vec<Value> = std::fs::read_to_string(&siem_file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.iter().filter(|l| l["type"] == "security_event" && l["action"] == "session.login").count(), 60);
    let raised: Vec<&Value> = lines.iter().filter(|l| l["type"] == "incident").collect();
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!(raised[0]["incident"]["incident_id"], id);
    let text = std::fs::read_to_string(&siem_file).unwrap();
    assert!(!text.contains("person1") && !text.contains("\"ada\""), "no usernames in the SIEM stream");
    // Syslog received the same lines as RFC 5424 messages, the incident as an error (authpriv).
    let messages = syslog_messages(&syslog);
    assert_eq!(messages.iter().filter(|m| m.contains(" security_event - ")).count(), 60);
    let incident_messages: Vec<&String> = messages.iter().filter(|m| m.contains(" incident - ")).collect();
    assert_eq!(incident_messages.len(), 1, "{incident_messages:?}");
    assert!(incident_messages[0].starts_with("<83>1 2030-03-17T"), "{}", incident_messages[0]);
    let payload: Value = serde_json::from_str(incident_messages[0].split_once(" incident - ").unwrap().1).unwrap();
    assert_eq!(payload["incident"]["incident_id"], id);
    let (status, _) = control(&owner, "AU-04").await;
    assert_eq!(status, "PASS", "detection runs and says so");
    assert_eq!(control(&owner, "PP-03").await.0, "PASS", "within its deadline");

    // Worked to closure: a root cause and lessons are required.
    let path = format!("/api/incidents/{id}/changes");
    let early = owner.post(&path, json!({ "status": "closed" })).await;
    assert_eq!((early.status, early.code()), (409, "illegal_incident_change"));
    let empty = owner.post(&path, json!({})).await;
    assert_eq!((empty.status, empty.code()), (422, "empty_change"));
    let blank = owner.post(&path, json!({ "status": "investigating", "note": " " })).await;
    assert_eq!((blank.status, blank.code()), (422, "invalid_change"), "a blank note is refused, not ignored");
    let same = owner.post(&path, json!({ "status": "open" })).await;
    assert_eq!((same.status, same.code()), (409, "no_change"), "already open");
    let work =
        json!({ "status": "investigating", "owner_id": olive.id.0, "note": "blocked the address at the firewall", "declare_breach": true });
    let worked = owner.post(&path, work).await;
    assert_eq!(worked.status, 200, "{}", worked.body);
    assert_eq!(worked.body["personal_data_breach"], true);

    // Three days on: past the response deadline and the 72-hour clock.
    server.clock.advance(73 * 3_600);
    let owner = server.signed_in(&olive).await;
    let (status, evidence) = control(&owner, "PP-03").await;
    assert_eq!(status, "FAIL", "{evidence}");
    assert!(evidence.contains(&format!("#{id}")), "{evidence}");
    let (status, evidence) = control(&owner, "PP-04").await;
    assert_eq!(status, "FAIL", "{evidence}");
    let unsettled = owner.post(&path, json!({ "status": "closed", "root_cause": "reused passwords", "lessons": "enforce MFA" })).await;
    assert_eq!((unsettled.status, unsettled.code()), (409, "illegal_incident_change"), "a breach closes only after notification");
    let notified = owner.post(&path, json!({ "status": "contained", "regulator_notification": "reported to the ICO, ref 123" })).await;
    assert_eq!(notified.status, 200, "{}", notified.body);
    assert_eq!(control(&owner, "PP-04").await.0, "PASS");
    assert_eq!(control(&owner, "PP-03").await.0, "PASS", "contained incidents no longer count against the deadline");
    let closed = owner.post(&path, json!({ "status": "closed", "root_cause": "reused passwords", "lessons": "enforce MFA for all" })).await;
    assert_eq!((closed.status, closed.body["status"].as_str()), (200, Some("closed")), "{}", closed.body);
    assert_eq!(owner.post(&path, json!({ "status": "open" })).await.status, 409, "closed stays closed");
    let timeline = owner.get(&format!("/api/incidents/{id}")).await.body["timeline"].as_array().unwrap().len();
    assert!(timeline >= 4, "every step is on the timeline");

    let agent = server.signed_in(&server.create_user(&tenant, "eve", Role::Agent, false).await).await;
    assert_eq!(agent.get("/api/incidents").await.status, 403);
}

async fn a_privileged_sign_in_from_a_new_network_is_an_incident(engine: Engine) {
    let config = AppConfig { trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()], ..AppConfig::default() };
    let server = TestServer::start_with(engine, config).await;
    server.app.start_incident_detection(Duration::from_millis(50), Thresholds::default());
    let tenant = server.tenant.clone();
    let olive = server.create_user(&tenant, "olive", Role::Owner, true).await;
    let ada = server.create_user(&tenant, "ada", Role::Agent, false).await;
    let sign_in = |user: &trustline_testkit::TestUser, from: &'static str| {
        let body = json!({ "tenant": "acme", "username": user.username, "password": user.password });
        let client = server.client();
        async move { client.http.post(client.url("/api/session")).header("x-forwarded-for", from).json(&body).send().await.unwrap().status() }
    };
    // The owner's usual network is this machine's (the test client's own sign-in).
    let owner = server.signed_in(&olive).await;
    for (user, from) in [(&olive, "127.0.0.9"), (&ada, "203.0.113.9"), (&ada, "192.0.2.77")] {
        assert!(sign_in(user, from).await.is_success());
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(owner.get("/api/incidents").await.body, json!([]), "the same /24, and an agent, are not incidents");
    assert!(sign_in(&olive, "198.51.100.4").await.is_success());
    let incidents = incidents_after_quiet(&owner).await;
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    assert_eq!(incidents[0]["kind"], "new_network_sign_in");
    assert!(incidents[0]["title"].as_str().unwrap().contains("olive (owner) signed in from 198.51.100.0/24"), "{}", incidents[0]);
}

/// The reminders on `incident`'s timeline, once the housekeeping has had time to pass.
async fn reminders(client: &TestClient, incident: i64, expected: usize) -> Vec<String> {
    let mut last = Vec::new();
    for _ in 0..100 {
        let detail = client.get(&format!("/api/incidents/{incident}")).await.body;
        last = detail["timeline"]
            .as_array()
            .unwrap_or_else(|| panic!("{detail}"))
            .iter()
            .filter_map(|e| e["entry"].as_str().filter(|t| t.starts_with("reminder:")).map(str::to_owned))
            .collect();
        if last.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    last
}

async fn a_breach_owner_is_reminded_as_the_72_hours_run_down(engine: Engine) {
    let siem_dir = tempfile::tempdir().unwrap();
    let siem_file = siem_dir.path().join("security.jsonl");
    let config = AppConfig { siem: SiemOutputs { file: Some(siem_file.clone()), syslog: None }, ..AppConfig::default() };
    let server = TestServer::start_with(engine, config).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let owner = server.signed_in(&olive).await;
    let report = json!({ "title": "call recordings shared by mistake", "severity": "high", "personal_data_breach": true });
    let breach = owner.post("/api/incidents", report).await.body["id"].as_i64().unwrap();
    let minor =
        owner.post("/api/incidents", json!({ "title": "phishing mail reported", "severity": "low" })).await.body["id"].as_i64().unwrap();
    server.app.start_security_housekeeping(Duration::from_millis(20));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reminders(&owner, breach, 0).await, Vec::<String>::new(), "72 hours left: nothing yet");

    server.clock.advance(24 * 3_600);
    let owner = server.signed_in(&olive).await;
    let first = reminders(&owner, breach, 1).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].contains("48 hours left to notify the supervisory authority"), "{first:?}");
    // Later passes at the same mark add nothing; 22 hours left is the 24-hour mark.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reminders(&owner, breach, 1).await.len(), 1);
    server.clock.advance(26 * 3_600);
    let owner = server.signed_in(&olive).await;
    assert!(reminders(&owner, breach, 2).await[1].contains("24 hours left"));
    // The server was down through the 6-hour mark: the deadline's reminder, not a late one.
    server.clock.advance(23 * 3_600);
    let owner = server.signed_in(&olive).await;
    let all = reminders(&owner, breach, 3).await;
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[2].contains("the 72 hours to notify the supervisory authority ended") && all[2].contains("GDPR art. 33"), "{all:?}");
    let detail = owner.get(&format!("/api/incidents/{breach}")).await.body;
    assert_eq!((detail["last_reminder_hours_left"].as_i64(), detail["notification_overdue"].as_bool()), (Some(0), Some(true)));
    assert_eq!(reminders(&owner, minor, 0).await, Vec::<String>::new(), "not a breach, no clock");

    // Each reminder is audited and streamed once.
    let lines: Vec<Value> = std::fs::read_to_string(&siem_file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let hours: Vec<i64> =
        lines.iter().filter(|l| l["type"] == "incident_reminder").map(|l| l["reminder"]["hours_left"].as_i64().unwrap()).collect();
    assert_eq!(hours, [48, 24, 0]);
    let events = server.db.store.audit_events(server.tenant.id, 0, 1_000).await.unwrap();
    let audited = events.iter().filter(|e| e.body.action == "incident.remind" && e.body.target == format!("incident:{breach}")).count();
    assert_eq!(audited, 3);

    // Notified: the clock stops, and so do the reminders.
    let notified = json!({ "regulator_notification": "reported to the ICO, reference 2026-113" });
    assert_eq!(owner.post(&format!("/api/incidents/{breach}/changes"), notified).await.status, 200);
    server.clock.advance(3_600);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let owner = server.signed_in(&olive).await;
    assert_eq!(reminders(&owner, breach, 3).await.len(), 3);
}
