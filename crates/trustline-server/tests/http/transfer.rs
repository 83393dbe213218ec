//! Blind transfer over HTTP with the simulated carrier: an agent hands the
//! person they talk to on to a colleague ready now, to a queue, or (if
//! their role allows) to an outside number, and leaves the call for its
//! wrap-up. The person's line follows: the new call is the one the next
//! agent works, and it ends when the person hangs up. Refused transfers
//! change nothing.

use crate::dialer::{log_in, wait_for};
use crate::inbound::{BILLING, GENERAL, PATIENT, create_queue, floor, step};
use serde_json::{Value, json};
use trustline_domain::Role;
use trustline_domain::UserId;
use trustline_telephony::CarrierProfile;
use trustline_telephony::{Caller, Party};
use trustline_testkit::{Engine, Reply, TestClient, TestServer, on_both_engines};

on_both_engines!(
    a_consulted_colleague_is_handed_the_person_or_left,
    each_consultation_is_completed_only_by_its_own_routes,
    a_consulted_number_is_handed_the_person_or_left,
    a_conversation_is_handed_to_a_colleague_then_to_a_queue,
    a_conversation_is_handed_to_an_outside_number_by_those_allowed,
    a_person_who_hangs_up_after_a_transfer_ends_the_new_call,
    a_person_handed_to_a_queue_is_served_before_those_nobody_has_talked_to
);

fn code(reply: &Reply) -> (u16, Option<&str>) {
    (reply.status, reply.body["error"]["code"].as_str())
}

async fn transfer(agent: &TestClient, call: i64, body: Value) -> Reply {
    agent.post(&format!("/api/calls/{call}/transfer"), body).await
}

async fn connected_call(agent: &TestClient, other_than: Option<i64>) -> Value {
    wait_for(agent, "/api/agent/work", |w| w["call"]["state"] == "connected" && w["call"]["id"].as_i64() != other_than).await
}

fn at_desk(tenant: &trustline_domain::TenantId, agent: i64) -> Option<Party> {
    Some(Party::Desk { tenant: *tenant, agent: UserId(agent) })
}

