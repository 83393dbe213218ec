//! Agents at work over HTTP: the legal moves, refusals that change nothing,
//! the history and who may see it.

use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    an_agent_works_a_shift_and_every_move_is_recorded,
    illegal_moves_are_refused_and_change_nothing,
    a_supervisor_moves_an_agent_saying_why
);

/// A supervisor puts an agent on a break, back, and out of work; each move
/// is audited with the supervisor's reason, and what the agent could not do
/// themselves (a move during a call, from offline) is refused.
async fn a_supervisor_moves_an_agent_saying_why(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let agent = server.create_user(&tenant, "ada", Role::Agent, false).await;
    let supervisor = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
    let ada = server.signed_in(&agent).await;
    let sam = server.signed_in(&supervisor).await;
    let path = format!("/api/agents/{}/state", agent.id.0);
    let offline = sam.post(&path, json!({ "change": "log_out", "reason": "end of shift" })).await;
    assert_eq!((offline.status, offline.code()), (409, "illegal_transition"), "{}", offline.body);
    assert_eq!(ada.post("/api/agent/state", json!({ "event": "log_in" })).await.status, 200);
    for (bad, code, said) in [
        (json!({ "change": "take_break", "reason": "team meeting" }), "invalid_body", "break_reason"),
        (json!({ "change": "log_out", "break_reason": "lunch", "reason": "x" }), "invalid_body", "break_reason"),
        (json!({ "change": "log_out", "reason": "   " }), "invalid_move", "reason"),
    ] {
        let refused = sam.post(&path, bad.clone()).await;
        assert_eq!((refused.status, refused.code()), (422, code), "{bad}: {}", refused.body);
        assert!(refused.body["error"]["message"].as_str().unwrap().contains(said), "{bad}: {}", refused.body);
    }
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "available", "nothing changed");
    let moved = sam.post(&path, json!({ "change": "take_break", "break_reason": "meeting", "reason": "team briefing at 3" })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let state = ada.get("/api/agent/state").await.body;
    assert_eq!((&state["state"], &state["reason"]), (&json!("break"), &json!("meeting")));
    assert_eq!(sam.post(&path, json!({ "change": "end_break", "reason": "briefing over" })).await.status, 200);
    assert_eq!(sam.post(&path, json!({ "change": "log_out", "reason": "left without logging out" })).await.status, 200);
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "offline");
    let audited = format!(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'agent.state_set' AND actor = 'user:{}' AND target = 'user:{}' AND details LIKE '%team briefing at 3%'",
        supervisor.id.0, agent.id.0
    );
    assert_eq!(server.db.raw.scalar(&audited).await, 1);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'agent.state_set'").await, 3);
    assert_eq!(sam.post("/api/agents/999999/state", json!({ "change": "log_out", "reason": "x" })).await.status, 404);
    assert_eq!(ada.post(&path, json!({ "change": "log_out", "reason": "x" })).await.status, 403, "agents do not move others");
}

async fn an_agent_works_a_shift_and_every_move_is_recorded(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let agent = server.create_user(&tenant, "ada", Role::Agent, false).await;
    let supervisor = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
    let ada = server.signed_in(&agent).await;
    let sam = server.signed_in(&supervisor).await;

    let start = ada.get("/api/agent/state").await;
    assert_eq!((start.status, start.body["state"].as_str()), (200, Some("offline")));
    for (event, reason, expected) in [
        ("log_in", None, "available"),
        ("take_break", Some("lunch"), "break"),
        ("end_break", None, "available"),
        ("log_out", None, "offline"),
    ] {
        let mut body = json!({ "event": event });
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        let reply = ada.post("/api/agent/state", body).await;
        assert_eq!(reply.status, 200, "{event}: {}", reply.body);
        assert_eq!(reply.body["state"], expected, "{event}");
        if event == "take_break" {
            assert_eq!(reply.body["reason"], "lunch");
            let seen = sam.get("/api/agents").await;
            let row = seen.body.as_array().unwrap().iter().find(|r| r["user_id"] == agent.id.0).unwrap().clone();
            assert_eq!((row["state"].as_str(), row["reason"].as_str()), (Some("break"), Some("lunch")), "the supervisor sees the break");
        }
    }
    let history = sam.get(&format!("/api/agents/{}/history", agent.id.0)).await;
    assert_eq!(history.status, 200);
    let moves: Vec<(String, String, String)> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["event"].as_str().unwrap().into(), m["from"].as_str().unwrap().into(), m["to"].as_str().unwrap().into()))
        .collect();
    let expected = [
        ("log_out", "available", "offline"),
        ("end_break", "break", "available"),
        ("take_break", "available", "break"),
        ("log_in", "offline", "available"),
    ];
    assert_eq!(moves, expected.map(|(e, f, t)| (e.to_owned(), f.to_owned(), t.to_owned())).to_vec(), "newest first");
    let audited = server
        .db
        .raw
        .scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = 'agent.state' AND target = 'user:{}'", agent.id.0))
        .await;
    assert_eq!(audited, 4);
    // Agents do not watch each other; other tenants' agents do not exist here.
    assert_eq!(ada.get("/api/agents").await.status, 403);
    let beta = server.create_tenant("beta").await;
    let outsider = server.create_user(&beta, "eve", Role::Agent, false).await;
    assert_eq!(sam.get(&format!("/api/agents/{}/history", outsider.id.0)).await.status, 404);
}

