//! Access reviews: a revoked account loses access at once; a completed
//! campaign satisfies AC-07; an overdue one is escalated as an incident;
//! dormant accounts are suspended by the housekeeping.

use crate::trust::control;
use serde_json::json;
use std::time::Duration;
use trustline_domain::AuditAction;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(reviews_revoke_at_once_and_overdue_ones_escalate, a_revocation_obeys_the_rules_of_disabling);

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
    let granted = owner.put(&format!("/api/users/{}/manual-calls", ada.id.0), json!({ "allowed": true })).await;
    assert_eq!(granted.status, 204, "{}", granted.body);

    let started = owner.post("/api/access-reviews", json!({})).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let id = started.body["id"].as_i64().unwrap();
    // Each account is reviewed with its role and its right to call out, as they were at the start.
    let items = owner.get(&format!("/api/access-reviews/{id}")).await.body["items"].clone();
    let rights: Vec<(i64, &str, bool)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["user_id"].as_i64().unwrap(), i["role"].as_str().unwrap(), i["manual_calls"].as_bool().unwrap()))
        .collect();
    assert_eq!(rights, [(olive.id.0, "owner", false), (adam.id.0, "admin", false), (ada.id.0, "agent", true), (bob.id.0, "agent", false)]);
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
    assert_eq!(enabled, 1, "every account unused for 91 days is suspended but the last owner");
    let owners = server.db.raw.scalar("SELECT COUNT(*) FROM users WHERE NOT disabled AND role = 'owner'").await;
    assert_eq!(owners, 1, "the organisation keeps an enabled owner");
}

/// A revocation is a disabling: an admin cannot revoke an owner through a
/// review any more than through `/api/users/{id}/disable`, and no path
/// disables or demotes the last enabled owner.
async fn a_revocation_obeys_the_rules_of_disabling(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let olive = server.create_user(&tenant, "olive", Role::Owner, true).await;
    let otto = server.create_user(&tenant, "otto", Role::Owner, true).await;
    let adam = server.create_user(&tenant, "adam", Role::Admin, true).await;
    let owner = server.signed_in(&otto).await;
    let admin = server.signed_in(&adam).await;
    let id = admin.post("/api/access-reviews", json!({})).await.body["id"].as_i64().unwrap();
    let path = format!("/api/access-reviews/{id}/decisions");

    for (what, reply) in [
        ("review", admin.post(&path, json!({ "user_id": olive.id.0, "decision": "revoke" })).await),
        ("disable", admin.post(&format!("/api/users/{}/disable", olive.id.0), json!({})).await),
    ] {
        assert_eq!((reply.status, reply.code()), (403, "role_not_assignable"), "{what}: {}", reply.body);
    }
    assert_eq!(server.signed_in(&olive).await.get("/api/me").await.status, 200, "olive is still enabled");
    let pending = owner.get(&format!("/api/access-reviews/{id}")).await.body;
    let olives = pending["items"].as_array().unwrap().iter().find(|i| i["user_id"] == olive.id.0).unwrap().clone();
    assert_eq!(olives["decision"], "pending", "a refused revocation records nothing");

    // An owner may revoke another owner; then the last one stays, whatever the path.
    assert_eq!(owner.post(&path, json!({ "user_id": olive.id.0, "decision": "revoke" })).await.status, 204);
    let audit = server.audit(&tenant, AuditAction::UserDisable);
    let refused = server.db.store.set_user_disabled(tenant.id, otto.id, true, audit).await;
    assert!(matches!(refused, Err(trustline_store::StoreError::LastOwner)), "{refused:?}");
    let audit = server.audit(&tenant, AuditAction::UserChangeRole);
    let refused = server.db.store.set_user_role(tenant.id, otto.id, Role::Admin, audit).await;
    assert!(matches!(refused, Err(trustline_store::StoreError::LastOwner)), "{refused:?}");
    assert_eq!(owner.get("/api/me").await.status, 200, "the last owner's session survives the refused changes");
}
