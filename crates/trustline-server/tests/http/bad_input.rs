//! Malformed requests get a 4xx with a code and change nothing.

use schemars::generate::SchemaSettings;
use serde_json::Value;
use trustline_domain::{EARLIEST_TIME, LATEST_TIME, Role};
use trustline_server::route_table;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    malformed_bodies_get_precise_errors,
    every_response_carries_security_headers,
    every_route_taking_a_period_refuses_extreme_times_and_changes_nothing
);

async fn malformed_bodies_get_precise_errors(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let client = server.signed_in(&admin).await;
    let csrf = client.csrf().unwrap();
    let users = server.db.raw.scalar("SELECT COUNT(*) FROM users").await;
    let events = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events").await;
    let send = |content_type: &'static str, body: Vec<u8>| {
        client
            .http
            .post(client.url("/api/users"))
            .header("x-csrf-token", csrf.clone())
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases: Vec<(&str, &'static str, Vec<u8>, u16, &str)> = vec![
        ("malformed JSON", "application/json", b"{\"username\": ".to_vec(), 400, "malformed_json"),
        ("not an object", "application/json", b"[1, 2]".to_vec(), 422, "invalid_body"),
        (
            "unknown field",
            "application/json",
            br#"{"username":"a1","display_name":"A","role":"agent","is_root":true}"#.to_vec(),
            422,
            "invalid_body",
        ),
        ("missing field", "application/json", br#"{"username":"a1"}"#.to_vec(), 422, "invalid_body"),
        ("wrong type", "application/json", br#"{"username":5,"display_name":"A","role":"agent"}"#.to_vec(), 422, "invalid_body"),
        (
            "invalid UTF-8",
            "application/json",
            b"{\"username\":\"\xff\xfe\",\"display_name\":\"A\",\"role\":\"agent\"}".to_vec(),
            400,
            "malformed_json",
        ),
        (
            "wrong content type",
            "text/plain",
            br#"{"username":"a1","display_name":"A","role":"agent"}"#.to_vec(),
            415,
            "unsupported_media_type",
        ),
        ("oversize", "application/json", format!("{{\"username\":\"{}\"}}", "a".repeat(200 * 1024)).into_bytes(), 413, "payload_too_large"),
        ("invalid role", "application/json", br#"{"username":"a1","display_name":"A","role":"root"}"#.to_vec(), 422, "invalid_role"),
        (
            "invalid username",
            "application/json",
            br#"{"username":"a b","display_name":"A","role":"agent"}"#.to_vec(),
            422,
            "invalid_username",
        ),
        (
            "control characters",
            "application/json",
            b"{\"username\":\"a\\u0000b\",\"display_name\":\"A\",\"role\":\"agent\"}".to_vec(),
            422,
            "invalid_username",
        ),
    ];
    for (what, content_type, body, status, code) in cases {
        // A body refused before it is read can meet a connection the server
        // already closed (a reset while still sending): try once more.
        let response = match send(content_type, body.clone()).await {
            Ok(response) => response,
            Err(_) => send(content_type, body).await.unwrap(),
        };
        let got = response.status().as_u16();
        let json: serde_json::Value = response.json().await.unwrap_or_default();
        assert_eq!((got, json["error"]["code"].as_str().unwrap_or("")), (status, code), "{what}: {json}");
        assert!(json["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{what} has no message");
    }
    let bad_id = client.get("/api/users/not-a-number").await;
    assert_eq!((bad_id.status, bad_id.code()), (400, "invalid_path"));
    let huge_id = client.get("/api/users/99999999999999999999999").await;
    assert_eq!(huge_id.status, 400);
    let bad_query = client.get("/api/audit/events?limit=-4").await;
    assert_eq!((bad_query.status, bad_query.code()), (400, "invalid_query"));
    let unknown = client.get("/api/nothing-here").await;
    assert_eq!((unknown.status, unknown.code()), (404, "not_found"));
    // serde reads a struct from an array too: `[null, null]` would clear
    // both retention periods if arrays were not refused.
    let before = client.get("/api/retention").await.body;
    let array = client
        .http
        .put(client.url("/api/retention"))
        .header("x-csrf-token", csrf.clone())
        .header("content-type", "application/json")
        .body("[null, null]")
        .send()
        .await
        .unwrap();
    assert_eq!(array.status(), 422, "an array is not a retention policy");
    assert_eq!(client.get("/api/retention").await.body, before);
    let method = client.send(reqwest::Method::PATCH, "/api/users", None).await;
    assert_eq!((method.status, method.code()), (405, "method_not_allowed"));
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM users").await, users);
    assert!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'user.create'").await <= events);
}

async fn every_response_carries_security_headers(engine: Engine) {
    let server = TestServer::start(engine).await;
    let client = server.client();
    for path in ["/login", "/healthz", "/api/users", "/no-such-page", "/static/app.css", "/"] {
        let response = client.http.get(client.url(path)).send().await.unwrap();
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
}

/// The query fields of a route that name times or lengths: `from`, `to`,
/// `seconds` or `day`.
fn time_fields(describe: fn(&mut schemars::SchemaGenerator) -> schemars::Schema) -> Vec<String> {
    let mut generator = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
    let schema = Value::from(describe(&mut generator));
    let names = schema.pointer("/properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_else(Vec::new);
    names.into_iter().filter(|n: &String| ["from", "to", "seconds", "day"].contains(&n.as_str())).collect()
}

/// `to - from` once wrapped around and passed the 31- and 366-day limits.
/// Every route whose query names a time (found from the route table, so a
/// new one is covered too) is tried with every pair of extreme values: each
/// answer is a 2xx only for times within 1970..9999, otherwise 422
/// `invalid_period`, never a server error, and the audit log is unchanged.
async fn every_route_taking_a_period_refuses_extreme_times_and_changes_nothing(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant, "owner", Role::Owner, true).await;
    let client = server.signed_in(&owner).await;
    let routes: Vec<_> =
        route_table().into_iter().filter_map(|r| r.query.map(time_fields).filter(|f| f.len() == 2).map(|f| (r.path, f))).collect();
    let paths: Vec<&str> = routes.iter().map(|(p, _)| *p).collect();
    for expected in
        ["/api/calls", "/api/reports/campaigns", "/api/reports/agent-time", "/api/trust/evidence", "/wallboard/charts/calls.svg"]
    {
        assert!(paths.contains(&expected), "{expected} not found among {paths:?}");
    }
    let extremes = [i64::MIN, i64::MIN + 1, -86_400, -1, EARLIEST_TIME, 86_400, LATEST_TIME, LATEST_TIME + 1, i64::MAX - 1, i64::MAX];
    let audited = || server.db.raw.scalar("SELECT COUNT(*) FROM audit_events");
    let mut tried = 0;
    for (path, fields) in &routes {
        for first in extremes {
            for second in extremes {
                let query = format!("{}={first}&{}={second}", fields[0], fields[1]);
                let before = audited().await;
                let reply = client.get(&format!("{path}?{query}")).await;
                let sane = [first, second].iter().all(|t| (EARLIEST_TIME..=LATEST_TIME).contains(t));
                let refused = (reply.status, reply.code()) == (422, "invalid_period");
                assert!(refused || (sane && reply.status < 300), "{path}?{query}: {} {}", reply.status, reply.body);
                if refused {
                    assert_eq!(audited().await, before, "{path}?{query}: a refused read is not audited as done");
                }
                tried += 1;
            }
        }
    }
    assert!(tried >= 500, "{tried}");
}
