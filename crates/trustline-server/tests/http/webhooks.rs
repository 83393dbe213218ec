//! Webhooks to a real receiver over HTTP: deliveries are signed with the
//! subscription's secret, carry no personal data, are retried with backoff
//! after a failure, and follow calls, dispositions and new contacts;
//! private and malformed destinations are refused unless the operator
//! allows private ones.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use trustline_crypto::hmac_sha256_hex;
use trustline_domain::{Clock, Role};
use trustline_server::AppConfig;
use trustline_telephony::{Caller, CarrierProfile};
use trustline_testkit::{Engine, TestClient, TestServer, on_both_engines};

on_both_engines!(
    deliveries_are_signed_and_retried_with_backoff,
    calls_and_dispositions_reach_the_crm,
    private_and_malformed_destinations_are_refused
);

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A CRM's endpoint: records what it is sent; fails the first `fail_first`.
struct Receiver {
    url: String,
    seen: Seen,
}

async fn receiver(fail_first: u32) -> Receiver {
    let seen: Seen = Arc::default();
    let failures = Arc::new(AtomicU32::new(fail_first));
    let state = (seen.clone(), failures);
    async fn take(State((seen, failures)): State<(Seen, Arc<AtomicU32>)>, headers: HeaderMap, body: String) -> StatusCode {
        seen.lock().unwrap().push((headers, body));
        let failing = failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if failing { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::NO_CONTENT }
    }
    let app = axum::Router::new().route("/hook", axum::routing::post(take)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook?token=crm-side-secret", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, seen }
}

impl Receiver {
    async fn wait_for(&self, count: usize) -> Vec<(HeaderMap, String)> {
        for _ in 0..400 {
            let seen = self.seen.lock().unwrap().clone();
            if seen.len() >= count {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the receiver got {} requests, not {count}", self.seen.lock().unwrap().len());
    }
}

/// A server that may deliver to this machine (the receiver is local).
async fn server(engine: Engine) -> (TestServer, TestClient) {
    let server = TestServer::start_with(engine, AppConfig { allow_private_webhooks: true, ..AppConfig::default() }).await;
    server.app.start_webhooks(Duration::from_millis(50));
    let admin = server.create_user(&server.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin).await;
    (server, admin)
}

async fn subscribe(admin: &TestClient, url: &str, events: Value) -> (i64, String) {
    let created = admin.post("/api/webhooks", json!({ "url": url, "events": events, "description": "CRM" })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    (created.body["id"].as_i64().unwrap(), created.body["secret"].as_str().unwrap().to_owned())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// Checks the signature the way a receiver would.
fn signed_by(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let Some((t, v1)) = header(headers, "trustline-signature").split_once(",v1=") else { return false };
    let t = t.trim_start_matches("t=");
    hmac_sha256_hex(secret.as_bytes(), &[t.as_bytes(), b".", body.as_bytes()]).as_deref() == Some(v1)
}

async fn deliveries_are_signed_and_retried_with_backoff(engine: Engine) {
    let (server, admin) = server(engine).await;
    let crm = receiver(1).await;
    let (hook, secret) = subscribe(&admin, &crm.url, json!(["contact.created"])).await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    let listed = admin.get("/api/webhooks").await.body;
    assert_eq!(listed[0]["url"], crm.url);
    assert!(listed[0].get("secret").is_none(), "the secret is shown once: {listed}");
    let sealed = server.db.raw.bytes("SELECT sealed_secret FROM webhooks").await;
    assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_bytes()), "the secret is stored sealed");

    let created = admin.post("/api/contacts", json!({ "name": "Ada Lovelace", "phones": ["+442071838750"] })).await;
    assert_eq!(created.status, 201);
    let contact = created.body["id"].as_i64().unwrap();
    let first = crm.wait_for(1).await;
    let path = format!("/api/webhooks/{hook}/deliveries");
    let mut deliveries = Value::Null;
    for _ in 0..200 {
        deliveries = admin.get(&path).await.body;
        if deliveries[0]["attempts"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!((deliveries[0]["state"].as_str(), deliveries[0]["last_status"].as_i64()), (Some("pending"), Some(500)), "{deliveries}");
    assert_eq!(deliveries[0]["next_attempt_at"], server.clock.now() + 10, "the first retry comes 10 s later");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(crm.seen.lock().unwrap().len(), 1, "not before it is due");

    server.clock.advance(11);
    let seen = crm.wait_for(2).await;
    let (headers, body) = seen.last().unwrap();
    assert_eq!(first.first().unwrap().1, *body, "a retry sends the same event");
    assert!(signed_by(&secret, headers, body), "signed with the subscription's secret");
    assert!(!signed_by("whsec_someone-else", headers, body));
    assert_eq!(header(headers, "trustline-event"), "contact.created");
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!((event["event"].as_str(), event["data"]["contact_id"].as_i64()), (Some("contact.created"), Some(contact)));
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert!(!body.contains("Ada") && !body.contains("2071838750"), "no personal data in a payload: {body}");
    let deliveries = admin.get(&path).await.body;
    assert_eq!((deliveries[0]["state"].as_str(), deliveries[0]["attempts"].as_i64()), (Some("delivered"), Some(2)), "{deliveries}");

    assert_eq!(admin.delete(&format!("/api/webhooks/{hook}")).await.status, 204);
    assert_eq!(admin.get("/api/webhooks").await.body, json!([]));
    assert_eq!(admin.get(&path).await.status, 404);
    let audited = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action IN ('webhook.create', 'webhook.delete')").await;
    assert_eq!(audited, 2);
}

async fn calls_and_dispositions_reach_the_crm(engine: Engine) {
    let (server, admin) = server(engine).await;
    let crm = receiver(0).await;
    let (_, secret) = subscribe(&admin, &crm.url, json!(["interaction.finished", "disposition.set"])).await;
    let profile = CarrierProfile { answer_rate: 1.0, machine_rate: 0.0, busy_rate: 0.0, ..CarrierProfile::default() };
    let telephony = server.start_engine(profile, 100.0);
    server.assign_numbers(&server.tenant, &["+442079460993"]).await;
    let queue = admin.post("/api/queues", json!({ "name": "Care", "number": "+442079460993" })).await;
    assert_eq!(queue.status, 201, "{}", queue.body);
    let agent = server.create_user(&server.tenant.clone(), "agent", Role::Agent, false).await;
    let agent = server.signed_in(&agent).await;
    assert_eq!(agent.post("/api/agent/state", json!({ "event": "log_in" })).await.status, 200);
    let caller = Caller { patience_ms: 36_000_000, talk_ms: 36_000_000, accepts_callback: false };
    telephony.ring_in("+442079460993", Some("+442079460201"), caller).await.unwrap();
    let mut call = 0;
    for _ in 0..400 {
        let work = agent.get("/api/agent/work").await.body;
        if work["call"]["state"] == "connected" {
            call = work["call"]["id"].as_i64().unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(call > 0, "the call reached the agent");
    assert_eq!(agent.post(&format!("/api/calls/{call}/hangup"), json!({})).await.status, 204);
    assert_eq!(agent.post(&format!("/api/calls/{call}/disposition"), json!({ "disposition": "resolved" })).await.status, 204);
    let seen = crm.wait_for(2).await;
    let events: Vec<Value> = seen.iter().map(|(_, body)| serde_json::from_str(body).unwrap()).collect();
    assert!(seen.iter().all(|(headers, body)| signed_by(&secret, headers, body)));
    let finished = events.iter().find(|e| e["event"] == "interaction.finished").unwrap();
    assert_eq!((finished["data"]["call_id"].as_i64(), finished["data"]["result"].as_str()), (Some(call), Some("person")));
    assert_eq!(finished["data"]["direction"], "inbound");
    let set = events.iter().find(|e| e["event"] == "disposition.set").unwrap();
    assert_eq!((set["data"]["disposition"].as_str(), set["data"]["outcome"].as_str()), (Some("resolved"), Some("success")));
    assert!(events.iter().all(|e| e["event"] != "contact.created"), "only the events subscribed to");
}

async fn private_and_malformed_destinations_are_refused(engine: Engine) {
    let server = TestServer::start(engine).await;
    server.app.start_webhooks(Duration::from_millis(50));
    let admin = server.create_user(&server.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin).await;
    let crm = receiver(0).await;
    for url in [
        crm.url.as_str(),
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "https://u:p@crm.example.com/",
        // IPv6 forms that carry or stand for a local address.
        "https://[::ffff:0:7f00:1]/hook",
        "https://[2002:7f00:1::1]/hook",
        "https://[2001:0:7f00:1::1]/hook",
        "https://[fec0::1]/hook",
        "https://[64:ff9b:1::7f00:1]/hook",
    ] {
        let refused = admin.post("/api/webhooks", json!({ "url": url, "events": ["contact.created"] })).await;
        assert_eq!((refused.status, refused.code()), (422, "invalid_webhook"), "{url}: {}", refused.body);
        assert_eq!(refused.body["error"]["fields"][0]["field"], "url");
    }
    let bad = admin.post("/api/webhooks", json!({ "url": "https://crm.example.com/hook", "events": ["everything"] })).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_body"), "an event the product does not send");
    assert_eq!(admin.get("/api/webhooks").await.body, json!([]), "nothing was stored");
    // A public name is accepted; what it resolves to is checked at each delivery.
    let (hook, _) = subscribe(&admin, "https://crm.example.com/hook", json!(["contact.created"])).await;
    assert!(hook > 0);
}
