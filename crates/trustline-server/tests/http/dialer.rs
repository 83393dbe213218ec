//! The live dialer over HTTP with the simulated carrier: agents log in, the
//! dialer dials, calls are answered and dispositioned; the gate holds for
//! every call; preview agents are offered contacts, masked until connected.

use serde_json::{Value, json};
use std::time::Duration;
use trustline_domain::Role;
use trustline_telephony::CarrierProfile;
use trustline_testkit::{Engine, TestClient, TestServer, TestUser, on_both_engines};

on_both_engines!(
    progressive_calls_reach_the_agent_and_the_gate_holds,
    predictive_calls_find_free_agents_and_figures_add_up,
    preview_agents_see_masked_contacts_skip_dial_and_set_dispositions,
    a_ringing_call_reaches_the_desk_and_its_agent_can_cancel_it,
    wrap_up_ends_at_its_limit_and_when_the_desk_is_gone,
    serve_and_simulate_dial_the_same_contacts_in_the_same_order,
    an_agent_reserved_when_the_process_stopped_is_free_again
);

/// Nobody answers for ten minutes: a call rings as long as a test needs.
pub(crate) fn nobody_answers() -> CarrierProfile {
    CarrierProfile { answer_rate: 0.0, machine_rate: 0.0, busy_rate: 0.0, no_answer_timeout_ms: 600_000, ..CarrierProfile::default() }
}

/// Monday 18 March 2030, 12:00 UTC: 12:00 in London, 05:00 in Los Angeles.
pub(crate) const MONDAY_NOON_UTC: i64 = 1_900_065_600;

/// Everyone answers; conversations of about 0.2 s at this speed.
pub(crate) fn everyone_answers() -> CarrierProfile {
    CarrierProfile { answer_rate: 1.0, machine_rate: 0.0, busy_rate: 0.0, talk_median_ms: 20_000.0, ..CarrierProfile::default() }
}

pub(crate) struct CallCentre {
    pub(crate) server: TestServer,
    pub(crate) supervisor: TestClient,
    pub(crate) agents: Vec<TestClient>,
    users: Vec<TestUser>,
}

impl CallCentre {
    /// Moves the clock on; sessions end, so everyone signs in again.
    async fn later(&mut self, seconds: i64) {
        self.server.clock.advance(seconds);
        let sam = self.users.first().unwrap();
        self.supervisor = self.server.signed_in(sam).await;
        let mut agents = Vec::new();
        for user in self.users.iter().skip(1) {
            agents.push(self.server.signed_in(user).await);
        }
        self.agents = agents;
    }
}

/// A tenant with a supervisor, `agents` agents and a list `spring` holding `csv`.
pub(crate) async fn call_centre(engine: Engine, agents: usize, csv: &str) -> CallCentre {
    let server = TestServer::start(engine).await;
    server.clock.advance(MONDAY_NOON_UTC - 1_900_000_000);
    let tenant = server.tenant.clone();
    let sam = server.create_user(&tenant, "sam", Role::Supervisor, true).await;
    let supervisor = server.signed_in(&sam).await;
    let mut clients = Vec::new();
    let mut users = vec![sam];
    for i in 0..agents {
        let user = server.create_user(&tenant, &format!("agent{i}"), Role::Agent, false).await;
        clients.push(server.signed_in(&user).await);
        users.push(user);
    }
    let rows = csv.lines().count() - 1;
    let upload = supervisor.upload("/api/imports?list=spring", csv.as_bytes().to_vec(), "text/csv").await;
    assert_eq!(upload.status, 202, "{}", upload.body);
    wait_for(&supervisor, "/api/lists", |lists| lists[0]["members"] == json!(rows) && lists[0]["status"] == "ready").await;
    CallCentre { server, supervisor, agents: clients, users }
}