async fn a_conversation_is_handed_to_a_colleague_then_to_a_queue(engine: Engine) {
    let f = floor(engine, 2).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let billing = create_queue(&f.sam, json!({ "name": "Billing", "number": BILLING, "skills": { "billing": 1 } })).await;
    let [(a0, id0), (a1, id1)] = &f.agents[..] else { unreachable!() };
    let tenant = f.server.tenant.id;
    log_in(a0).await;
    let leg = f.telephony.ring_in(GENERAL, Some("+442079460601"), PATIENT).await.unwrap();
    let first = connected_call(a0, None).await;
    let call = first["call"]["id"].as_i64().unwrap();
    let contact = first["call"]["contact_id"].clone();

    let targets = a0.get("/api/agent/transfer-targets").await;
    assert_eq!(targets.status, 200, "{}", targets.body);
    let names: Vec<&str> = targets.body["queues"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!((names.len(), &targets.body["agents"], &targets.body["outside"]), (2, &json!([]), &json!(false)), "{}", targets.body);

    // Refused, each for its own reason; none moves the call.
    assert_eq!(code(&transfer(a0, call, json!({ "queue": 999_999 })).await), (409, Some("unknown_reference")));
    assert_eq!(code(&transfer(a0, call, json!({ "agent": id1 })).await), (409, Some("transfer_unavailable")), "not working");
    assert_eq!(code(&transfer(a0, call, json!({ "agent": id0 })).await), (409, Some("transfer_unavailable")), "themselves");
    assert_eq!(code(&transfer(a0, call, json!({ "agent": 999_999 })).await), (409, Some("transfer_unavailable")), "nobody's");
    for body in [json!({}), json!({ "queue": 1, "agent": 2 }), json!({ "queue": "Care" }), json!({ "desk": 1 })] {
        assert_eq!(code(&transfer(a0, call, body.clone()).await), (422, Some("invalid_body")), "{body}");
    }
    assert_eq!(transfer(a1, call, json!({ "queue": billing })).await.status, 404, "not their call");
    let outside = a0.post(&format!("/api/calls/{call}/transfer-outside"), json!({ "number": "+442079460777" })).await;
    assert_eq!(outside.status, 403, "an agent may not send a caller outside");
    assert_eq!(connected_call(a0, None).await["call"]["id"].as_i64(), Some(call));
    assert_eq!(f.telephony.party_of(leg), at_desk(&tenant, *id0));

    // To a colleague ready now: the call is theirs at once, the first agent wraps up.
    log_in(a1).await;
    let targets = a0.get("/api/agent/transfer-targets").await.body;
    assert_eq!(targets["agents"], json!([{ "id": id1, "name": "Test agent1" }]), "{targets}");
    let handed = transfer(a0, call, json!({ "agent": id1 })).await;
    assert_eq!(handed.status, 200, "{}", handed.body);
    let second = handed.body["call"].as_i64().unwrap();
    let left = a0.get("/api/agent/work").await.body;
    assert_eq!((left["call"]["state"].as_str(), left["call"]["result"].as_str()), (Some("wrap_up"), Some("transferred")), "{left}");
    let taken = connected_call(a1, None).await;
    assert_eq!((taken["call"]["id"].as_i64(), &taken["call"]["contact_id"]), (Some(second), &contact), "{taken}");
    assert_eq!(f.telephony.party_of(leg), at_desk(&tenant, *id1));
    assert_eq!(code(&transfer(a0, call, json!({ "queue": billing })).await), (409, Some("wrong_call_state")), "not theirs to hand on");

    // To a queue: the person waits there and the router gives them to the first agent free for it.
    let to_queue = transfer(a1, second, json!({ "queue": billing })).await;
    assert_eq!(to_queue.status, 200, "{}", to_queue.body);
    let third = to_queue.body["call"].as_i64().unwrap();
    assert_eq!(f.telephony.party_of(leg), None, "waiting with the queue's music");
    let skills = f.sam.put(&format!("/api/agents/{id0}/skills"), json!({ "skills": { "billing": 1 } })).await;
    assert_eq!(skills.status, 204, "{}", skills.body);
    assert_eq!(a0.post(&format!("/api/calls/{call}/disposition"), json!({ "disposition": "resolved" })).await.status, 204);
    let back = connected_call(a0, Some(call)).await;
    assert_eq!((back["call"]["id"].as_i64(), back["call"]["queue_id"].as_i64()), (Some(third), Some(billing)), "{back}");
    assert_eq!(f.telephony.party_of(leg), at_desk(&tenant, *id0));

    let raw = &f.server.db.raw;
    let kept = |call: i64, to: String| {
        format!("SELECT COUNT(*) FROM audit_events WHERE action = 'call.transfer' AND target = 'call:{call}' AND details LIKE '%{to}%'")
    };
    assert_eq!(raw.scalar(&kept(call, format!("user:{id1}"))).await, 1, "the first transfer is kept on its call");
    assert_eq!(raw.scalar(&kept(second, format!("queue:{billing}"))).await, 1, "the second too");
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'call.transfer'").await, 2, "refusals keep nothing");
    assert_eq!(step(a0, third, "hangup").await.status, 204);

    // Care was offered the person once (the colleague's call is the same call there); Billing once.
    let report = f.sam.get(&format!("/api/reports/queues?from={}&seconds=3660", crate::dialer::MONDAY_NOON_UTC - 60)).await.body;
    let offered =
        |name: &str| report["queues"].as_array().unwrap().iter().find(|q| q["queue"] == name).unwrap()["figures"]["offered"].clone();
    assert_eq!((offered("Care"), offered("Billing")), (json!(1), json!(1)), "{report}");
    let calls = f.sam.get(&crate::dialer::calls_path()).await.body;
    let from =
        |id: i64| calls["calls"].as_array().unwrap().iter().find(|c| c["id"].as_i64() == Some(id)).unwrap()["transferred_from"].clone();
    assert_eq!((from(call), from(second), from(third)), (json!(null), json!(call), json!(second)), "{calls}");
}

async fn a_person_handed_to_a_queue_is_served_before_those_nobody_has_talked_to(engine: Engine) {
    let f = floor(engine, 2).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let billing = create_queue(&f.sam, json!({ "name": "Billing", "number": BILLING, "skills": { "billing": 1 } })).await;
    let [(a0, _), (a1, id1)] = &f.agents[..] else { unreachable!() };
    log_in(a0).await;
    f.telephony.ring_in(GENERAL, Some("+442079460601"), PATIENT).await.unwrap();
    let call = connected_call(a0, None).await["call"]["id"].as_i64().unwrap();
    // Another person calls Billing, which nobody serves yet, and waits there first.
    f.telephony.ring_in(BILLING, Some("+442079460602"), PATIENT).await.unwrap();
    let queued = |calls: &Value| calls["calls"].as_array().unwrap().iter().filter(|c| c["state"] == "queued").count();
    wait_for(&f.sam, &crate::dialer::calls_path(), |calls| queued(calls) == 1).await;

    let handed = transfer(a0, call, json!({ "queue": billing })).await;
    assert_eq!(handed.status, 200, "{}", handed.body);
    let transferred = handed.body["call"].as_i64().unwrap();
    wait_for(&f.sam, &crate::dialer::calls_path(), |calls| queued(calls) == 2).await;

    // The first agent free for Billing takes the person already handed on, not the one waiting longer.
    let skills = f.sam.put(&format!("/api/agents/{id1}/skills"), json!({ "skills": { "billing": 1 } })).await;
    assert_eq!(skills.status, 204, "{}", skills.body);
    log_in(a1).await;
    let taken = connected_call(a1, None).await;
    assert_eq!((taken["call"]["id"].as_i64(), &taken["call"]["transferred_from"]), (Some(transferred), &json!(call)), "{taken}");
}

async fn a_conversation_is_handed_to_an_outside_number_by_those_allowed(engine: Engine) {
    let f = floor(engine, 0).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let sam = &f.sam;
    let sam_id = sam.get("/api/session").await.body["user"]["id"].as_i64().unwrap();
    log_in(sam).await;
    let leg = f.telephony.ring_in(GENERAL, Some("+442079460602"), PATIENT).await.unwrap();
    let call = connected_call(sam, None).await["call"]["id"].as_i64().unwrap();
    assert_eq!(sam.get("/api/agent/transfer-targets").await.body["outside"], json!(true));
    let path = format!("/api/calls/{call}/transfer-outside");
    for number in ["12", "+44 20 7946 0777", "00442079460777"] {
        let refused = sam.post(&path, json!({ "number": number })).await;
        assert_eq!(refused.status, 422, "{number}: {}", refused.body);
    }
    assert_eq!(f.telephony.party_of(leg), at_desk(&f.server.tenant.id, sam_id), "refused numbers move nothing");

    assert_eq!(sam.post(&path, json!({ "number": "+442079460777" })).await.status, 204);
    let left = sam.get("/api/agent/work").await.body;
    assert_eq!((left["call"]["state"].as_str(), left["call"]["result"].as_str()), (Some("wrap_up"), Some("transferred")), "{left}");
    // The outside party answers, talks a moment and hangs up: the person's line ends with theirs.
    let mut joined = false;
    for _ in 0..400 {
        joined |= matches!(f.telephony.party_of(leg), Some(Party::Leg(_)));
        if f.telephony.calls_in_progress() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(joined, "the person was joined to the outside party");
    assert_eq!(f.telephony.calls_in_progress(), 0, "both lines ended together");
    let raw = &f.server.db.raw;
    let kept = raw
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'call.transfer' AND target = 'call:{call}' AND details LIKE '%outside%' AND details LIKE '%••77%'"
        ))
        .await;
    assert_eq!(kept, 1, "kept on the call, with the number masked");
    assert_eq!(f.server.db.plaintext_locations("2079460777").await, Vec::<String>::new(), "the whole number is kept nowhere");
}

