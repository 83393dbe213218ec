//! The supplier and risk registers: entries are checked, reviews recorded,
//! and the trust center's PP-02 and PP-05 follow them both ways.

use crate::trust::control;
use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(suppliers_and_risks_are_reviewed_on_time);

async fn suppliers_and_risks_are_reviewed_on_time(engine: Engine) {
    let server = TestServer::start(engine).await;
    let olive = server.create_user(&server.tenant.clone(), "olive", Role::Owner, true).await;
    let owner = server.signed_in(&olive).await;
    assert_eq!(control(&owner, "PP-02").await, ("FAIL".to_owned(), "no supplier is registered".to_owned()));

    let bad = owner
        .post("/api/suppliers", json!({ "name": "", "service": "SIP", "certifications": [{ "kind": "iso27001", "expires_on": "soon" }] }))
        .await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_supplier"));
    let carrier = json!({
        "name": "Carrier Ltd", "service": "SIP trunks and numbers", "data_touched": "called and calling numbers",
        "certifications": [{ "kind": "iso27001", "expires_on": "2031-12-31" }]
    });
    let added = owner.post("/api/suppliers", carrier).await;
    assert_eq!(added.status, 201, "{}", added.body);
    let id = added.body["id"].as_i64().unwrap();
    let (status, evidence) = control(&owner, "PP-02").await;
    assert_eq!(status, "FAIL");
    assert!(evidence.contains("Carrier Ltd: never reviewed"), "{evidence}");
    let path = format!("/api/suppliers/{id}/reviews");
    let wrong = owner.post(&path, json!({ "outcome": "fine", "notes": "x" })).await;
    assert_eq!((wrong.status, wrong.code()), (422, "invalid_review"));
    assert_eq!(owner.post(&path, json!({ "outcome": "approved", "notes": "ISO certificate and DPA checked" })).await.status, 204);
    assert_eq!(control(&owner, "PP-02").await.0, "PASS");
    let listed = owner.get("/api/suppliers").await.body;
    assert_eq!(listed[0]["supplier"]["last_review_outcome"], "approved");

    assert_eq!(control(&owner, "PP-05").await.0, "FAIL", "no risk registered");
    let unknown = owner.post("/api/risks", json!({ "title": "Stolen agent credentials", "likelihood": 4, "impact": 5, "treatment": "mitigate", "owner_id": olive.id.0, "controls": ["ZZ-9"] })).await;
    assert_eq!((unknown.status, unknown.code()), (409, "unknown_reference"), "the catalogue has no ZZ-9");
    let risk = json!({ "title": "Stolen agent credentials", "likelihood": 4, "impact": 5, "treatment": "mitigate", "owner_id": olive.id.0, "controls": ["AC-01", "AC-04"] });
    let added = owner.post("/api/risks", risk).await;
    assert_eq!(added.status, 201, "{}", added.body);
    let risk_id = added.body["id"].as_i64().unwrap();
    assert_eq!(control(&owner, "PP-05").await.0, "PASS");
    assert_eq!(owner.get("/api/risks").await.body[0]["score"], 20);

    // A year on: the supplier's review is overdue; the high risk was due after 90 days.
    server.clock.advance(366 * 86_400);
    let owner = server.signed_in(&olive).await;
    let (status, evidence) = control(&owner, "PP-02").await;
    assert_eq!(status, "FAIL");
    assert!(evidence.contains("review overdue"), "{evidence}");
    let (status, evidence) = control(&owner, "PP-05").await;
    assert_eq!(status, "FAIL");
    assert!(evidence.contains("Stolen agent credentials"), "{evidence}");
    assert_eq!(owner.post(&format!("/api/risks/{risk_id}/reviews"), json!({ "notes": "MFA for all agents rolled out" })).await.status, 204);
    assert_eq!(control(&owner, "PP-05").await.0, "PASS");
    assert_eq!(owner.get("/api/risks").await.body[0]["review_overdue"], false);
}