/// Polls `path` until `done` holds for its answer (10 s at most).
pub(crate) async fn wait_for(client: &TestClient, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let reply = client.get(path).await;
        if reply.status == 200 && done(&reply.body) {
            return reply.body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never reached the expected state: {}", client.get(path).await.body);
}

pub(crate) async fn start_campaign(supervisor: &TestClient, settings: Value) -> i64 {
    let created = supervisor.post("/api/campaigns", settings).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(supervisor.post(&format!("/api/campaigns/{id}/status"), json!({ "status": "running" })).await.status, 200);
    id
}

pub(crate) async fn log_in(agent: &TestClient) {
    let reply = agent.post("/api/agent/state", json!({ "event": "log_in" })).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

pub(crate) fn calls_path() -> String {
    format!("/api/calls?from={}&seconds={}", MONDAY_NOON_UTC - 60, 86_400 + 60)
}

async fn progressive_calls_reach_the_agent_and_the_gate_holds(engine: Engine) {
    // One Londoner to call; one on do-not-contact; one in Los Angeles, where it is 05:00.
    let csv = "name,phone\nAda Lovelace,+44 20 7183 8750\nBob Barred,+44 20 7946 0001\nCarl West,+1 213 555 0147\n";
    let mut centre = call_centre(engine, 1, csv).await;
    let (sam, ada) = (&centre.supervisor, &centre.agents[0]);
    let contacts = sam.get("/api/contacts").await.body["contacts"].as_array().unwrap().clone();
    let barred = contacts.iter().find(|c| c["phones"][0].as_str().unwrap().ends_with("01")).unwrap()["id"].as_i64().unwrap();
    let dnc =
        sam.post(&format!("/api/contacts/{barred}/consent"), json!({ "kind": "do_not_contact", "value": "on", "source": "letter" })).await;
    assert_eq!(dnc.status, 200, "{}", dnc.body);
    centre.server.start_engine(everyone_answers(), 100.0);
    let campaign = start_campaign(
        sam,
        json!({ "name": "Renewals", "mode": "progressive", "lists": ["spring"], "script": "Hello, this is Acme.", "max_attempts": 2 }),
    )
    .await;
    assert_eq!(ada.get("/api/agent/work").await.body, json!({ "call": null }), "no call before the agent logs in");
    log_in(ada).await;

    let work = wait_for(ada, "/api/agent/work", |w| w["call"]["state"] == "wrap_up").await;
    assert_eq!(work["contact"]["masked"], false, "the connected agent sees the contact");
    assert_eq!(work["contact"]["name"], "Ada Lovelace");
    assert_eq!(work["campaign"]["script"], "Hello, this is Acme.");
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "wrap_up");
    let call = work["call"]["id"].as_i64().unwrap();
    let path = format!("/api/calls/{call}/disposition");
    let reply = ada.post(&path, json!({ "disposition": "sold" })).await;
    assert_eq!((reply.status, reply.code()), (409, "unknown_reference"));
    let reply = ada.post(&path, json!({ "disposition": "callback" })).await;
    assert_eq!((reply.status, reply.code()), (422, "invalid_callback"));
    let reply = ada.post(&path, json!({ "disposition": "success", "callback_at": MONDAY_NOON_UTC + 3600 })).await;
    assert_eq!((reply.status, reply.code()), (422, "invalid_callback"));
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "wrap_up", "refused dispositions change nothing");
    let reply = ada.post(&path, json!({ "disposition": "success", "note": "Renewed for two years" })).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!((ada.post(&path, json!({ "disposition": "success" })).await.status), 409, "set once");
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "available");

    // Nobody else may be dialled: one is on do-not-contact, the other's window is closed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = sam.get(&calls_path()).await.body["calls"].as_array().unwrap().clone();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!((calls[0]["disposition"].as_str(), calls[0]["result"].as_str()), (Some("success"), Some("person")));
    assert_eq!(calls[0]["campaign_id"], campaign);
    let history = sam.get(&format!("/api/contacts/{}", calls[0]["contact_id"])).await;
    assert_eq!(history.status, 200);
    let audited = centre
        .server
        .db
        .raw
        .scalar("SELECT COUNT(*) FROM audit_events WHERE action IN ('call.place', 'call.connect', 'call.disposition')")
        .await;
    assert_eq!(audited, 3, "placing, connecting and dispositioning the call are audited");

    // At 17:00 in Los Angeles the window opens there, and only the Californian is dialled.
    centre.later(12 * 3600).await;
    let (sam, ada) = (&centre.supervisor, &centre.agents[0]);
    let work = wait_for(ada, "/api/agent/work", |w| w["call"]["state"] == "wrap_up").await;
    assert_eq!(work["contact"]["name"], "Carl West");
    let call = work["call"]["id"].as_i64().unwrap();
    let callback = json!({ "disposition": "callback", "callback_at": MONDAY_NOON_UTC + 12 * 3600 + 600, "personal_callback": true });
    assert_eq!(ada.post(&format!("/api/calls/{call}/disposition"), callback).await.status, 204);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sam.get(&calls_path()).await.body["calls"].as_array().unwrap().len(), 2, "the callback is not due yet");
    centre.later(600).await;
    let ada = &centre.agents[0];
    let work = wait_for(ada, "/api/agent/work", |w| w["call"]["state"] == "wrap_up").await;
    assert_eq!(work["contact"]["name"], "Carl West", "called back when due");
    assert_eq!(work["history"][0]["disposition"], "callback", "the agent sees the earlier call");
    let call = work["call"]["id"].as_i64().unwrap();
    assert_eq!(ada.post(&format!("/api/calls/{call}/disposition"), json!({ "disposition": "retry_later" })).await.status, 204);
    centre.later(86_400).await;
    let sam = &centre.supervisor;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = sam.get(&format!("/api/calls?from={}&seconds={}", MONDAY_NOON_UTC - 60, 3 * 86_400 + 60)).await;
    assert_eq!(calls.body["calls"].as_array().unwrap().len(), 3, "two attempts were the most for Carl; Bob never");
}

