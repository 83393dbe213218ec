//! Incidents from the audit stream: a credential-stuffing run raises
//! exactly one incident with its evidence; incidents are worked to closure
//! (a root cause and lessons are required), and the trust center follows
//! their deadlines and the 72-hour breach clock.

use crate::trust::control;
use serde_json::{Value, json};
use std::time::Duration;
use trustline_domain::Role;
use trustline_domain::incidents::Thresholds;
use trustline_server::AppConfig;
use trustline_testkit::{Engine, TestClient, TestServer, on_both_engines};

on_both_engines!(credential_stuffing_raises_one_incident_worked_to_closure, a_privileged_sign_in_from_a_new_network_is_an_incident);

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

async fn credential_stuffing_raises_one_incident_worked_to_closure(engine: Engine) {
    let server = TestServer::start(engine).await;
    let siem_dir = tempfile::tempdir().unwrap();
    let siem_file = siem_dir.path().join("security.jsonl");
    server.app.start_incident_detection(Duration::from_millis(50), Thresholds::default(), Some(siem_file.clone()));
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
    let (status, _) = control(&owner, "AU-04").await;
    assert_eq!(status, "PASS", "detection runs and says so");
    assert_eq!(control(&owner, "PP-03").await.0, "PASS", "within its deadline");

    // Worked to closure: a root cause and lessons are required.
    let path = format!("/api/incidents/{id}/changes");
    let early = owner.post(&path, json!({ "status": "closed" })).await;
    assert_eq!((early.status, early.code()), (409, "illegal_incident_change"));
    let empty = owner.post(&path, json!({})).await;
    assert_eq!((empty.status, empty.code()), (422, "empty_change"));
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
    server.app.start_incident_detection(Duration::from_millis(50), Thresholds::default(), None);
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