async fn a_person_who_hangs_up_after_a_transfer_ends_the_new_call(engine: Engine) {
    let f = floor(engine, 1).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let billing = create_queue(&f.sam, json!({ "name": "Billing", "number": BILLING, "skills": { "billing": 1 } })).await;
    let [(a0, _)] = &f.agents[..] else { unreachable!() };
    log_in(a0).await;
    // Talks for about 2 s at this speed, then hangs up, wherever the call is then.
    let brief = Caller { patience_ms: 36_000_000, talk_ms: 200_000, accepts_callback: false };
    f.telephony.ring_in(GENERAL, Some("+442079460603"), brief).await.unwrap();
    let call = connected_call(a0, None).await["call"]["id"].as_i64().unwrap();
    let handed = transfer(a0, call, json!({ "queue": billing })).await;
    assert_eq!(handed.status, 200, "{}", handed.body);
    let waiting = handed.body["call"].as_i64().unwrap();
    let calls = wait_for(&f.sam, &crate::dialer::calls_path(), |calls| {
        calls["calls"].as_array().is_some_and(|all| all.iter().any(|c| c["id"].as_i64() == Some(waiting) && c["state"] == "done"))
    })
    .await;
    let ended = calls["calls"].as_array().unwrap().iter().find(|c| c["id"].as_i64() == Some(waiting)).unwrap();
    assert_eq!(ended["result"], "abandoned", "{ended}");
    let first = calls["calls"].as_array().unwrap().iter().find(|c| c["id"].as_i64() == Some(call)).unwrap();
    assert_eq!((&first["state"], &first["result"]), (&json!("wrap_up"), &json!("transferred")), "{first}");
}

