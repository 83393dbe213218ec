//! Manual calls over HTTP with the simulated carrier: those allowed type a
//! number and call it for one of their queues. The dialing rules hold as
//! for every call (do-not-contact, restriction, the calling window where the
//! number is); a refused call dials, stores and creates nothing.

use crate::dialer::{MONDAY_NOON_UTC, calls_path, log_in, wait_for};
use crate::inbound::{GENERAL, create_queue, floor, step};
use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, Reply, on_both_engines};

on_both_engines!(
    a_supervisor_calls_a_number_for_a_queue_within_the_dialing_rules,
    an_agent_calls_out_only_while_an_administrator_allows_it
);

fn code(reply: &Reply) -> (u16, Option<&str>) {
    (reply.status, reply.body["error"]["code"].as_str())
}

/// The agent hangs up, unless the simulated person already has: at the
/// floor's speed a conversation lasts about a fifth of a second.
async fn hang_up(agent: &trustline_testkit::TestClient, call: i64) {
    let hung = step(agent, call, "hangup").await;
    assert!(hung.status == 204 || code(&hung) == (409, Some("wrong_call_state")), "{}", hung.body);
}

async fn a_supervisor_calls_a_number_for_a_queue_within_the_dialing_rules(engine: Engine) {
    let f = floor(engine, 1).await;
    let care = create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let [(a0, _)] = &f.agents[..] else { unreachable!() };
    let sam = &f.sam;
    let call = |number: &str, queue: i64| sam.post("/api/agent/calls", json!({ "number": number, "queue": queue }));

    log_in(a0).await;
    assert_eq!(a0.post("/api/agent/calls", json!({ "number": "+442071838750", "queue": care })).await.status, 403, "agents may not");
    assert_eq!(code(&call("+442071838750", care).await), (409, Some("illegal_transition")), "not working");
    log_in(sam).await;
    let barred = sam.post("/api/contacts", json!({ "name": "Bob Barred", "phones": ["+442079460001"] })).await.body["id"].as_i64().unwrap();
    let consent = json!({ "kind": "do_not_contact", "value": "on", "source": "letter" });
    assert_eq!(sam.post(&format!("/api/contacts/{barred}/consent"), consent).await.status, 200);
    let contacts_before = f.server.db.raw.scalar("SELECT COUNT(*) FROM contacts").await;
    for (number, queue, expected) in [
        ("12", care, (422, Some("invalid_phone"))),
        ("+44 20 7183 8750", care, (422, Some("invalid_phone"))),
        ("+442071838750", 999_999, (409, Some("unknown_reference"))),
        ("+442079460001", care, (409, Some("not_diallable"))),
        // 04:00 in Los Angeles.
        ("+12135550147", care, (409, Some("not_diallable"))),
    ] {
        assert_eq!(code(&call(number, queue).await), expected, "{number}");
    }
    for body in [json!({ "number": "+442071838750" }), json!({ "number": "+442071838750", "queue": care, "agent": 1 })] {
        assert_eq!(code(&sam.post("/api/agent/calls", body.clone()).await), (422, Some("invalid_body")), "{body}");
    }
    let raw = &f.server.db.raw;
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM calls").await, 0, "refused calls are not placed");
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM contacts").await, contacts_before, "nor do they create contacts");
    assert_eq!(f.telephony.calls_in_progress(), 0);
    assert_eq!(sam.get("/api/agent/state").await.body["state"], "available");

    // A new number: its contact is created, the call rings at the desk and the person answers.
    let placed = call("+442071838750", care).await;
    assert_eq!(placed.status, 201, "{}", placed.body);
    let id = placed.body["call"].as_i64().unwrap();
    let work = wait_for(sam, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    assert_eq!((work["call"]["id"].as_i64(), work["call"]["direction"].as_str()), (Some(id), Some("outbound")), "{work}");
    assert_eq!(work["contact"]["phones"][0], "+442071838750", "connected, the caller sees the number they called: {work}");
    hang_up(sam, id).await;
    assert_eq!(sam.post(&format!("/api/calls/{id}/disposition"), json!({ "disposition": "resolved" })).await.status, 204);
    let placed_events = raw
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'call.place' AND details LIKE '%manual%' AND details LIKE '%\"{care}\"%'"
        ))
        .await;
    assert_eq!(placed_events, 1, "the call is audited with its queue");

    // The same number again finds the same contact; the queue's figures count no call it did not receive.
    let again = call("+442071838750", care).await;
    assert_eq!(again.status, 201, "{}", again.body);
    let second = wait_for(sam, "/api/agent/work", |w| w["call"]["state"] == "connected" && w["call"]["id"] != id).await;
    assert_eq!(second["call"]["contact_id"], work["call"]["contact_id"]);
    hang_up(sam, again.body["call"].as_i64().unwrap()).await;
    let report = sam.get(&format!("/api/reports/queues?from={}&seconds=3660", MONDAY_NOON_UTC - 60)).await.body;
    assert_eq!(report["queues"][0]["figures"]["offered"], 0, "{report}");
    let calls = sam.get(&calls_path()).await.body;
    assert_eq!(calls["calls"].as_array().unwrap().len(), 2, "{calls}");
}

