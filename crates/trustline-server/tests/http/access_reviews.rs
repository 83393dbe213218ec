//! Access reviews: a revoked account loses access at once; a completed
//! campaign satisfies AC-07; an overdue one is escalated as an incident;
//! dormant accounts are suspended by the housekeeping.

use crate::trust::control;
use serde_json::json;
use std::time::Duration;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(reviews_revoke_at_once_and_overdue_ones_escalate);

async fn reviews_revoke_at_once_and_overdue_ones_escalate(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let olive = server.create_user(&tenant, "olive", Role::Owner, true).await;
    let adam = server.create_user(&tenant, "adam", Role::Admin, true).await;
    let ada = server.create_user(&tenant, "ada", Role::Agent, false).await;
    let bob = server.create_user(&tenant, "bob", Role::Agent, false).await;
    let owner = server.signed_in(&olive).await;
    let admin = server.signed_in(&adam).await;
    let bobs_session = server.signed_in(&bob).await;
    assert_eq!(control(&owner, "AC-07").await, ("FAIL".to_owned(), "no access review has been completed".to_owned()));

    let started = owner.post("/api/access-reviews", json!({})).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let id = started.body["id"].as_i64().unwrap();
    let path = format!("/api/access-reviews/{id}/decisions");
    let own = owner.post(&path, json!({ "user_id": olive.id.0, "decision": "confirm" })).await;
    assert_eq!((own.status, own.code()), (409, "own_access"));

    // Revoked: the session in use stops working at once, and signing in fails.
    assert_eq!(bobs_session.get("/api/me").await.status, 200);
    assert_eq!(owner.post(&path, json!({ "user_id": bob.id.0, "decision": "revoke" })).await.status, 204);
    assert_eq!(bobs_session.get("/api/me").await.status, 401, "the revocation took effect at once");
    let again = server.client().post("/api/session", json!({ "tenant": "acme", "username": "bob", "password": bob.password })).await;
    assert_eq!(again.status, 401);
    let twice = owner.post(&path, json!({ "user_id": bob.id.0, "decision": "confirm" })).await;
    assert_eq!((twice.status, twice.code()), (409, "already_decided"));

    for user in [&ada, &adam] {
        assert_eq!(owner.post(&path, json!({ "user_id": user.id.0, "decision": "confirm" })).await.status, 204);
    }
    assert_eq!(admin.post(&path, json!({ "user_id": olive.id.0, "decision": "confirm" })).await.status, 204);
    let shown = owner.get(&format!("/api/access-reviews/{id}")).await.body;
    assert!(shown["completed_at"].is_i64(), "{shown}");
    assert_eq!(control(&owner, "AC-07").await.0, "PASS");

    // A second campaign left unanswered past its 14 days is escalated, once.
    assert_eq!(owner.post("/api/access-reviews", json!({})).await.status, 201);
    server.clock.advance(15 * 86_400);
    server.app.start_security_housekeeping(Duration::from_millis(50));
    let owner = server.signed_in(&olive).await;
    for _ in 0..100 {
        if !owner.get("/api/incidents").await.body.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Several more passes: still one incident.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let incidents = owner.get("/api/incidents").await.body.as_array().unwrap().clone();
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    assert_eq!(incidents[0]["kind"], "access_review_overdue");
    // An edited audit table is found by the same pass: one critical incident.
    server.db.raw.execute("UPDATE audit_events SET actor = 'user:0' WHERE seq = 3").await;
    let mut kinds = Vec::new();
    for _ in 0..100 {
        let all = owner.get("/api/incidents").await.body.as_array().unwrap().clone();
        kinds = all.iter().map(|i| (i["kind"].as_str().unwrap().to_owned(), i["severity"].as_str().unwrap().to_owned())).collect();
        if kinds.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(owner.get("/api/incidents").await.body.as_array().unwrap().len(), 2, "still one per problem");
    assert!(kinds.contains(&("audit_chain_broken".to_owned(), "critical".to_owned())), "{kinds:?}");
    let (status, evidence) = control(&owner, "AC-07").await;
    assert_eq!(status, "FAIL");
    assert!(evidence.contains("past their due date"), "{evidence}");

    // Ninety-one days without a sign-in: suspended by the housekeeping.
    server.clock.advance(91 * 86_400);
    for _ in 0..100 {
        if server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'user.suspend_dormant'").await >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let enabled = server.db.raw.scalar("SELECT COUNT(*) FROM users WHERE NOT disabled").await;
    assert_eq!(enabled, 0, "every account unused for 91 days is suspended");
}
