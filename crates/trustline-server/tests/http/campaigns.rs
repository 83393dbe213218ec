//! Campaigns over HTTP: checked settings, the tenant's own lists, status
//! moves, and who may do what.

use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(a_campaign_is_set_up_started_paused_and_finished, bad_campaigns_are_refused_with_every_reason);

async fn a_campaign_is_set_up_started_paused_and_finished(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let supervisor = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
    let agent = server.create_user(&tenant, "ada", Role::Agent, false).await;
    let sam = server.signed_in(&supervisor).await;
    let ada = server.signed_in(&agent).await;
    let upload = sam.upload("/api/imports?list=march&region=GB", b"name,phone\nZed,020 7183 8750\n".to_vec(), "text/csv").await;
    assert_eq!(upload.status, 202, "{}", upload.body);
    let lists = sam.get("/api/lists").await;
    assert_eq!(lists.body[0]["name"], "march");

    let body = json!({
        "name": "Spring renewals",
        "mode": "predictive",
        "lists": ["march"],
        "caller_id": "+442071838700",
        "max_attempts": 3,
        "retry_delay_minutes": 90,
        "abandonment_window": "24h",
        "hours": ["mon-fri 09:00-17:30"],
        "holidays": ["2026-12-25"]
    });
    let created = sam.post("/api/campaigns", body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    let shown = ada.get(&format!("/api/campaigns/{id}")).await;
    assert_eq!(shown.status, 200, "agents see the campaigns they work");
    assert_eq!(shown.body["status"], "draft");
    assert_eq!(shown.body["settings"]["retry"], json!({ "delay_seconds": 5400, "max_attempts": 3 }));
    assert_eq!(shown.body["settings"]["abandonment"]["cap"], 0.03);
    assert_eq!(shown.body["settings"]["holidays"], json!(["2026-12-25"]));
    assert_eq!(shown.body["list_ids"].as_array().unwrap().len(), 1);
    assert_eq!(ada.post("/api/campaigns", body.clone()).await.status, 403, "agents do not set up campaigns");
    let again = sam.post("/api/campaigns", body.clone()).await;
    assert_eq!((again.status, again.code()), (409, "conflict"));

    let mut changed = body.clone();
    changed["mode"] = json!("progressive");
    assert_eq!(sam.put(&format!("/api/campaigns/{id}"), changed).await.status, 204);
    assert_eq!(sam.get("/api/campaigns").await.body[0]["settings"]["mode"], "progressive");

    let status = |to: &str| json!({ "status": to });
    let path = format!("/api/campaigns/{id}/status");
    for (to, expected) in [("running", 200), ("draft", 409), ("paused", 200), ("running", 200), ("finished", 200), ("running", 409)] {
        let reply = sam.post(&path, status(to)).await;
        assert_eq!(reply.status, expected, "to {to}: {}", reply.body);
        if expected == 409 {
            assert_eq!(reply.code(), "illegal_transition");
        }
    }
    assert_eq!(sam.post(&path, status("sleeping")).await.status, 422);
    let audited = server.db.raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE target = 'campaign:{id}'")).await;
    assert_eq!(audited, 6, "created, updated and four status moves");
    // Another tenant sees none of it.
    let beta = server.create_tenant("beta").await;
    let outsider = server.create_user(&beta, "eve", Role::Supervisor, true).await;
    assert_eq!(server.signed_in(&outsider).await.get(&format!("/api/campaigns/{id}")).await.status, 404);
}

async fn bad_campaigns_are_refused_with_every_reason(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant.clone(), "olga", Role::Owner, true).await;
    let client = server.signed_in(&owner).await;
    let reply = client
        .post(
            "/api/campaigns",
            json!({ "name": "", "mode": "turbo", "lists": ["nowhere"], "caller_id": "12", "abandonment_cap": 0.1, "hours": ["daily 9-5"] }),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (422, "invalid_campaign"));
    let fields: Vec<&str> = reply.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "mode", "caller_id", "abandonment_cap", "hours[0]"]);
    let unknown_list = client.post("/api/campaigns", json!({ "name": "x", "mode": "preview", "lists": ["nowhere"] })).await;
    assert_eq!((unknown_list.status, unknown_list.body["error"]["fields"][0]["field"].as_str()), (409, Some("lists")));
    assert_eq!(client.post("/api/campaigns", json!({ "name": "x", "mode": "preview", "lists": ["a"], "speed": 9 })).await.status, 422);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM campaigns").await, 0, "nothing was created");
}