/// A supervisor talking to a caller from `from` on the Care queue, with an
/// agent of the tenant signed in (not working yet); outside parties answer
/// at once and talk for an hour (at this speed, 36 s).
struct Talking {
    server: TestServer,
    sam: TestClient,
    sam_user: trustline_testkit::TestUser,
    agent: TestClient,
    agent_id: i64,
    telephony: std::sync::Arc<trustline_telephony::SimulatedTelephony>,
    leg: trustline_telephony::LegId,
    call: i64,
}

async fn supervisor_talking(engine: Engine, from: &str) -> Talking {
    let server = TestServer::start(engine).await;
    server.clock.advance(crate::dialer::MONDAY_NOON_UTC - 1_900_000_000);
    let tenant = server.tenant.clone();
    let sam_user = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
    let sam = server.signed_in(&sam_user).await;
    let agent_user = server.create_user(&tenant, "agent0", Role::Agent, false).await;
    let agent = server.signed_in(&agent_user).await;
    server.assign_numbers(&tenant, &[GENERAL]).await;
    let talkative =
        CarrierProfile { answer_rate: 1.0, machine_rate: 0.0, busy_rate: 0.0, talk_median_ms: 3_600_000.0, ..CarrierProfile::default() };
    let telephony = server.start_engine(talkative, 100.0);
    create_queue(&sam, json!({ "name": "Care", "number": GENERAL })).await;
    log_in(&sam).await;
    let leg = telephony.ring_in(GENERAL, Some(from), PATIENT).await.unwrap();
    let call = connected_call(&sam, None).await["call"]["id"].as_i64().unwrap();
    Talking { server, sam, sam_user, agent, agent_id: agent_user.id.0, telephony, leg, call }
}

