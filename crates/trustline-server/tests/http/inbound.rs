//! Inbound calls over HTTP with the simulated carrier: queues and skills
//! are set through the API, callers ring in, and the switchboard routes
//! them by skills, queue priority and overflow; callers who wait too long
//! abandon or take a callback and are called back; closed queues take no
//! calls; each queue's figures add up. A queue may have calls ring at the
//! agent's desk until accepted; declined or missed, they go back to the
//! queue and the agent is set aside.

use crate::agents::live::read_until;
use crate::dialer::{MONDAY_NOON_UTC, calls_path, everyone_answers, log_in, wait_for};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use trustline_domain::AuditAction;
use trustline_domain::Role;
use trustline_telephony::{Caller, SimulatedTelephony, TrunkOwner};
use trustline_testkit::{Engine, Reply, TestClient, TestServer, on_both_engines};

on_both_engines!(
    calls_follow_skills_priority_and_overflow,
    calls_ring_at_the_desk_until_accepted_declined_or_missed,
    a_conversation_goes_on_hold_and_back,
    the_dial_pad_plays_keys_to_the_caller_and_refuses_anything_else,
    a_supervisor_monitors_a_conversation_and_it_is_kept_on_the_call,
    callers_abandon_take_callbacks_or_find_the_queue_closed,
    queues_and_skills_refuse_bad_input,
    a_queue_answers_only_its_own_tenants_numbers,
    a_caller_calling_back_comes_with_earlier_calls_and_notes
);

/// The second time a caller rings, the agent sees the first call in words
/// (the disposition's label, who took it) and the note left on it; notes
/// only while the caller is shown in full.
async fn a_caller_calling_back_comes_with_earlier_calls_and_notes(engine: Engine) {
    let f = floor(engine, 1).await;
    let dispositions = json!([{ "code": "resolved", "label": "Resolved on the call", "outcome": "success" }]);
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL, "dispositions": dispositions })).await;
    let [(a0, _)] = &f.agents[..] else { unreachable!() };
    log_in(a0).await;
    f.telephony.ring_in(GENERAL, Some("+442079460501"), PATIENT).await.unwrap();
    let first = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    assert_eq!((&first["history"], &first["notes"]), (&json!([]), &json!([])), "{first}");
    let call = first["call"]["id"].as_i64().unwrap();
    assert_eq!(a0.post(&format!("/api/calls/{call}/hangup"), json!({})).await.status, 204);
    let path = format!("/api/calls/{call}/disposition");
    assert_eq!(a0.post(&path, json!({ "disposition": "resolved", "note": "Wants paper bills" })).await.status, 204);
    f.server.clock.advance(600);
    f.telephony.ring_in(GENERAL, Some("+442079460501"), PATIENT).await.unwrap();
    let second = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "connected" && w["call"]["id"] != call).await;
    let earlier = &second["history"][0];
    assert_eq!((&earlier["disposition_label"], &earlier["agent"]), (&json!("Resolved on the call"), &json!("Test agent0")), "{second}");
    assert_eq!((&second["notes"][0]["text"], &second["notes"][0]["author"]), (&json!("Wants paper bills"), &json!("Test agent0")));
}

pub(crate) const GENERAL: &str = "+442079460992";
pub(crate) const BILLING: &str = "+442079460990";
const VIP: &str = "+442079460991";

/// Holds for hours and talks until the agent hangs up.
pub(crate) const PATIENT: Caller = Caller { patience_ms: 36_000_000, talk_ms: 36_000_000, accepts_callback: false };

pub(crate) struct Floor {
    pub server: TestServer,
    pub sam: TestClient,
    pub agents: Vec<(TestClient, i64)>,
    pub telephony: Arc<SimulatedTelephony>,
}

pub(crate) async fn floor(engine: Engine, agents: usize) -> Floor {
    let server = TestServer::start(engine).await;
    server.clock.advance(MONDAY_NOON_UTC - 1_900_000_000);
    let tenant = server.tenant.clone();
    let sam = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
    let sam = server.signed_in(&sam).await;
    let mut clients = Vec::new();
    for i in 0..agents {
        let user = server.create_user(&tenant, &format!("agent{i}"), Role::Agent, false).await;
        clients.push((server.signed_in(&user).await, user.id.0));
    }
    server.assign_numbers(&tenant, &[GENERAL, BILLING, VIP, "+442079460993", "+442079460994"]).await;
    let telephony = server.start_engine(everyone_answers(), 100.0);
    Floor { server, sam, agents: clients, telephony }
}

