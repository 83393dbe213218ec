//! Several nodes on one PostgreSQL database: the engine runs on one, and
//! agents and supervisors whose requests reach another get the same
//! answers, because each step is handed to the node holding the call's
//! audio (or the desk's) and carried out there once.

use crate::dialer::{call_centre, log_in, nobody_answers, start_campaign, wait_for};
use crate::inbound::{Floor, GENERAL, PATIENT, create_queue, floor, step};
use serde_json::json;
use std::time::Duration;
use trustline_domain::Role;
use trustline_testkit::{Engine, Reply, TestClient};

/// A floor whose engine runs on the first node, with a queue; a second
/// node's base URL, once both beat and the first says it holds calls; and
/// the agent Ada signed in on the second (PostgreSQL only).
async fn engine_and_another_node() -> Option<(Floor, String, TestClient)> {
    if !Engine::Postgres.available() {
        return None;
    }
    let f = floor(Engine::Postgres, 0).await;
    let other = f.server.second_node().await;
    let raw = &f.server.db.raw;
    let beating =
        || async { (raw.scalar("SELECT COUNT(*) FROM nodes").await, raw.scalar("SELECT COUNT(*) FROM nodes WHERE holds_calls").await) };
    for _ in 0..200 {
        if beating().await == (2, 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(beating().await, (2, 1), "both nodes beat, and the engine's says it holds calls");
    create_queue(&f.sam, json!({ "name": "Care", "number": GENERAL })).await;
    let ada = f.server.create_user(&f.server.tenant, "ada", Role::Agent, false).await;
    let ada = f.server.signed_in_at(&other, &ada).await;
    Some((f, other, ada))
}

fn code(reply: &Reply) -> (u16, String) {
    (reply.status, reply.body["error"]["code"].as_str().unwrap_or_default().to_owned())
}

/// Everything an agent and a supervisor do through a node without the
/// engine is carried out by the engine's node: the caller is heard on
/// hold, keys reach them, monitoring joins, refusals come back as they
/// are, and each step is audited once. Commands leave nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_reaching_another_node_are_carried_out_where_the_call_is() {
    let Some((f, other, ada)) = engine_and_another_node().await else { return };
    let raw = &f.server.db.raw;
    let sam = f.server.create_user(&f.server.tenant, "sally", Role::Supervisor, true).await;
    let sam = f.server.signed_in_at(&other, &sam).await;
    let ada_id = ada.get("/api/session").await.body["user"]["id"].as_i64().unwrap();

    log_in(&ada).await;
    let leg = f.telephony.ring_in(GENERAL, Some("+442079460701"), PATIENT).await.unwrap();
    let work = wait_for(&ada, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    let call = work["call"]["id"].as_i64().unwrap();
    let owner = raw
        .scalar(&format!("SELECT COUNT(*) FROM calls c JOIN nodes n ON n.id = c.owner_node WHERE c.id = {call} AND n.holds_calls"))
        .await;
    assert_eq!(owner, 1, "the call names the engine's node as holding it");

    assert_eq!(step(&ada, call, "hold").await.status, 204, "carried out on the engine's node");
    let twice = step(&ada, call, "hold").await;
    assert_eq!(code(&twice), (409, "wrong_call_state".into()), "a refusal comes back as it is: {}", twice.body);
    assert!(twice.body["error"]["message"].as_str().unwrap().contains("on hold already"), "{}", twice.body);
    assert_eq!(step(&ada, call, "resume").await.status, 204);
    assert_eq!(ada.post(&format!("/api/calls/{call}/keys"), json!({ "keys": "42#" })).await.status, 204);
    assert_eq!(f.telephony.keys_heard(leg).as_deref(), Some("42#"), "the keys reached the caller's line");
    let monitored = sam.post(&format!("/api/agents/{ada_id}/monitor"), json!({ "mode": "listen" })).await;
    assert_eq!((monitored.status, monitored.body["call"].as_i64()), (200, Some(call)), "{}", monitored.body);
    assert!(f.telephony.monitor_of(leg).is_some(), "the supervisor joined on the engine's node");
    assert_eq!(sam.delete(&format!("/api/agents/{ada_id}/monitor")).await.status, 204);
    assert_eq!(f.telephony.monitor_of(leg), None);
    assert_eq!(ada.get("/api/agent/work").await.body["consult"], json!(null), "read from the engine's node");
    assert_eq!(step(&ada, call, "hangup").await.status, 204);
    assert_eq!(ada.get("/api/agent/work").await.body["call"]["state"], "wrap_up");
    let disposed = ada.post(&format!("/api/calls/{call}/disposition"), json!({ "disposition": "resolved" })).await;
    assert_eq!(disposed.status, 204, "{}", disposed.body);
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "available", "the engine's node closed the wrap-up");

    for (action, times) in [("call.hold", 1), ("call.resume", 1), ("call.monitor", 2), ("agent.state", 1), ("call.disposition", 1)] {
        let kept = raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await;
        assert_eq!(kept, times, "{action} audited once per step carried out");
    }
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM node_commands").await, 0, "every command was collected");
}

/// A call whose node is gone: the step is withdrawn unanswered and carried
/// out here, where the call has no audio, so it is refused and changes
/// nothing. A command that does not open under the installation's key, or
/// a real one copied and sent again, is taken and never carried out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gone_node_or_a_forged_command_changes_nothing() {
    let Some((f, _other, ada)) = engine_and_another_node().await else { return };
    let raw = &f.server.db.raw;
    log_in(&ada).await;
    f.telephony.ring_in(GENERAL, Some("+442079460702"), PATIENT).await.unwrap();
    let work = wait_for(&ada, "/api/agent/work", |w| w["call"]["state"] == "connected").await;
    let call = work["call"]["id"].as_i64().unwrap();

    let engine_node = format!("(SELECT owner_node FROM calls WHERE id = {call})");
    raw.execute(&format!("UPDATE calls SET owner_node = 'gone' WHERE id = {call}")).await;
    let held = step(&ada, call, "hold").await;
    assert_eq!(code(&held), (503, "no_telephony".into()), "{}", held.body);
    assert_eq!(ada.get("/api/agent/work").await.body["call"]["held_since"], json!(null), "nothing changed");
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'call.hold'").await, 0);
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM node_commands").await, 0, "the command was withdrawn");

    // Forged: sealed under no key of this installation, sent to the engine's node.
    raw.execute(&format!("UPDATE calls SET owner_node = (SELECT id FROM nodes WHERE holds_calls) WHERE id = {call}")).await;
    let forged = format!("SELECT {engine_node}, 'intruder', '\\x00ff'::bytea, 0");
    refused_when_sent(raw, &forged, &engine_node, "forged").await;

    // Played again: a real command copied as it was sent, after it was carried out.
    raw.execute("CREATE TABLE sent_commands (id SERIAL, to_node TEXT, from_node TEXT, body BYTEA)").await;
    raw.execute(
        "CREATE FUNCTION keep_sent() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         INSERT INTO sent_commands (to_node, from_node, body) VALUES (NEW.to_node, NEW.from_node, NEW.body); RETURN NEW; END $$",
    )
    .await;
    raw.execute("CREATE TRIGGER keep_sent AFTER INSERT ON node_commands FOR EACH ROW EXECUTE FUNCTION keep_sent()").await;
    assert_eq!(step(&ada, call, "hold").await.status, 204, "the call's own node still answers");
    assert_eq!(step(&ada, call, "resume").await.status, 204);
    let copied = "SELECT to_node, from_node, body, 0 FROM sent_commands ORDER BY id LIMIT 1";
    refused_when_sent(raw, copied, &engine_node, "played again").await;
    assert_eq!(ada.get("/api/agent/work").await.body["call"]["held_since"], json!(null), "the hold was not played again");
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'call.hold'").await, 1);
}