/// Attended transfer: the supervisor calls an outside number while the
/// caller waits on hold, comes back to the caller, consults again and
/// brings the caller in (a conference of three), drops the number, then
/// consults a third time, confers, and hands the caller over.
async fn a_consulted_number_is_handed_the_person_or_left(engine: Engine) {
    let Talking { server, sam, sam_user, agent, telephony, leg, call, .. } = supervisor_talking(engine, "+442079460604").await;
    let tenant = server.tenant.clone();
    let path = format!("/api/calls/{call}/consult");
    let number = json!({ "number": "+442079460777" });

    assert_eq!(agent.post(&path, number.clone()).await.status, 403, "an agent may not call outside");
    assert_eq!(code(&sam.post(&format!("{path}/complete"), json!({})).await), (409, Some("wrong_call_state")), "not consulting");
    assert_eq!(code(&sam.delete(&path).await), (409, Some("wrong_call_state")));
    assert_eq!(code(&sam.post(&format!("{path}/conference"), json!({})).await), (409, Some("wrong_call_state")), "nobody to confer with");
    assert_eq!(agent.post(&format!("{path}/conference"), json!({})).await.status, 403, "an agent may not confer outside");
    assert_eq!(code(&sam.post(&path, json!({ "number": "12" })).await).0, 422);
    assert_eq!(telephony.calls_in_progress(), 1, "refusals call nobody");

    assert_eq!(sam.post(&path, number.clone()).await.status, 204);
    assert_eq!(code(&sam.post(&path, number.clone()).await), (409, Some("wrong_call_state")), "one consultation at a time");
    assert_eq!(code(&transfer(&sam, call, json!({ "agent": 1 })).await), (409, Some("wrong_call_state")), "no blind transfer meanwhile");
    let consulting = wait_for(&sam, "/api/agent/work", |w| w["consult"]["answered"] == true).await;
    assert_eq!(consulting["consult"]["number"], "+44 •••• ••77", "{consulting}");
    assert!(consulting["call"]["held_since"].is_i64(), "the caller waits on hold: {consulting}");
    assert_eq!(telephony.calls_in_progress(), 2);

    // Back to the caller: the consulted party is hung up, the caller is off hold at the desk.
    assert_eq!(sam.delete(&path).await.status, 204);
    let back = sam.get("/api/agent/work").await.body;
    assert_eq!((back.get("consult"), &back["call"]["held_since"]), (None, &json!(null)), "{back}");
    assert_eq!(telephony.party_of(leg), at_desk(&tenant.id, sam_user.id.0));
    for _ in 0..100 {
        if telephony.calls_in_progress() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(telephony.calls_in_progress(), 1, "the consulted party is gone");

    // Consulted again and the caller brought in: the three talk, the caller off hold.
    let conference = format!("{path}/conference");
    assert_eq!(sam.post(&path, number.clone()).await.status, 204);
    wait_for(&sam, "/api/agent/work", |w| w["consult"]["answered"] == true).await;
    assert_eq!(sam.post(&conference, json!({})).await.status, 204);
    let together = sam.get("/api/agent/work").await.body;
    assert_eq!((&together["consult"]["conference"], &together["call"]["held_since"]), (&json!(true), &json!(null)), "{together}");
    assert!(telephony.guest_of(leg).is_some(), "the consulted party is the conference's guest");
    assert_eq!(telephony.party_of(leg), at_desk(&tenant.id, sam_user.id.0), "the caller stays at the desk");
    assert_eq!(code(&sam.post(&conference, json!({})).await), (409, Some("wrong_call_state")), "one conference at a time");
    // The number dropped: the supervisor and the caller talk on.
    assert_eq!(sam.delete(&path).await.status, 204);
    let back = sam.get("/api/agent/work").await.body;
    assert_eq!((back.get("consult"), &back["call"]["held_since"]), (None, &json!(null)), "{back}");
    assert_eq!((telephony.guest_of(leg), telephony.party_of(leg)), (None, at_desk(&tenant.id, sam_user.id.0)));

    // Consulted a third time, conferred, and handed the caller: the supervisor leaves the call.
    assert_eq!(sam.post(&path, number.clone()).await.status, 204);
    wait_for(&sam, "/api/agent/work", |w| w["consult"]["answered"] == true).await;
    assert_eq!(sam.post(&conference, json!({})).await.status, 204);
    assert_eq!(sam.post(&format!("{path}/complete"), json!({})).await.status, 204);
    let left = sam.get("/api/agent/work").await.body;
    assert_eq!((left["call"]["state"].as_str(), left["call"]["result"].as_str()), (Some("wrap_up"), Some("transferred")), "{left}");
    assert!(matches!(telephony.party_of(leg), Some(Party::Leg(_))), "the caller talks with the consulted party");
    assert_eq!(telephony.guest_of(leg), None, "the conference is over");
    let raw = &server.db.raw;
    let kept = |action: &str| format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}' AND target = 'call:{call}'");
    assert_eq!(raw.scalar(&kept("call.consult")).await, 3, "each consultation is kept on the call");
    assert_eq!(raw.scalar(&(kept("call.conference") + " AND details LIKE '%••77%'")).await, 2, "and each conference, the number masked");
    assert_eq!(raw.scalar(&(kept("call.transfer") + " AND details LIKE '%outside%'")).await, 1, "and the handover");
}

