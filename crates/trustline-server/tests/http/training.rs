//! Security training: a person whose required course is missing or lapsed
//! is refused revealing and exporting personal data, with a clear message,
//! until a completion is recorded; the trust center follows.

use crate::trust::control;
use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(lapsed_training_blocks_reveal_and_export);

async fn lapsed_training_blocks_reveal_and_export(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let olive = server.create_user(&tenant, "olive", Role::Owner, true).await;
    let ada = server.create_user(&tenant, "ada", Role::Agent, false).await;
    let owner = server.signed_in(&olive).await;
    let agent = server.signed_in(&ada).await;
    let created = owner.post("/api/contacts", json!({ "name": "Grace Hopper", "phones": ["+442071838750"] })).await;
    let contact = created.body["id"].as_i64().unwrap();
    let reveal = format!("/api/contacts/{contact}/reveal");
    let export = format!("/api/contacts/{contact}/export");

    // No course is required yet: nothing is blocked.
    assert_eq!(agent.post(&reveal, json!({ "reason": "customer called back" })).await.status, 200);
    let bad = owner.post("/api/training/courses", json!({ "title": " ", "validity_days": 0 })).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_course"));
    let course = owner.post("/api/training/courses", json!({ "title": "Protecting personal data", "validity_days": 365 })).await;
    assert_eq!(course.status, 201, "{}", course.body);
    let course = course.body["id"].as_i64().unwrap();

    let refused = agent.post(&reveal, json!({ "reason": "customer called back" })).await;
    assert_eq!((refused.status, refused.code()), (403, "training_lapsed"));
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("Protecting personal data"), "{}", refused.body);
    let refused = owner.get(&export).await;
    assert_eq!((refused.status, refused.code()), (403, "training_lapsed"), "exports too, whatever the role");
    assert_eq!(agent.get(&format!("/api/contacts/{contact}")).await.status, 200, "masked views stay open");
    let denied =
        server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND details LIKE '%training_lapsed%'").await;
    assert_eq!(denied, 2, "each refusal is audited");
    assert_eq!(agent.get("/api/training/me").await.body["current"], false);
    let (status, evidence) = control(&owner, "PP-01").await;
    assert_eq!(status, "FAIL");
    assert!(evidence.contains("ada"), "{evidence}");

    // Completions recorded by the coordinator lift the block at once.
    let path = format!("/api/training/courses/{course}/completions");
    let future = owner.post(&path, json!({ "user_id": ada.id.0, "completed_at": 2_000_000_000 })).await;
    assert_eq!((future.status, future.code()), (422, "invalid_completion"));
    assert_eq!(owner.post(&path, json!({ "user_id": 999_999 })).await.status, 404);
    for user in [&ada, &olive] {
        assert_eq!(owner.post(&path, json!({ "user_id": user.id.0 })).await.status, 204);
    }
    assert_eq!(agent.post(&reveal, json!({ "reason": "customer called back" })).await.status, 200);
    assert_eq!(owner.get(&export).await.status, 200);
    let status = owner.get("/api/training/status").await.body;
    assert!(status.as_array().unwrap().iter().all(|s| s["current"] == true), "{status}");
    let (status, evidence) = control(&owner, "PP-01").await;
    assert_eq!(status, "PASS", "{evidence}");

    // A year and a day later the completion has lapsed.
    server.clock.advance(366 * 86_400);
    let agent = server.signed_in(&ada).await;
    let refused = agent.post(&reveal, json!({ "reason": "customer called back" })).await;
    assert_eq!((refused.status, refused.code()), (403, "training_lapsed"));
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("lapsed 1 days ago"), "{}", refused.body);
}