async fn illegal_moves_are_refused_and_change_nothing(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant.clone(), "bob", Role::Agent, false).await;
    let bob = server.signed_in(&agent).await;
    let refused = bob.post("/api/agent/state", json!({ "event": "log_out" })).await;
    assert_eq!((refused.status, refused.code()), (409, "illegal_transition"));
    assert_eq!(refused.body["error"]["message"], "an agent who is offline cannot log out");
    for (body, code) in [
        (json!({ "event": "take_break" }), "invalid_body"),
        (json!({ "event": "connect" }), "invalid_body"),
        (json!({ "event": "take_break", "reason": "<b>" }), "invalid_body"),
    ] {
        let reply = bob.post("/api/agent/state", body.clone()).await;
        assert_eq!((reply.status, reply.code()), (422, code), "{body}");
    }
    assert_eq!(bob.post("/api/agent/state", json!({ "event": "log_in", "extra": 1 })).await.status, 422);
    assert_eq!(bob.post("/api/agent/state", json!({ "event": "log_in" })).await.status, 200);
    let twice = bob.post("/api/agent/state", json!({ "event": "log_in" })).await;
    assert_eq!((twice.status, twice.code()), (409, "illegal_transition"));
    assert_eq!(bob.get("/api/agent/state").await.body["state"], "available");
    let moves = server.db.raw.scalar("SELECT COUNT(*) FROM agent_state_history").await;
    assert_eq!(moves, 1, "only the one legal move is recorded");
}

pub(crate) mod live {
    use super::*;
    use trustline_domain::Clock;

    on_both_engines!(
        supervisors_see_agents_change_as_it_happens,
        an_agents_feed_carries_their_own_moves_until_they_sign_out,
        an_agent_whose_desk_is_gone_is_logged_out_of_work
    );