pub(crate) async fn create_queue(sam: &TestClient, settings: Value) -> i64 {
    let created = sam.post("/api/queues", settings).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_i64().unwrap()
}

fn queue<'a>(queues: &'a Value, name: &str) -> &'a Value {
    queues.as_array().unwrap().iter().find(|q| q["name"] == name).unwrap()
}

async fn calls_follow_skills_priority_and_overflow(engine: Engine) {
    let f = floor(engine, 3).await;
    let sam = &f.sam;
    let known = sam.post("/api/contacts", json!({ "name": "Ada Lovelace", "phones": ["+442071838750"] })).await;
    assert_eq!(known.status, 201, "{}", known.body);
    create_queue(sam, json!({ "name": "General", "number": GENERAL, "priority": 1 })).await;
    let billing = json!({
        "name": "Billing", "number": BILLING, "priority": 5, "skills": { "billing": 3 },
        "overflow_after_seconds": 30, "overflow_to": "General", "script": "Thank you for calling billing."
    });
    create_queue(sam, billing).await;
    create_queue(sam, json!({ "name": "VIP", "number": VIP, "priority": 9, "skills": { "french": 5 } })).await;
    let [(a0, a0_id), (a1, a1_id), (a2, _)] = &f.agents[..] else { unreachable!() };
    for (id, skills) in [(a0_id, json!({ "billing": 5 })), (a1_id, json!({ "french": 6 }))] {
        assert_eq!(sam.put(&format!("/api/agents/{id}/skills"), json!({ "skills": skills })).await.status, 204);
    }
    let skills = sam.get("/api/skills").await.body;
    assert_eq!(skills.as_array().unwrap().len(), 2, "{skills}");

    // Three callers wait, nobody is logged in: a newcomer to VIP, Ada to General, a newcomer to Billing.
    for (name, to, from) in [("VIP", VIP, "+442079460101"), ("General", GENERAL, "+442071838750"), ("Billing", BILLING, "+442079460102")] {
        f.telephony.ring_in(to, Some(from), PATIENT).await.unwrap();
        wait_for(sam, "/api/queues", |q| queue(q, name)["waiting"] == 1).await;
        f.server.clock.advance(1);
    }
    let queues = sam.get("/api/queues").await.body;
    assert_eq!(queue(&queues, "VIP")["longest_wait_seconds"], 3, "the wallboard shows the longest wait");
    // The live stream starts with the queues and their waiting calls, then follows each call.
    let mut live = sam.http.get(sam.url("/api/live")).send().await.unwrap();
    let snapshot = read_until(&mut live, "\n\n").await;
    let snapshot: Value = serde_json::from_str(snapshot.split("data: ").nth(1).unwrap().trim()).unwrap();
    assert_eq!(snapshot["queues"].as_array().unwrap().len(), 3);
    assert_eq!(snapshot["waiting"].as_array().unwrap().len(), 3, "{snapshot}");

    // The billing agent also serves General (no skills needed) but takes Billing: higher priority.
    log_in(a0).await;
    let work = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    assert_eq!(work["queue"]["name"], "Billing");
    let event = read_until(&mut live, r#""state":"connected""#).await;
    assert!(event.contains("event: call") && event.contains(&format!(r#""queue_id":{}"#, work["queue"]["id"])), "{event}");
    assert_eq!(work["queue"]["script"], "Thank you for calling billing.");
    assert_eq!(work["call"]["direction"], "inbound");
    assert_eq!(work["contact"]["masked"], false, "the connected agent sees the caller");
    assert_eq!(work["contact"]["name"], "New caller", "a new number becomes a contact");
    assert_eq!(work["contact"]["phones"][0], "+442079460102");
    // The agent without skills serves General only.
    log_in(a2).await;
    let work = wait_for(a2, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    assert_eq!((work["queue"]["name"].as_str(), work["contact"]["name"].as_str()), (Some("General"), Some("Ada Lovelace")));
    let queues = sam.get("/api/queues").await.body;
    assert_eq!(queue(&queues, "VIP")["waiting"], 1, "nobody with French 5 yet");
    log_in(a1).await;
    let work = wait_for(a1, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    assert_eq!(work["queue"]["name"], "VIP");

    // Overflow: a billing caller waits for billing agents only, until 30 s have passed.
    f.telephony.ring_in(BILLING, Some("+442079460103"), PATIENT).await.unwrap();
    wait_for(sam, "/api/queues", |q| queue(q, "Billing")["waiting"] == 1).await;
    let general_call = a2.get("/api/agent/work").await.body["call"]["id"].as_i64().unwrap();
    assert_eq!(a2.post(&format!("/api/calls/{general_call}/hangup"), json!({})).await.status, 204);
    let path = format!("/api/calls/{general_call}/disposition");
    let wrong = a2.post(&path, json!({ "disposition": "success" })).await;
    assert_eq!((wrong.status, wrong.code()), (409, "unknown_reference"), "the queue's dispositions, not a campaign's");
    assert!(wrong.body["error"]["message"].as_str().unwrap().contains("resolved"), "{}", wrong.body);
    assert_eq!(a2.post(&path, json!({ "disposition": "resolved", "note": "Address changed" })).await.status, 204);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(a2.get("/api/agent/work").await.body["call"], Value::Null, "billing calls do not reach agent2 yet");
    f.server.clock.advance(31);
    let work = wait_for(a2, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    assert_eq!(work["queue"]["name"], "Billing", "overflowed to General's agent");

    let count = |action: &'static str| {
        let raw = f.server.db.raw.clone();
        async move { raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await }
    };
    assert_eq!(count("call.arrive").await, 4);
    assert_eq!(count("call.connect").await, 4, "each connection, where an agent first sees the caller, is audited");
    assert_eq!(count("contact.create").await, 4, "Ada was created by the test; three new numbers called");
}

async fn agent_state(agent: &TestClient) -> (String, Option<String>) {
    let state = agent.get("/api/agent/state").await.body;
    (state["state"].as_str().unwrap().to_owned(), state["reason"].as_str().map(str::to_owned))
}

async fn calls_ring_at_the_desk_until_accepted_declined_or_missed(engine: Engine) {
    let f = floor(engine, 2).await;
    let sam = &f.sam;
    let care = json!({ "name": "Care", "number": GENERAL, "answer_within_seconds": 15 });
    create_queue(sam, care).await;
    let [(a0, _), (a1, _)] = &f.agents[..] else { unreachable!() };
    log_in(a0).await;
    f.telephony.ring_in(GENERAL, Some("+442079460301"), PATIENT).await.unwrap();

    // The call rings at the agent's desk: masked caller, 15 s to answer; the caller still waits.
    let work = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "offered").await;
    let call = work["call"]["id"].as_i64().unwrap();
    assert_eq!((work["call"]["direction"].as_str(), work["answer_within"].as_i64()), (Some("inbound"), Some(15)), "{work}");
    assert_eq!(work["contact"]["masked"], true, "nobody sees the caller before taking the call");
    assert_eq!(agent_state(a0).await.0, "reserved");
    assert_eq!(queue(&sam.get("/api/queues").await.body, "Care")["waiting"], 1, "the caller still waits");
    let dial = a0.post(&format!("/api/calls/{call}/dial"), json!({})).await;
    assert_eq!(
        (dial.status, dial.body["error"]["code"].as_str()),
        (409, Some("wrong_call_state")),
        "an incoming call is not dialled: {}",
        dial.body
    );

    // Declined: back in the queue, and the agent is set aside until they are back.
    assert_eq!(a0.post(&format!("/api/calls/{call}/decline"), json!({})).await.status, 204);
    assert_eq!(agent_state(a0).await, ("break".to_owned(), Some("declined a call".to_owned())));
    assert_eq!(a0.get("/api/agent/work").await.body["call"], Value::Null);
    assert_eq!(a0.post(&format!("/api/calls/{call}/accept"), json!({})).await.status, 404, "no longer theirs");

    // The next agent lets it ring out: 15 s later it is back in the queue and they are set aside.
    log_in(a1).await;
    let work = wait_for(a1, "/api/agent/work", |w| w["call"]["state"] == "offered").await;
    assert_eq!(work["call"]["id"], call);
    f.server.clock.advance(14);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(agent_state(a1).await.0, "reserved", "not before its time");
    f.server.clock.advance(1);
    wait_for(a1, "/api/agent/state", |s| s["state"] == "break" && s["reason"] == "missed a call").await;

    // Back from the break, the first agent takes it.
    assert_eq!(a0.post("/api/agent/state", json!({ "event": "end_break" })).await.status, 200);
    let work = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "offered").await;
    assert_eq!(work["call"]["id"], call);
    assert_eq!(a0.post(&format!("/api/calls/{call}/accept"), json!({})).await.status, 204);
    let work = a0.get("/api/agent/work").await.body;
    assert_eq!((work["call"]["state"].as_str(), &work["contact"]["masked"]), (Some("connected"), &json!(false)), "{work}");
    assert_eq!(work["answer_within"], Value::Null);
    let again = a0.post(&format!("/api/calls/{call}/accept"), json!({})).await;
    assert_eq!(again.status, 409, "{}", again.body);
    let raw = &f.server.db.raw;
    for (action, times) in [("call.offer", 3), ("call.decline", 1), ("call.unanswered", 1), ("call.accept", 1)] {
        assert_eq!(raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await, times, "{action}");
    }

    // A caller who hangs up while it rings at the desk abandons; the agent is free again.
    assert_eq!(a1.post("/api/agent/state", json!({ "event": "end_break" })).await.status, 200);
    let leaves = Caller { patience_ms: 300_000, ..PATIENT };
    f.telephony.ring_in(GENERAL, Some("+442079460302"), leaves).await.unwrap();
    let work = wait_for(a1, "/api/agent/work", |w| w["call"]["state"] == "offered").await;
    let gone = work["call"]["id"].as_i64().unwrap();
    let calls =
        wait_for(sam, &calls_path(), |c| c["calls"].as_array().unwrap().iter().any(|c| c["id"] == gone && c["state"] == "done")).await;
    let gone = calls["calls"].as_array().unwrap().iter().find(|c| c["id"] == gone).unwrap().clone();
    assert_eq!(gone["result"], "abandoned", "{gone}");
    assert_eq!(agent_state(a1).await.0, "available");
    let refused = sam.post("/api/queues", json!({ "name": "Slow", "number": BILLING, "answer_within_seconds": 600 })).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.to_string().contains("answer_within_seconds"), "{}", refused.body);
}

/// An agent's step on a call (`hold`, `resume`, `hangup`…).
pub(crate) async fn step(agent: &TestClient, call: i64, what: &str) -> Reply {
    agent.post(&format!("/api/calls/{call}/{what}"), json!({})).await
}

async fn a_conversation_goes_on_hold_and_back(engine: Engine) {
    let f = floor(engine, 2).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let [(a0, _), (a1, _)] = &f.agents[..] else { unreachable!() };
    log_in(a0).await;
    f.telephony.ring_in(GENERAL, Some("+442079460401"), PATIENT).await.unwrap();
    let work = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    let call = work["call"]["id"].as_i64().unwrap();

    assert_eq!(step(a0, call, "resume").await.status, 409, "not on hold");
    assert_eq!(step(a1, call, "hold").await.status, 404, "not their call");
    assert_eq!(step(a0, call, "hold").await.status, 204);
    let held = a0.get("/api/agent/work").await.body;
    assert_eq!(
        (held["call"]["state"].as_str(), held["call"]["held_since"].as_i64()),
        (Some("connected"), work["call"]["connected_at"].as_i64()),
        "{held}"
    );
    let twice = step(a0, call, "hold").await;
    assert_eq!(twice.status, 409);
    assert!(twice.body["error"]["message"].as_str().unwrap().contains("on hold already"), "{}", twice.body);
    f.server.clock.advance(30);
    assert_eq!(step(a0, call, "resume").await.status, 204);
    let back = a0.get("/api/agent/work").await.body;
    assert_eq!((&back["call"]["held_since"], back["call"]["hold_seconds"].as_i64()), (&Value::Null, Some(30)), "{back}");

    // Hung up while on hold: the hold time so far still counts.
    assert_eq!(step(a0, call, "hold").await.status, 204);
    f.server.clock.advance(10);
    assert_eq!(step(a0, call, "hangup").await.status, 204);
    let ended = a0.get("/api/agent/work").await.body;
    assert_eq!((ended["call"]["state"].as_str(), ended["call"]["hold_seconds"].as_i64()), (Some("wrap_up"), Some(40)), "{ended}");
    assert_eq!(&ended["call"]["held_since"], &Value::Null);
    assert_eq!(step(a0, call, "hold").await.status, 409, "only a conversation is held");
    assert_eq!(a0.post(&format!("/api/calls/{call}/disposition"), json!({ "disposition": "resolved" })).await.status, 204);
    let period = format!("from={}&seconds=3660", MONDAY_NOON_UTC - 60);
    let report = f.sam.get(&format!("/api/reports/queues?{period}")).await.body;
    assert_eq!(report["queues"][0]["figures"]["average_hold_seconds"], 40.0, "{report}");
    let csv = f.sam.get(&format!("/api/reports/queues?{period}&format=csv")).await.text;
    assert!(csv.lines().next().unwrap().ends_with(",average_hold_seconds") && csv.lines().nth(1).unwrap().ends_with(",40.0"), "{csv}");
    let raw = &f.server.db.raw;
    for (action, times) in [("call.hold", 2), ("call.resume", 1)] {
        assert_eq!(raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await, times, "{action}");
    }
}

async fn the_dial_pad_plays_keys_to_the_caller_and_refuses_anything_else(engine: Engine) {
    let f = floor(engine, 2).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let [(a0, _), (a1, _)] = &f.agents[..] else { unreachable!() };
    log_in(a0).await;
    let leg = f.telephony.ring_in(GENERAL, Some("+442079460402"), PATIENT).await.unwrap();
    let work = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    let call = work["call"]["id"].as_i64().unwrap();
    let path = format!("/api/calls/{call}/keys");

    assert_eq!(a0.post(&path, json!({ "keys": "12#" })).await.status, 204);
    for (body, code) in [
        (json!({ "keys": "" }), "invalid_keys"),
        (json!({ "keys": "12x" }), "invalid_keys"),
        (json!({ "keys": "1".repeat(33) }), "invalid_keys"),
        (json!({ "keys": 5 }), "invalid_body"),
        (json!({ "keys": "1", "digits": "2" }), "invalid_body"),
    ] {
        let refused = a0.post(&path, body.clone()).await;
        assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (422, Some(code)), "{body}: {}", refused.body);
    }
    assert_eq!(a1.post(&path, json!({ "keys": "9" })).await.status, 404, "not their call");
    assert_eq!(f.telephony.keys_heard(leg).as_deref(), Some("12#"), "refused keys play nothing");
    assert_eq!(step(a0, call, "hangup").await.status, 204);
    assert_eq!(a0.post(&path, json!({ "keys": "3" })).await.status, 409, "only a conversation takes keys");
}

async fn a_supervisor_monitors_a_conversation_and_it_is_kept_on_the_call(engine: Engine) {
    let f = floor(engine, 2).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let [(a0, id0), (a1, id1)] = &f.agents[..] else { unreachable!() };
    let monitor = |agent: i64| format!("/api/agents/{agent}/monitor");
    let code = |reply: &Reply| (reply.status, reply.body["error"]["code"].as_str().map(str::to_owned));
    assert_eq!(
        code(&f.sam.post(&monitor(*id0), json!({ "mode": "listen" })).await),
        (409, Some("wrong_call_state".into())),
        "not on a call"
    );

    log_in(a0).await;
    let leg = f.telephony.ring_in(GENERAL, Some("+442079460403"), PATIENT).await.unwrap();
    let work = wait_for(a0, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    let call = work["call"]["id"].as_i64().unwrap();
    assert!(work.get("monitoring").is_some_and(|m| m == &json!([])), "nobody monitors yet: {work}");

    let sam_id = f.sam.get("/api/session").await.body["user"]["id"].as_i64().unwrap();
    let started = f.sam.post(&monitor(*id0), json!({ "mode": "listen" })).await;
    assert_eq!((started.status, started.body["call"].as_i64()), (200, Some(call)), "{}", started.body);
    let as_supervisor = |mode| Some((trustline_domain::UserId(sam_id), mode));
    assert_eq!(f.telephony.monitor_of(leg), as_supervisor(trustline_telephony::MonitorMode::Listen));
    assert_eq!(f.sam.post(&monitor(*id0), json!({ "mode": "whisper" })).await.status, 200);
    assert_eq!(f.telephony.monitor_of(leg), as_supervisor(trustline_telephony::MonitorMode::Whisper));

    // Refused: agents, bad modes, an agent of nobody's, an idle agent; none changes the monitoring.
    assert_eq!(a1.post(&monitor(*id0), json!({ "mode": "listen" })).await.status, 403);
    assert_eq!(code(&f.sam.post(&monitor(*id0), json!({ "mode": "spy" })).await), (422, Some("invalid_body".into())));
    assert_eq!(code(&f.sam.post(&monitor(*id0), json!({})).await), (422, Some("invalid_body".into())));
    assert_eq!(f.sam.post(&monitor(999_999), json!({ "mode": "listen" })).await.status, 404);
    assert_eq!(code(&f.sam.post(&monitor(*id1), json!({ "mode": "listen" })).await), (409, Some("wrong_call_state".into())));
    assert_eq!(f.telephony.monitor_of(leg), as_supervisor(trustline_telephony::MonitorMode::Whisper));

    assert_eq!(f.sam.post(&monitor(*id0), json!({ "mode": "barge" })).await.status, 200);
    assert_eq!(f.sam.delete(&monitor(*id0)).await.status, 204);
    assert_eq!(f.telephony.monitor_of(leg), None);
    let seen = a0.get("/api/agent/work").await.body;
    let modes: Vec<&str> = seen["monitoring"].as_array().unwrap().iter().map(|line| line["mode"].as_str().unwrap()).collect();
    assert_eq!(modes, ["listen", "whisper", "barge", "stop"], "{seen}");
    assert_eq!(seen["monitoring"][0]["supervisor"], "Test sam", "{seen}");
    let raw = &f.server.db.raw;
    let kept = raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = 'call.monitor' AND target = 'call:{call}'")).await;
    assert_eq!(kept, 4, "each start, change and stop is audited on the call, and nothing refused");

    // A supervisor is on one call at a time: joining another takes them off the first, kept on both calls.
    log_in(a1).await;
    let other_leg = f.telephony.ring_in(GENERAL, Some("+442079460404"), PATIENT).await.unwrap();
    let other = wait_for(a1, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    let other_call = other["call"]["id"].as_i64().unwrap();
    assert_eq!(f.sam.post(&monitor(*id0), json!({ "mode": "listen" })).await.status, 200);
    assert_eq!(f.sam.post(&monitor(*id1), json!({ "mode": "listen" })).await.status, 200);
    assert_eq!(f.telephony.monitor_of(leg), None, "off the first call");
    assert_eq!(f.telephony.monitor_of(other_leg), as_supervisor(trustline_telephony::MonitorMode::Listen));
    let first = a0.get("/api/agent/work").await.body;
    let modes: Vec<&str> = first["monitoring"].as_array().unwrap().iter().map(|line| line["mode"].as_str().unwrap()).collect();
    assert_eq!(modes, ["listen", "whisper", "barge", "stop", "listen", "stop"], "{first}");
    assert_eq!(step(a1, other_call, "hangup").await.status, 204);

    // A call has one supervisor at a time: another joining replaces the first, whose stop is kept.
    let sue = f.server.create_user(&f.server.tenant, "sue", Role::Supervisor, true).await;
    let sue = f.server.signed_in(&sue).await;
    assert_eq!(f.sam.post(&monitor(*id0), json!({ "mode": "listen" })).await.status, 200);
    assert_eq!(sue.post(&monitor(*id0), json!({ "mode": "whisper" })).await.status, 200);
    let seen = a0.get("/api/agent/work").await.body;
    let lines: Vec<(&str, &str)> = seen["monitoring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| (line["supervisor"].as_str().unwrap_or_default(), line["mode"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(lines[lines.len() - 3..], [("Test sam", "listen"), ("Test sam", "stop"), ("Test sue", "whisper")], "{seen}");
    assert_eq!(sue.delete(&monitor(*id0)).await.status, 204);

    // Monitoring ends with the conversation.
    assert_eq!(f.sam.post(&monitor(*id0), json!({ "mode": "listen" })).await.status, 200);
    assert_eq!(step(a0, call, "hangup").await.status, 204);
    assert_eq!(f.telephony.monitor_of(leg), None);
}

async fn callers_abandon_take_callbacks_or_find_the_queue_closed(engine: Engine) {
    let f = floor(engine, 1).await;
    let sam = &f.sam;
    let care = create_queue(sam, json!({ "name": "Care", "number": "+442079460993", "callback_after_seconds": 10 })).await;
    let weekend = json!({ "name": "Weekend", "number": "+442079460994", "hours": ["sat-sun 10:00-16:00"], "time_zone": "Europe/London" });
    create_queue(sam, weekend).await;

    // Nobody serves Care: the first caller is offered a callback and takes it.
    let takes_callback = Caller { accepts_callback: true, ..PATIENT };
    f.telephony.ring_in("+442079460993", Some("+442079460201"), takes_callback).await.unwrap();
    wait_for(sam, "/api/queues", |q| queue(q, "Care")["callbacks_waiting"] == 1 && queue(q, "Care")["waiting"] == 0).await;
    // The second declines, then hangs up after 5 s on hold.
    let impatient = Caller { patience_ms: 5_000, ..PATIENT };
    f.telephony.ring_in("+442079460993", Some("+442079460202"), impatient).await.unwrap();
    wait_for(sam, &calls_path(), |c| c["calls"].as_array().unwrap().iter().any(|c| c["result"] == "abandoned")).await;
    // It is Monday: the weekend line is closed. A number no queue has is refused outright.
    f.telephony.ring_in("+442079460994", Some("+442079460203"), PATIENT).await.unwrap();
    wait_for(sam, &calls_path(), |c| c["calls"].as_array().unwrap().iter().any(|c| c["result"] == "closed")).await;
    f.telephony.ring_in("+442079469999", Some("+442079460204"), PATIENT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sam.get(&calls_path()).await.body["calls"].as_array().unwrap().len(), 3);

    // An agent logs in: the caller who took the callback is called back.
    let (agent, _) = &f.agents[0];
    log_in(agent).await;
    let work = wait_for(agent, "/api/agent/work", |w| w["call"]["state"] == "wrap_up").await;
    assert_eq!(work["queue"]["id"], care);
    assert_eq!(work["contact"]["phones"][0], "+442079460201");
    let call = work["call"]["id"].as_i64().unwrap();
    assert_eq!(agent.post(&format!("/api/calls/{call}/disposition"), json!({ "disposition": "resolved" })).await.status, 204);

    let period = format!("from={}&seconds=3660", MONDAY_NOON_UTC - 60);
    let report = sam.get(&format!("/api/reports/queues?{period}")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let figures = |name: &str| report.body["queues"].as_array().unwrap().iter().find(|q| q["queue"] == name).unwrap()["figures"].clone();
    let care = figures("Care");
    assert_eq!(
        (&care["offered"], &care["answered"], &care["abandoned"], &care["callbacks"], &care["conversions"]),
        (&json!(2), &json!(0), &json!(1), &json!(1), &json!(1)),
        "{care}"
    );
    assert_eq!(care["service_level"], Value::Null, "the 5 s abandon was early; the callback is outside the service level");
    assert_eq!(figures("Weekend")["closed"], 1);
    let csv = sam.get(&format!("/api/reports/queues?{period}&format=csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.lines().nth(1).unwrap().contains(",\"Care\",2,0,1,"), "{}", csv.text);
    let exported = f.server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'report.export'").await;
    assert_eq!(exported, 1, "the CSV export is audited");
}

async fn queues_and_skills_refuse_bad_input(engine: Engine) {
    let f = floor(engine, 1).await;
    let sam = &f.sam;
    let bad = sam.post("/api/queues", json!({ "name": "", "number": "0207", "strategy": "random", "priority": 0 })).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_queue"));
    let fields: Vec<&str> = bad.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "number", "priority", "strategy"]);
    let orphan =
        sam.post("/api/queues", json!({ "name": "A", "number": GENERAL, "overflow_after_seconds": 5, "overflow_to": "Nowhere" })).await;
    assert_eq!((orphan.status, orphan.code()), (409, "unknown_reference"));
    let itself = sam.post("/api/queues", json!({ "name": "A", "number": GENERAL, "overflow_after_seconds": 5, "overflow_to": "A" })).await;
    assert_eq!((itself.status, itself.code()), (409, "unknown_reference"), "a queue does not overflow to itself");
    let alerts = json!({ "longest_wait_seconds": { "amber": 60, "red": 3601 }, "service_level": { "amber": 1.5, "red": 0.9 } });
    let beyond = sam.post("/api/queues", json!({ "name": "A", "number": GENERAL, "alerts": alerts })).await;
    assert_eq!((beyond.status, beyond.code()), (422, "invalid_queue"), "{}", beyond.body);
    let fields: Vec<&str> = beyond.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["alerts.longest_wait_seconds", "alerts.service_level"], "levels stay within their ranges");
    let unknown = sam.post("/api/queues", json!({ "name": "A", "number": GENERAL, "colour": "red" })).await;
    assert_eq!(unknown.status, 422, "unknown fields are refused: {}", unknown.body);
    let id = create_queue(sam, json!({ "name": "A", "number": GENERAL })).await;
    let taken = sam.post("/api/queues", json!({ "name": "B", "number": GENERAL })).await;
    assert_eq!((taken.status, taken.code()), (409, "queue_taken"), "a number reaches one queue");
    let renamed = sam.put(&format!("/api/queues/{id}"), json!({ "name": "A2", "number": GENERAL, "priority": 3 })).await;
    assert_eq!(renamed.status, 204, "{}", renamed.body);
    let shown = sam.get(&format!("/api/queues/{id}")).await.body;
    assert_eq!((shown["name"].as_str(), shown["settings"]["priority"].as_i64()), (Some("A2"), Some(3)));
    assert_eq!(sam.get("/api/queues/999999").await.status, 404);

    let (_, agent_id) = &f.agents[0];
    let path = format!("/api/agents/{agent_id}/skills");
    let bad = sam.put(&path, json!({ "skills": { "Billing": 0 } })).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_skills"));
    assert_eq!(sam.put("/api/agents/999999/skills", json!({ "skills": {} })).await.status, 404);
    assert_eq!(sam.get("/api/skills").await.body, json!([]), "refused input changed nothing");
}

/// Any supervisor once claimed any unused number, and a taken number's 409
/// told them another tenant had it. Numbers are the operator's inventory:
/// a queue answers only a number assigned to its tenant, and another
/// tenant's number is refused exactly like one assigned to nobody.
async fn a_queue_answers_only_its_own_tenants_numbers(engine: Engine) {
    let f = floor(engine, 0).await;
    create_queue(&f.sam, json!({ "name": "General", "number": GENERAL })).await;
    let beta = f.server.create_tenant("beta").await;
    let rival = f.server.signed_in(&f.server.create_user(&beta, "rival", Role::Supervisor, true).await).await;
    let unassigned = "+442079460999";
    let mut answers = Vec::new();
    for number in [GENERAL, BILLING, unassigned] {
        let refused = rival.post("/api/queues", json!({ "name": "Mine", "number": number })).await;
        answers.push((refused.status, refused.code().to_owned(), refused.body["error"]["message"].clone()));
    }
    assert_eq!(answers[0].1, "number_not_assigned", "{answers:?}");
    assert!(answers.iter().all(|a| *a == answers[0]), "another tenant's numbers, used or not, look like nobody's: {answers:?}");
    f.server.assign_numbers(&beta, &[unassigned]).await;
    let own = create_queue(&rival, json!({ "name": "Mine", "number": unassigned })).await;
    let moved = rival.put(&format!("/api/queues/{own}"), json!({ "name": "Mine", "number": GENERAL })).await;
    assert_eq!((moved.status, moved.code()), (409, "number_not_assigned"));
    let queues = f.server.db.raw.scalar("SELECT COUNT(*) FROM queues WHERE number = '+442079460992'").await;
    assert_eq!(queues, 1, "acme's queue alone answers its number");

    let listed = rival.get("/api/inbound-numbers").await.body;
    assert_eq!(listed, json!([{ "number": unassigned, "queue": "Mine", "assigned_at": listed[0]["assigned_at"] }]), "its own numbers only");
    let store = &f.server.db.store;
    let in_use = store.release_number(beta.id, unassigned, f.server.audit(&beta, AuditAction::NumberRelease)).await;
    assert!(matches!(in_use, Err(trustline_store::StoreError::NumberInUse)), "{in_use:?}");
    let foreign = store.release_number(beta.id, GENERAL, f.server.audit(&beta, AuditAction::NumberRelease)).await;
    assert!(matches!(foreign, Err(trustline_store::StoreError::NotFound)), "{foreign:?}");
    let numbers = store.inbound_numbers(beta.id).await.unwrap();
    assert_eq!(numbers.iter().map(|n| (n.number.as_str(), n.queue.as_deref())).collect::<Vec<_>>(), [(unassigned, Some("Mine"))]);

    // A call on beta's own trunk cannot ring acme's number; on a carrier
    // both tenants' trunks name, it can.
    let calls = |body: Value| body["calls"].as_array().map_or(0, Vec::len);
    f.telephony.ring_in_on(TrunkOwner::Tenants(vec![beta.id]), GENERAL, Some("+442079460601"), PATIENT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(calls(f.sam.get(&calls_path()).await.body), 0, "beta's carrier reached acme's queue");
    let shared = TrunkOwner::Tenants(vec![beta.id, f.server.tenant.id]);
    f.telephony.ring_in_on(shared, GENERAL, Some("+442079460602"), PATIENT).await.unwrap();
    wait_for(&f.sam, &calls_path(), |c| calls(c.clone()) == 1).await;
}