/// The right to call out is an agent's own, given and taken back by an
/// administrator, each change kept; the desk offers the form by the same
/// rule the route applies, and a refused call dials nothing.
async fn an_agent_calls_out_only_while_an_administrator_allows_it(engine: Engine) {
    let f = floor(engine, 2).await;
    let care = create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let [(a0, a0_id), (a1, _)] = &f.agents[..] else { unreachable!() };
    let admin = f.server.create_user(&f.server.tenant, "ann", Role::Admin, true).await;
    let admin = f.server.signed_in(&admin).await;
    let call = json!({ "number": "+442071838750", "queue": care });
    log_in(a0).await;
    log_in(a1).await;
    let offered = |targets: &serde_json::Value| targets["call_out"].as_bool().unwrap();

    assert!(!offered(&a0.get("/api/agent/transfer-targets").await.body), "an agent is not offered the form");
    assert_eq!(code(&a0.post("/api/agent/calls", call.clone()).await), (403, Some("forbidden")));
    let shown = admin.get(&format!("/api/users/{a0_id}")).await.body;
    assert_eq!((shown["manual_calls"].as_bool(), shown["calls_out_by_role"].as_bool()), (Some(false), Some(false)), "{shown}");
    let sam_shown = admin.get("/api/users").await.body;
    let sam_row = sam_shown.as_array().unwrap().iter().find(|u| u["username"] == "sam").unwrap();
    assert_eq!(sam_row["calls_out_by_role"], true, "a supervisor calls out by role: {sam_row}");

    // Refusals change nothing: a supervisor may not grant it, nobody their own, bad bodies.
    let grant = |allowed: bool| json!({ "allowed": allowed });
    let path = format!("/api/users/{a0_id}/manual-calls");
    assert_eq!(code(&f.sam.put(&path, grant(true)).await), (403, Some("forbidden")), "supervisors may not grant it");
    let own = admin.get("/api/me").await.body["user"]["id"].as_i64().unwrap();
    assert_eq!(
        code(&admin.put(&format!("/api/users/{own}/manual-calls"), grant(true)).await),
        (409, Some("cannot_change_self")),
        "nor anyone to themselves"
    );
    for body in [json!({}), json!({ "allowed": "yes" }), json!({ "allowed": true, "queue": 1 })] {
        assert_eq!(code(&admin.put(&path, body.clone()).await), (422, Some("invalid_body")), "{body}");
    }
    assert_eq!(code(&admin.put("/api/users/999999/manual-calls", grant(true)).await).0, 404);
    let raw = &f.server.db.raw;
    let changes = "SELECT COUNT(*) FROM audit_events WHERE action = 'user.manual_calls'";
    assert_eq!(raw.scalar(changes).await, 0, "refusals are not changes");

    assert_eq!(admin.put(&path, grant(true)).await.status, 204);
    assert!(offered(&a0.get("/api/agent/transfer-targets").await.body), "allowed, the desk offers the form");
    assert!(!offered(&a1.get("/api/agent/transfer-targets").await.body), "the right is the account's own");
    assert_eq!(code(&a1.post("/api/agent/calls", call.clone()).await), (403, Some("forbidden")));
    let placed = a0.post("/api/agent/calls", call.clone()).await;
    assert_eq!(placed.status, 201, "{}", placed.body);
    let id = placed.body["call"].as_i64().unwrap();
    wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    hang_up(a0, id).await;
    assert_eq!(a0.post(&format!("/api/calls/{id}/disposition"), json!({ "disposition": "resolved" })).await.status, 204);

    // Taken back, the very next request is refused and dials nothing.
    assert_eq!(admin.put(&path, grant(false)).await.status, 204);
    let calls_before = raw.scalar("SELECT COUNT(*) FROM calls").await;
    assert_eq!(code(&a0.post("/api/agent/calls", call.clone()).await), (403, Some("forbidden")));
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM calls").await, calls_before, "a refused call is not placed");
    assert_eq!(raw.scalar(changes).await, 2, "each change is kept");
    let kept = raw
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'user.manual_calls' AND target = 'user:{a0_id}' AND details LIKE '%\"to\":\"false\"%'"
        ))
        .await;
    assert_eq!(kept, 1, "the change says what it became");
}