    /// Reads the stream until `wanted` appears (or fails after ten seconds).
    pub(crate) async fn read_until(response: &mut reqwest::Response, wanted: &str) -> String {
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while !seen.contains(wanted) {
            let chunk = tokio::time::timeout_at(deadline, response.chunk())
                .await
                .expect("the event came in time")
                .unwrap()
                .expect("the stream is open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        seen
    }

    async fn supervisors_see_agents_change_as_it_happens(engine: Engine) {
        let server = TestServer::start(engine).await;
        let tenant = server.tenant.clone();
        let agent = server.create_user(&tenant, "ada", Role::Agent, false).await;
        let supervisor = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
        let ada = server.signed_in(&agent).await;
        let sam = server.signed_in(&supervisor).await;
        ada.post("/api/agent/state", json!({ "event": "log_in" })).await;

        let mut stream = sam.http.get(sam.url("/api/live")).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        assert_eq!(stream.headers()["content-type"], "text/event-stream");
        let snapshot = read_until(&mut stream, "\n\n").await;
        assert!(snapshot.starts_with("event: snapshot"), "{snapshot}");
        assert!(snapshot.contains(r#""state":"available""#), "the snapshot has Ada logged in: {snapshot}");

        ada.post("/api/agent/state", json!({ "event": "take_break", "reason": "coffee" })).await;
        let change = read_until(&mut stream, "coffee").await;
        assert!(change.contains("event: agent"), "{change}");
        assert!(change.contains(&format!(r#""user_id":{}"#, agent.id.0)), "{change}");

        // Another tenant's changes never reach this stream; agents cannot watch.
        let beta = server.create_tenant("beta").await;
        let eve = server.signed_in(&server.create_user(&beta, "eve", Role::Agent, false).await).await;
        eve.post("/api/agent/state", json!({ "event": "log_in" })).await;
        ada.post("/api/agent/state", json!({ "event": "end_break" })).await;
        let next = read_until(&mut stream, "event: agent").await;
        assert!(next.contains(&format!(r#""user_id":{}"#, agent.id.0)) && next.contains(r#""state":"available""#), "{next}");
        assert_eq!(ada.http.get(ada.url("/api/live")).send().await.unwrap().status(), 403);
    }

    async fn an_agents_feed_carries_their_own_moves_until_they_sign_out(engine: Engine) {
        let server = TestServer::start(engine).await;
        let tenant = server.tenant.clone();
        let (ada_user, bob_user) =
            (server.create_user(&tenant, "ada", Role::Agent, false).await, server.create_user(&tenant, "bob", Role::Agent, false).await);
        let (ada, bob) = (server.signed_in(&ada_user).await, server.signed_in(&bob_user).await);

        let mut feed = ada.http.get(ada.url("/api/agent/events")).send().await.unwrap();
        assert_eq!((feed.status().as_u16(), feed.headers()["content-type"].to_str().unwrap()), (200, "text/event-stream"));
        let first = read_until(&mut feed, "\n\n").await;
        assert!(first.starts_with("event: agent") && first.contains(&format!(r#""user_id":{}"#, ada_user.id.0)), "{first}");
        bob.post("/api/agent/state", json!({ "event": "log_in" })).await;
        ada.post("/api/agent/state", json!({ "event": "log_in" })).await;
        let mine = read_until(&mut feed, r#""state":"available""#).await;
        assert!(!mine.contains(&format!(r#""user_id":{}"#, bob_user.id.0)), "another agent's moves stay out: {mine}");

        // Signed out, the feed ends at its next check.
        assert_eq!(ada.delete("/api/session").await.status, 204);
        let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            let mut seen = String::new();
            while let Ok(Some(chunk)) = feed.chunk().await {
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
            seen
        })
        .await
        .expect("the feed ended");
        assert!(ended.contains("event: signed_out"), "{ended}");
        assert_eq!(ada.http.get(ada.url("/api/agent/events")).send().await.unwrap().status(), 401);
    }

    async fn an_agent_whose_desk_is_gone_is_logged_out_of_work(engine: Engine) {
        let server = TestServer::start(engine).await;
        let tenant = server.tenant.clone();
        let (ada_user, bob_user) =
            (server.create_user(&tenant, "ada", Role::Agent, false).await, server.create_user(&tenant, "bob", Role::Agent, false).await);
        let (ada, bob) = (server.signed_in(&ada_user).await, server.signed_in(&bob_user).await);
        server.start_engine(crate::dialer::everyone_answers(), 100.0);
        for agent in [&ada, &bob] {
            assert_eq!(agent.post("/api/agent/state", json!({ "event": "log_in" })).await.status, 200);
        }
        // Ada works at the desk (its feed marks it seen); Bob through the API alone.
        let mut feed = ada.http.get(ada.url("/api/agent/events")).send().await.unwrap();
        read_until(&mut feed, "\n\n").await;
        let seen = format!("SELECT COUNT(*) FROM agent_states WHERE user_id = {} AND desk_seen_at IS NOT NULL", ada_user.id.0);
        for _ in 0..200 {
            if server.db.raw.scalar(&seen).await == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(server.db.raw.scalar(&seen).await, 1, "the open feed marks the desk seen");
        drop(feed);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(ada.get("/api/agent/state").await.body["state"], "available", "a reload or reconnect has time");

        server.clock.advance(31);
        crate::dialer::wait_for(&ada, "/api/agent/state", |s| s["state"] == "offline").await;
        assert_eq!(bob.get("/api/agent/state").await.body["state"], "available", "an agent without a desk feed stays");
        let audited =
            "SELECT COUNT(*) FROM audit_events WHERE action = 'agent.state' AND actor = 'system' AND details LIKE '%desk closed%'";
        assert_eq!(server.db.raw.scalar(audited).await, 1);
        // A desk seen on an earlier day says nothing once the agent logs in again (Bob's is set by hand:
        // Ada's dropped feed may live on the server until its next write fails).
        assert_eq!(bob.post("/api/agent/state", json!({ "event": "log_out" })).await.status, 200);
        let earlier = server.clock.now() - 86_400;
        server.db.raw.execute(&format!("UPDATE agent_states SET desk_seen_at = {earlier} WHERE user_id = {}", bob_user.id.0)).await;
        assert_eq!(bob.post("/api/agent/state", json!({ "event": "log_in" })).await.status, 200);
        server.clock.advance(31);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(bob.get("/api/agent/state").await.body["state"], "available");
    }
}

mod report {
    use super::*;
    use trustline_domain::Clock;

    on_both_engines!(the_agent_time_report_adds_up_and_is_audited);

    async fn the_agent_time_report_adds_up_and_is_audited(engine: Engine) {
        let server = TestServer::start(engine).await;
        let tenant = server.tenant.clone();
        let agent = server.create_user(&tenant, "ada", Role::Agent, false).await;
        let supervisor = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
        let ada = server.signed_in(&agent).await;
        let sam = server.signed_in(&supervisor).await;
        let start = server.clock.now();
        ada.post("/api/agent/state", json!({ "event": "log_in" })).await;
        server.clock.advance(600);
        ada.post("/api/agent/state", json!({ "event": "take_break", "reason": "lunch" })).await;
        server.clock.advance(300);
        ada.post("/api/agent/state", json!({ "event": "end_break" })).await;
        server.clock.advance(100);
        ada.post("/api/agent/state", json!({ "event": "log_out" })).await;

        let path = format!("/api/reports/agent-time?from={start}&seconds=3600");
        let reply = sam.http.get(sam.url(&path)).send().await.unwrap();
        assert_eq!(reply.status(), 200);
        assert!(reply.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = reply.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "only agents who logged in: {csv}");
        assert_eq!(lines[1], format!("{},\"ada\",1000,700,0,0,0,300,0.0000,0,,\"\"", agent.id.0), "no calls, so no handle time");
        let audited = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'report.export'").await;
        assert_eq!(audited, 1);
        // As JSON, for the wallboard: the same figures and the floor's totals; a view, not an export.
        let json = sam.get(&format!("{path}&format=json")).await;
        assert_eq!(json.status, 200, "{}", json.body);
        assert_eq!(json.body["agents"][0]["seconds"]["break"], 300, "{}", json.body);
        assert_eq!((&json.body["floor"]["logged_in_seconds"], &json.body["floor"]["occupancy"]), (&json!(1000), &json!(0.0)));
        assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'report.export'").await, 1);
        assert_eq!(sam.get(&format!("{path}&format=xml")).await.code(), "invalid_query", "json or csv, as the API document says");
        // A report starting mid-break starts from the state then.
        let later = format!("/api/reports/agent-time?from={}&seconds=100", start + 700);
        let csv = sam.http.get(sam.url(&later)).send().await.unwrap().text().await.unwrap();
        assert!(csv.lines().nth(1).unwrap().contains(",100,0,0,0,0,100,"), "{csv}");
        let bad = sam.get(&format!("/api/reports/agent-time?from={start}&seconds=0")).await;
        assert_eq!((bad.status, bad.code()), (422, "invalid_period"));
        assert_eq!(ada.get(&path).await.status, 403);
    }
}

/// On PostgreSQL any number of nodes share the database: a supervisor
/// connected to one node sees changes made through another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_feed_crosses_server_nodes_on_postgres() {
    if !Engine::Postgres.available() {
        return;
    }
    let server = TestServer::start(Engine::Postgres).await;
    let tenant = server.tenant.clone();
    let agent = server.create_user(&tenant, "ada", Role::Agent, false).await;
    let supervisor = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
    let other_node = server.second_node().await;
    let sam = server.signed_in_at(&other_node, &supervisor).await;
    let ada = server.signed_in(&agent).await;

    let mut stream = sam.http.get(sam.url("/api/live")).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    live::read_until(&mut stream, "event: snapshot").await;
    // The other node's listener connects in the background: retry the move
    // until a change arrives, with a fresh move each time.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut events = ["log_in", "log_out"].iter().cycle();
    loop {
        let event = events.next().unwrap();
        assert_eq!(ada.post("/api/agent/state", json!({ "event": event })).await.status, 200);
        let arrived = tokio::time::timeout(std::time::Duration::from_secs(1), live::read_until(&mut stream, "event: agent")).await;
        if let Ok(change) = arrived {
            assert!(change.contains(&format!(r#""user_id":{}"#, agent.id.0)), "{change}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no change crossed the nodes");
    }
}