async fn predictive_calls_find_free_agents_and_figures_add_up(engine: Engine) {
    let mut csv = String::from("name,phone\n");
    for i in 0..6 {
        csv.push_str(&format!("Person {i},+44 20 7946 01{i:02}\n"));
    }
    let centre = call_centre(engine, 2, &csv).await;
    let sam = &centre.supervisor;
    centre.server.start_engine(everyone_answers(), 100.0);
    let campaign = start_campaign(sam, json!({ "name": "Winter", "mode": "predictive", "lists": ["spring"] })).await;
    for agent in &centre.agents {
        log_in(agent).await;
    }
    let mut done = 0;
    for _ in 0..400 {
        for agent in &centre.agents {
            let work = agent.get("/api/agent/work").await.body;
            if work["call"]["state"] == "wrap_up" {
                let id = work["call"]["id"].as_i64().unwrap();
                let disposition = if done % 2 == 0 { "success" } else { "not_interested" };
                assert_eq!(agent.post(&format!("/api/calls/{id}/disposition"), json!({ "disposition": disposition })).await.status, 204);
                done += 1;
            }
        }
        if done == 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(done, 6, "every contact was reached and handled: {}", sam.get(&calls_path()).await.body);
    let report = sam.get(&format!("/api/reports/campaigns?from={}&seconds=3660", MONDAY_NOON_UTC - 60)).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let figures = &report.body["campaigns"][0]["figures"];
    assert_eq!(report.body["campaigns"][0]["campaign_id"], campaign);
    assert_eq!((figures["attempted"].as_u64(), figures["reached"].as_u64(), figures["connected"].as_u64()), (Some(6), Some(6), Some(6)));
    assert_eq!((figures["conversions"].as_u64(), figures["abandoned"].as_u64()), (Some(3), Some(0)));
    assert_eq!(figures["conversion_rate"], 0.5);
    let csv = sam.get(&format!("/api/reports/campaigns?from={}&seconds=3660&format=csv", MONDAY_NOON_UTC - 60)).await;
    assert_eq!(csv.status, 200);
    // Named by the days it covers (Monday 18 March 2030), not Unix seconds.
    assert_eq!(csv.headers["content-disposition"], "attachment; filename=\"campaigns-2030-03-18.csv\"");
    let text = csv.text;
    assert!(text.contains(&format!("{campaign},\"Winter\",6,6,1.0000,6,3,0.5000,0,0.0000")), "{text}");
    let audited = centre.server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'report.export'").await;
    assert_eq!(audited, 1, "the CSV export is audited");
    let agent_reply = centre.agents[0].get(&format!("/api/reports/campaigns?from={}&seconds=3660", MONDAY_NOON_UTC - 60)).await;
    assert_eq!(agent_reply.status, 403, "agents do not read campaign figures");
}

async fn preview_agents_see_masked_contacts_skip_dial_and_set_dispositions(engine: Engine) {
    let csv = "name,phone\nAda Lovelace,+44 20 7183 8750\nBea Brown,+44 20 7946 0002\n";
    let centre = call_centre(engine, 1, csv).await;
    let (sam, ada) = (&centre.supervisor, &centre.agents[0]);
    centre.server.start_engine(everyone_answers(), 100.0);
    start_campaign(sam, json!({ "name": "Look first", "mode": "preview", "lists": ["spring"], "script": "Ask for the account holder." }))
        .await;
    let reply = ada.post("/api/agent/next", json!({})).await;
    assert_eq!((reply.status, reply.code()), (409, "illegal_transition"), "log in first");
    log_in(ada).await;
    let offered = ada.post("/api/agent/next", json!({})).await;
    assert_eq!(offered.status, 200, "{}", offered.body);
    assert_eq!(offered.body["call"]["state"], "offered");
    assert_eq!(offered.body["contact"]["masked"], true, "a previewed contact is masked");
    assert_ne!(offered.body["contact"]["name"], "Ada Lovelace");
    assert_eq!(offered.body["campaign"]["script"], "Ask for the account holder.");
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "reserved");
    let first = offered.body["call"]["id"].as_i64().unwrap();
    assert_eq!(ada.post(&format!("/api/calls/{first}/hangup"), json!({})).await.code(), "wrong_call_state");
    assert_eq!(ada.post(&format!("/api/calls/{first}/skip"), json!({})).await.status, 204);
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "available");

    let offered = ada.post("/api/agent/next", json!({})).await;
    let second = offered.body["call"]["id"].as_i64().unwrap();
    assert_ne!(offered.body["call"]["contact_id"], json!(null));
    assert_eq!(sam.post(&format!("/api/calls/{second}/dial"), json!({})).await.status, 404, "only the offered agent dials");
    assert_eq!(ada.post(&format!("/api/calls/{first}/dial"), json!({})).await.code(), "wrong_call_state", "a skipped offer is over");
    assert_eq!(ada.post(&format!("/api/calls/{second}/dial"), json!({})).await.status, 204);
    let work = wait_for(ada, "/api/agent/work", |w| w["call"]["state"] == "wrap_up").await;
    assert_eq!(work["contact"]["masked"], false);
    let contact = work["call"]["contact_id"].as_i64().unwrap();
    let reply = ada
        .post(&format!("/api/calls/{second}/disposition"), json!({ "disposition": "do_not_call", "note": "Asked not to be called" }))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let shown = sam.get(&format!("/api/contacts/{contact}")).await;
    assert_eq!(shown.body["contact"]["consent"]["do_not_contact"], true, "do-not-call puts the contact on the do-not-contact list");
    assert_eq!(shown.body["contact"]["consent"]["dnc_source"], "call disposition");

    // The skipped contact comes round again; the do-not-call one never does.
    let mut offered_contacts = Vec::new();
    for _ in 0..3 {
        let offered = ada.post("/api/agent/next", json!({})).await;
        if offered.body["call"].is_null() {
            break;
        }
        offered_contacts.push(offered.body["call"]["contact_id"].as_i64().unwrap());
        let id = offered.body["call"]["id"].as_i64().unwrap();
        assert_eq!(ada.post(&format!("/api/calls/{id}/skip"), json!({})).await.status, 204);
    }
    assert!(!offered_contacts.is_empty(), "the skipped contact is offered again");
    assert!(!offered_contacts.contains(&contact), "{offered_contacts:?}");
}