/// Attended transfer to a colleague: an agent talks to a colleague ready
/// now while the caller waits on hold (their desks hear each other, the
/// colleague is reserved for it); the colleague leaves; the agent consults
/// again, brings the caller in, and hands them over on a new call of the
/// colleague's. A caller who hangs up during a consultation frees the
/// colleague.
async fn a_consulted_colleague_is_handed_the_person_or_left(engine: Engine) {
    let f = floor(engine, 3).await;
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let [(a0, id0), (a1, id1), (a2, id2)] = &f.agents[..] else { unreachable!() };
    let tenant = f.server.tenant.id;
    let (agent0, agent1) = (UserId(*id0), UserId(*id1));
    log_in(a0).await;
    let leg = f.telephony.ring_in(GENERAL, Some("+442079460605"), PATIENT).await.unwrap();
    let call = connected_call(a0, None).await["call"]["id"].as_i64().unwrap();
    log_in(a1).await;
    let path = format!("/api/calls/{call}/consult-colleague");

    // Refused, each for its own reason; none holds the caller or reserves anyone.
    assert_eq!(code(&a0.post(&path, json!({ "agent": id0 })).await), (409, Some("transfer_unavailable")), "themselves");
    assert_eq!(code(&a0.post(&path, json!({ "agent": id2 })).await), (409, Some("transfer_unavailable")), "not working");
    assert_eq!(code(&a0.post(&path, json!({ "agent": 999_999 })).await), (409, Some("transfer_unavailable")), "nobody's");
    for body in [json!({}), json!({ "agent": "one" }), json!({ "agent": 1, "number": "+442079460777" })] {
        assert_eq!(code(&a0.post(&path, body.clone()).await), (422, Some("invalid_body")), "{body}");
    }
    assert_eq!(a2.post(&path, json!({ "agent": id1 })).await.status, 404, "not their call");
    assert_eq!(code(&a0.post(&format!("{path}/complete"), json!({})).await), (409, Some("wrong_call_state")), "not consulting");
    assert_eq!(code(&a1.delete("/api/agent/consultation").await), (409, Some("wrong_call_state")), "nobody consults them");
    let untouched = a0.get("/api/agent/work").await.body;
    assert_eq!((&untouched["call"]["held_since"], state_of(a1).await), (&json!(null), json!("available")), "{untouched}");

    // Consulted: the caller waits on hold, the two desks hear each other, the colleague is reserved.
    assert_eq!(a0.post(&path, json!({ "agent": id1 })).await.status, 204);
    let consulting = a0.get("/api/agent/work").await.body;
    assert_eq!(consulting["consult"]["colleague"], json!({ "id": id1, "name": "Test agent1" }), "{consulting}");
    assert!(consulting["call"]["held_since"].is_i64(), "the caller waits on hold: {consulting}");
    assert_eq!((f.telephony.desk_linked_to(tenant, agent0), f.telephony.desk_linked_to(tenant, agent1)), (Some(agent1), Some(agent0)));
    assert_eq!(state_of(a1).await, json!("reserved"), "no call is given the colleague meanwhile");
    let consulted = a1.get("/api/agent/work").await.body;
    assert_eq!((&consulted["call"], &consulted["consulted_by"]["agent"]["id"]), (&json!(null), &json!(id0)), "{consulted}");
    assert_eq!(code(&a0.post(&path, json!({ "agent": id1 })).await), (409, Some("wrong_call_state")), "one consultation at a time");
    assert_eq!(code(&transfer(a0, call, json!({ "agent": id1 })).await), (409, Some("wrong_call_state")), "no blind transfer meanwhile");
    let outside = format!("/api/calls/{call}/consult/complete");
    assert_eq!(a0.post(&outside, json!({})).await.status, 403, "an agent has no outside handover");

    // The colleague leaves: free again; the agent is back with the caller, who stays on hold.
    assert_eq!(a1.delete("/api/agent/consultation").await.status, 204);
    let back = a0.get("/api/agent/work").await.body;
    assert!(back.get("consult").is_none() && back["call"]["held_since"].is_i64(), "{back}");
    assert_eq!((f.telephony.party_of(leg), f.telephony.desk_linked_to(tenant, agent0)), (at_desk(&tenant, *id0), None));
    assert_eq!(state_of(a1).await, json!("available"));

    // Consulted again, the caller brought in: the three talk, the caller off hold.
    assert_eq!(a0.post(&path, json!({ "agent": id1 })).await.status, 204);
    assert_eq!(a0.post(&format!("{path}/conference"), json!({})).await.status, 204);
    let together = a0.get("/api/agent/work").await.body;
    assert_eq!((&together["consult"]["conference"], &together["call"]["held_since"]), (&json!(true), &json!(null)), "{together}");
    assert_eq!(f.telephony.guest_of(leg), at_desk(&tenant, *id1), "the colleague's desk is the conference's guest");
    assert_eq!(f.telephony.desk_linked_to(tenant, agent0), None, "the agent talks on the call again");
    assert_eq!(a1.get("/api/agent/work").await.body["consulted_by"]["conference"], json!(true));

    // Handed over: the colleague takes the caller on a new call, the agent wraps up.
    assert_eq!(a0.post(&format!("{path}/complete"), json!({})).await.status, 204);
    let left = a0.get("/api/agent/work").await.body;
    assert_eq!((left["call"]["state"].as_str(), left["call"]["result"].as_str()), (Some("wrap_up"), Some("transferred")), "{left}");
    let taken = connected_call(a1, None).await;
    assert_eq!(taken["call"]["transferred_from"], json!(call), "{taken}");
    let second = taken["call"]["id"].as_i64().unwrap();
    assert_eq!((f.telephony.party_of(leg), f.telephony.guest_of(leg)), (at_desk(&tenant, *id1), None));
    assert_eq!(state_of(a1).await, json!("on_call"));
    let raw = &f.server.db.raw;
    let kept = |action: &str| format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}' AND target = 'call:{call}'");
    assert_eq!(raw.scalar(&(kept("call.consult") + &format!(" AND details LIKE '%{id1}%'"))).await, 2, "each consultation is kept");
    assert_eq!(raw.scalar(&kept("call.conference")).await, 1, "and the conference");
    assert_eq!(raw.scalar(&(kept("call.transfer") + &format!(" AND details LIKE '%user:{id1}%'"))).await, 1, "and the handover");

    // The conversation ends while the colleague consults the first agent back: that agent is freed.
    assert_eq!(a0.post(&format!("/api/calls/{call}/disposition"), json!({ "disposition": "resolved" })).await.status, 204);
    assert_eq!(state_of(a0).await, json!("available"));
    assert_eq!(a1.post(&format!("/api/calls/{second}/consult-colleague"), json!({ "agent": id0 })).await.status, 204);
    assert_eq!(state_of(a0).await, json!("reserved"));
    assert_eq!(step(a1, second, "hangup").await.status, 204);
    assert_eq!(state_of(a0).await, json!("available"));
    assert_eq!(a0.get("/api/agent/work").await.body.get("consulted_by"), None);
    assert_eq!(f.telephony.desk_linked_to(tenant, agent0), None);
}