/// Leaves the command `row` selects (to, from, body, created) for the
/// engine's node and signals it: it is taken, and never carried out.
async fn refused_when_sent(raw: &trustline_testkit::RawDb, row: &str, engine_node: &str, what: &str) {
    raw.execute("DELETE FROM node_commands").await;
    raw.execute(&format!("INSERT INTO node_commands (to_node, from_node, body, created_at) {row}")).await;
    raw.execute(&format!("SELECT pg_notify('trustline_nodes', 'command ' || (SELECT MAX(id) FROM node_commands) || ' ' || {engine_node})"))
        .await;
    let taken = "SELECT COUNT(*) FROM node_commands WHERE taken_at IS NOT NULL";
    for _ in 0..200 {
        if raw.scalar(taken).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(raw.scalar(taken).await, 1, "{what}: the engine's node took it");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM node_commands WHERE reply IS NOT NULL").await, 0, "{what}: and never carried it out");
}

/// Two nodes run the engine. A tenant's calls are one node's at a time
/// (its lease): the other dials nothing for it. When that node is killed,
/// the other takes the tenant over once the lease lapses, ends the calls
/// the dead node left ringing as lost (their audio went with it), frees their
/// agents and dials on: every contact is dialled once, none twice. A caller
/// reaching a node that does not hold the tenant is sent on, not taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_is_worked_by_one_engine_and_taken_over_when_its_node_is_lost() {
    if !Engine::Postgres.available() {
        return;
    }
    let mut csv = String::from("name,phone\n");
    for i in 0..4 {
        csv.push_str(&format!("Person {i},+44 20 7946 02{i:02}\n"));
    }
    let centre = call_centre(Engine::Postgres, 2, &csv).await;
    let (server, raw) = (&centre.server, &centre.server.db.raw);
    server.assign_numbers(&server.tenant, &[GENERAL]).await;
    create_queue(&centre.supervisor, json!({ "name": "Care", "number": GENERAL })).await;
    let first = server.engine_node(nobody_answers(), 1.0).await;
    let lease = format!("tenant:{}", server.tenant.id.0);
    let holds = |node: &str, token: i64| {
        let held = format!("SELECT COUNT(*) FROM leases WHERE name = '{lease}' AND holder = '{node}' AND token = {token}");
        async move { raw.scalar(&held).await == 1 }
    };
    wait_until("the first engine node holds the tenant", || holds(&first.node, 1)).await;
    let second = server.engine_node(nobody_answers(), 1.0).await;
    start_campaign(&centre.supervisor, json!({ "name": "Spring", "mode": "progressive", "lists": ["spring"] })).await;
    for agent in &centre.agents {
        log_in(agent).await;
    }
    let ringing_on = |node: &str| format!("SELECT COUNT(*) FROM calls WHERE state = 'ringing' AND owner_node = '{node}'");
    wait_until("the holder dials one contact per agent", || async { raw.scalar(&ringing_on(&first.node)).await == 2 }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM calls").await, 2, "one call per free agent, and no more");
    assert_eq!(raw.scalar(&format!("SELECT COUNT(*) FROM calls WHERE owner_node = '{}'", second.node)).await, 0, "the other dials nothing");
    // A caller reaching the other node is sent to the holder (over SIP: 503, and the carrier tries the next address).
    second.telephony.ring_in(GENERAL, Some("+442079460703"), PATIENT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM calls WHERE direction = 'inbound'").await, 0, "the other opens no call for the tenant");

    let dead = first.node.clone();
    first.kill();
    // The dead node's lease lapses on the clock (a lease lasts 6 seconds unrenewed).
    server.clock.advance(7);
    wait_until("the other node takes the tenant over", || holds(&second.node, 2)).await;
    wait_until("the calls the dead node left end", || async {
        raw.scalar(&format!("SELECT COUNT(*) FROM calls WHERE owner_node = '{dead}' AND state <> 'done'")).await == 0
    })
    .await;
    let left = format!("SELECT COUNT(*) FROM calls WHERE owner_node = '{dead}' AND result = 'lost'");
    assert_eq!(raw.scalar(&left).await, 2, "ended as lost: the line went with its node");
    wait_until("the new holder dials the next contacts", || async { raw.scalar(&ringing_on(&second.node)).await == 2 }).await;
    let twice = "SELECT COUNT(*) FROM (SELECT contact_id FROM calls GROUP BY contact_id HAVING COUNT(*) > 1) t";
    assert_eq!(raw.scalar(twice).await, 0, "no contact dialled twice");
    assert_eq!(raw.scalar("SELECT COUNT(DISTINCT contact_id) FROM calls").await, 4, "every contact dialled, none lost");
    for agent in &centre.agents {
        assert_eq!(agent.get("/api/agent/state").await.body["state"], "reserved", "each agent waits on a call of the new holder");
    }
    second.telephony.ring_in(GENERAL, Some("+442079460703"), PATIENT).await.unwrap();
    let queued = format!("SELECT COUNT(*) FROM calls WHERE direction = 'inbound' AND state = 'queued' AND owner_node = '{}'", second.node);
    wait_until("the new holder takes the tenant's callers", || async { raw.scalar(&queued).await == 1 }).await;
}

async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what}: not within 15 seconds");
}