/// After Dial the desk learns at once that the call rings (its agent's own
/// feed carries it, with how long it has rung), and the agent can give up
/// before anyone answers: the attempt ends as cancelled and they are free.
async fn a_ringing_call_reaches_the_desk_and_its_agent_can_cancel_it(engine: Engine) {
    let centre = call_centre(engine, 2, "name,phone\nAda Lovelace,+44 20 7183 8750\n").await;
    let (sam, ada, bea) = (&centre.supervisor, &centre.agents[0], &centre.agents[1]);
    centre.server.start_engine(nobody_answers(), 1.0);
    start_campaign(sam, json!({ "name": "Look first", "mode": "preview", "lists": ["spring"] })).await;
    log_in(ada).await;
    let id = ada.post("/api/agent/next", json!({})).await.body["call"]["id"].as_i64().unwrap();
    assert_eq!(ada.post(&format!("/api/calls/{id}/cancel"), json!({})).await.code(), "wrong_call_state", "nothing rings yet");
    assert_eq!(ada.post(&format!("/api/calls/{id}/dial"), json!({})).await.status, 204);
    let work = ada.get("/api/agent/work").await.body;
    assert_eq!((work["call"]["state"].as_str(), work["call"]["agent_id"].as_i64()), (Some("ringing"), Some(centre.users[1].id.0)));
    assert_eq!(work["in_state_for"], 0, "rung for no time yet by the server's clock");
    assert_eq!(ada.post(&format!("/api/calls/{id}/dial"), json!({})).await.code(), "wrong_call_state", "one dial per call");
    assert_eq!(bea.post(&format!("/api/calls/{id}/cancel"), json!({})).await.status, 404, "only its agent cancels a call");

    assert_eq!(ada.post(&format!("/api/calls/{id}/cancel"), json!({})).await.status, 204);
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "available");
    assert_eq!(ada.post(&format!("/api/calls/{id}/cancel"), json!({})).await.code(), "wrong_call_state", "over already");
    let calls = sam.get(&format!("/api/calls?from={}&seconds=3600", MONDAY_NOON_UTC - 60)).await.body;
    let call = calls["calls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!((call["state"].as_str(), call["result"].as_str()), (Some("done"), Some("cancelled")), "{call}");
    // The line's follower finds the call over and leaves it so.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let again = sam.get(&format!("/api/calls?from={}&seconds=3600", MONDAY_NOON_UTC - 60)).await.body;
    assert_eq!(again["calls"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["result"], "cancelled");
}

/// Dials the agent's next preview contact and waits for its wrap-up; the work view.
async fn worked_to_wrap_up(agent: &TestClient) -> Value {
    let id = agent.post("/api/agent/next", json!({})).await.body["call"]["id"].as_i64().unwrap();
    assert_eq!(agent.post(&format!("/api/calls/{id}/dial"), json!({})).await.status, 204);
    wait_for(agent, "/api/agent/work", |w| w["call"]["state"] == "wrap_up").await
}

/// The call as the supervisor's list shows it.
async fn call_of(supervisor: &TestClient, id: &Value) -> Value {
    let calls = supervisor.get(&format!("/api/calls?from={}&seconds=86400", MONDAY_NOON_UTC - 60)).await.body;
    calls["calls"].as_array().unwrap().iter().find(|c| &c["id"] == id).unwrap().clone()
}

/// An agent left in wrap-up (a closed browser, a forgotten disposition) is
/// made available when the campaign's limit runs out, and at once when
/// their desk is gone; the call is closed as wrap_up_timeout and the
/// contact tried again later. A limit of 0 sets none.
async fn wrap_up_ends_at_its_limit_and_when_the_desk_is_gone(engine: Engine) {
    let csv = "name,phone\nAda Lovelace,+44 20 7183 8750\nBea Brown,+44 20 7946 0002\nCyd Charisse,+44 20 7946 0003\n";
    let centre = call_centre(engine, 2, csv).await;
    let (sam, ada, bea) = (&centre.supervisor, &centre.agents[0], &centre.agents[1]);
    centre.server.start_engine(everyone_answers(), 100.0);
    let settings = json!({ "name": "Look first", "mode": "preview", "lists": ["spring"], "wrap_up_seconds": 30 });
    let campaign = start_campaign(sam, settings).await;
    let shown = sam.get(&format!("/api/campaigns/{campaign}")).await.body;
    assert_eq!(shown["settings"]["wrap_up_seconds"], 30);
    log_in(ada).await;
    let work = worked_to_wrap_up(ada).await;
    assert_eq!(work["wrap_up_within"], 30, "{work}");
    centre.server.clock.advance(31);
    wait_for(ada, "/api/agent/state", |s| s["state"] == "available").await;
    let call = call_of(sam, &work["call"]["id"]).await;
    assert_eq!((call["disposition"].as_str(), call["outcome"].as_str()), (Some("wrap_up_timeout"), Some("retry_later")), "{call}");
    let audited = "SELECT COUNT(*) FROM audit_events WHERE action = 'call.disposition' AND actor = 'system' AND details LIKE '%ran out%'";
    assert_eq!(centre.server.db.raw.scalar(audited).await, 1);

    // No limit: the wrap-up waits for the agent.
    let unlimited = json!({ "name": "Look first", "mode": "preview", "lists": ["spring"], "wrap_up_seconds": 0 });
    assert_eq!(sam.put(&format!("/api/campaigns/{campaign}"), unlimited).await.status, 204);
    let work = worked_to_wrap_up(ada).await;
    assert!(work.get("wrap_up_within").is_none(), "{work}");
    // Ten minutes, well past any default, within the session's idle time.
    centre.server.clock.advance(600);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(ada.get("/api/agent/state").await.body["state"], "wrap_up");

    // At a desk that is gone, the wrap-up closes and the agent is logged out.
    log_in(bea).await;
    let mut feed = bea.http.get(bea.url("/api/agent/events")).send().await.unwrap();
    crate::agents::live::read_until(&mut feed, "\n\n").await;
    let work = worked_to_wrap_up(bea).await;
    drop(feed);
    centre.server.clock.advance(31);
    wait_for(bea, "/api/agent/state", |s| s["state"] == "offline").await;
    assert_eq!(call_of(sam, &work["call"]["id"]).await["disposition"], "wrap_up_timeout");
    let closed =
        "SELECT COUNT(*) FROM audit_events WHERE action = 'call.disposition' AND actor = 'system' AND details LIKE '%desk closed%'";
    assert_eq!(centre.server.db.raw.scalar(closed).await, 1);
    assert_eq!(
        sam.put(
            &format!("/api/campaigns/{campaign}"),
            json!({ "name": "Look first", "mode": "preview", "lists": ["spring"], "wrap_up_seconds": 3601 })
        )
        .await
        .code(),
        "invalid_campaign"
    );
}

/// The engine as `serve` wires it (the database, the vault, the live feed,
/// real time, agents over HTTP) and as `simulate` wires it (in memory, in
/// virtual time, simulated agents), on the same carrier seed and the same
/// list, dials the same contacts in the same order: Londoners only (it is
/// 05:00 in Los Angeles), none on the do-not-contact list. Time moves
/// differently in the two, so the comparison is of the first pass over
/// the list, before any retry falls due.
async fn serve_and_simulate_dial_the_same_contacts_in_the_same_order(engine: Engine) {
    use trustline_dialer::{ListConfig, SimulationConfig, simulate_calls};
    use trustline_domain::dialing::DialingMode;
    const CONTACTS: usize = 24;
    let profile = CarrierProfile { answer_rate: 0.5, talk_median_ms: 20_000.0, ..CarrierProfile::default() };
    let barred = |position: usize| (position + 1).is_multiple_of(3);
    let mut csv = String::from("name,phone\n");
    for position in 0..CONTACTS {
        let phone = if position % 2 == 0 { format!("+44 20 7946 0{position:03}") } else { format!("+1 213 555 01{position:02}") };
        csv.push_str(&format!("Person {position},{phone}\n"));
    }
    let centre = call_centre(engine, 2, &csv).await;
    let sam = &centre.supervisor;
    let mut ids: Vec<i64> =
        sam.get("/api/contacts?limit=100").await.body["contacts"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids.len(), CONTACTS);
    for (_, id) in ids.iter().enumerate().filter(|(p, _)| barred(*p)) {
        let consent = json!({ "kind": "do_not_contact", "value": "on", "source": "letter" });
        let reply = sam.post(&format!("/api/contacts/{id}/consent"), consent).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    // The simulator's list: the same zones in turn, the same barred positions, the same moment.
    let mut config = SimulationConfig::new(2, 0.25, profile.answer_rate, 1);
    config.carrier = profile.clone();
    config.list = ListConfig {
        contacts: CONTACTS as u32,
        zones: vec!["Europe/London".into(), "America/Los_Angeles".into()],
        region: Some("GB".into()),
        do_not_contact_every: Some(3),
        start: MONDAY_NOON_UTC,
        ..ListConfig::default()
    };
    let (_, simulated) = simulate_calls(&config, DialingMode::Progressive).unwrap();
    let simulated: Vec<usize> = simulated.iter().map(|call| call.contact).collect();
    let expected: Vec<usize> = (0..CONTACTS).filter(|p| p % 2 == 0 && !barred(*p)).collect();
    assert_eq!(simulated, expected, "the simulator dials each diallable Londoner once, in list order");

    centre.server.start_engine(profile, 100.0);
    start_campaign(sam, json!({ "name": "Same seed", "mode": "progressive", "lists": ["spring"] })).await;
    for agent in &centre.agents {
        log_in(agent).await;
    }
    let mut served = Vec::new();
    for _ in 0..800 {
        for agent in &centre.agents {
            let work = agent.get("/api/agent/work").await.body;
            if work["call"]["state"] == "wrap_up" {
                let id = work["call"]["id"].as_i64().unwrap();
                assert_eq!(
                    agent.post(&format!("/api/calls/{id}/disposition"), json!({ "disposition": "not_interested" })).await.status,
                    204
                );
            }
        }
        let calls = sam.get(&calls_path()).await.body["calls"].as_array().unwrap().clone();
        served = calls.iter().map(|c| ids.iter().position(|id| Some(*id) == c["contact_id"].as_i64()).unwrap()).collect();
        if served.len() >= expected.len() && calls.iter().all(|c| c["state"] == "done") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(served, simulated, "serve dials what the simulator dials, in the same order");
}

/// A reservation that lived in the last run's memory only (an answered
/// call waiting for the agent, a colleague's consultation) has nothing to
/// end it after a stop: the engine frees such agents when it starts.
async fn an_agent_reserved_when_the_process_stopped_is_free_again(engine: Engine) {
    let server = TestServer::start(engine).await;
    server.clock.advance(MONDAY_NOON_UTC - 1_900_000_000);
    let tenant = server.tenant.clone();
    let user = server.create_user(&tenant, "agent0", Role::Agent, false).await;
    let agent = server.signed_in(&user).await;
    log_in(&agent).await;
    server.db.raw.execute(&format!("UPDATE agent_states SET state = 'reserved' WHERE user_id = {}", user.id.0)).await;
    assert_eq!(agent.get("/api/agent/state").await.body["state"], "reserved", "as the stopped process left it");
    server.start_engine(nobody_answers(), 100.0);
    wait_for(&agent, "/api/agent/state", |me| me["state"] == "available").await;
    let freed = format!("SELECT COUNT(*) FROM audit_events WHERE action = 'agent.withdraw' AND target = 'user:{}'", user.id.0);
    assert_eq!(server.db.raw.scalar(&freed).await, 1, "and the move is kept");
}