async fn state_of(agent: &TestClient) -> Value {
    agent.get("/api/agent/state").await.body["state"].clone()
}

/// A number's consultation is handed over or conferred only through the
/// number's routes (which need `call.external`), a colleague's only
/// through the colleague's: a supervisor consulting a colleague cannot
/// send the person outside by the wrong door, nor the other way round.
async fn each_consultation_is_completed_only_by_its_own_routes(engine: Engine) {
    let Talking { sam, agent: a0, agent_id: id0, call, .. } = supervisor_talking(engine, "+442079460606").await;
    log_in(&a0).await;
    let (number, colleague) = (format!("/api/calls/{call}/consult"), format!("/api/calls/{call}/consult-colleague"));

    assert_eq!(sam.post(&colleague, json!({ "agent": id0 })).await.status, 204);
    for step in ["complete", "conference"] {
        let wrong = sam.post(&format!("{number}/{step}"), json!({})).await;
        assert_eq!(code(&wrong), (409, Some("wrong_call_state")), "a colleague's consultation by the number's {step}");
    }
    assert_eq!(sam.delete(&number).await.status, 204, "either ends by the one route");
    assert_eq!(state_of(&a0).await, json!("available"));

    assert_eq!(sam.post(&number, json!({ "number": "+442079460777" })).await.status, 204);
    wait_for(&sam, "/api/agent/work", |w| w["consult"]["answered"] == true).await;
    for step in ["complete", "conference"] {
        let wrong = sam.post(&format!("{colleague}/{step}"), json!({})).await;
        assert_eq!(code(&wrong), (409, Some("wrong_call_state")), "a number's consultation by the colleague's {step}");
    }
    let still = sam.get("/api/agent/work").await.body;
    assert_eq!((&still["call"]["state"], &still["consult"]["conference"]), (&json!("connected"), &json!(false)), "{still}");
}
