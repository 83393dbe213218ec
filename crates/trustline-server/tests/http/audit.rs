use serde_json::json;
use trustline_domain::AuditAction;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    a_failed_audit_write_fails_the_request,
    changes_and_reads_are_audited,
    the_log_is_searched_on_the_server_a_page_at_a_time,
    readiness_reports_an_unwritable_audit_log,
    the_client_address_comes_from_trusted_proxies_only,
    verifying_while_events_are_appended_finds_nothing_wrong,
);

/// Verification reads the chain while requests keep appending to it: the
/// events written meanwhile are not mistaken for tampering.
async fn verifying_while_events_are_appended_finds_nothing_wrong(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let store = server.db.store.clone();
    let writer = {
        let (store, draft) = (store.clone(), server.audit(&tenant, AuditAction::ContactRead));
        tokio::spawn(async move {
            for _ in 0..400 {
                store.append_audit(vec![draft.clone()]).await.unwrap();
            }
        })
    };
    let key = server.db.keys.checkpoint_signer.public_key();
    let mut checks = 0;
    while !writer.is_finished() {
        let verdict = trustline_app::verify_tenant(&store, &server.db.keys.chain, &key, tenant.id).await.unwrap();
        assert!(verdict.is_ok(), "a growing chain reported as broken: {verdict:?}");
        checks += 1;
    }
    writer.await.unwrap();
    assert!(checks > 1, "verification ran while the chain grew");
    let verdict = trustline_app::verify_tenant(&store, &server.db.keys.chain, &key, tenant.id).await.unwrap();
    assert!(verdict.unwrap().events > 400);
}

async fn a_failed_audit_write_fails_the_request(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.signed_in(&admin).await;
    let users_before = server.db.raw.scalar("SELECT COUNT(*) FROM users").await;
    let events_before = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events").await;
    server.db.raw.block_audit_inserts().await;

    let create = client.post("/api/users", json!({ "username": "ghost", "display_name": "G", "role": "agent" })).await;
    assert_eq!((create.status, create.code()), (503, "audit_unavailable"));
    let disable = client.post(&format!("/api/users/{}/disable", agent.id), json!({})).await;
    assert_eq!(disable.code(), "audit_unavailable");
    let read = client.get("/api/users").await;
    assert_eq!(read.code(), "audit_unavailable", "a read of personal data that cannot be audited is refused");
    let sign_in = server.client().sign_in("acme", "agent", &agent.password).await;
    assert_eq!(sign_in.code(), "audit_unavailable");

    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM users").await, users_before);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM users WHERE disabled = TRUE").await, 0);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events").await, events_before);
}

async fn changes_and_reads_are_audited(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let auditor = server.create_user(&server.tenant, "auditor", Role::Auditor, true).await;
    let client = server.signed_in(&admin).await;
    let created = client.post("/api/users", json!({ "username": "newhire", "display_name": "N", "role": "agent" })).await;
    let id = created.body["user"]["id"].as_i64().unwrap();
    client.get(&format!("/api/users/{id}")).await;
    client.get("/api/users").await;

    let reader = server.signed_in(&auditor).await;
    let events = reader.get("/api/audit/events?limit=1000").await;
    assert_eq!(events.status, 200);
    let list = events.body.as_array().unwrap();
    let find =
        |action: &str| list.iter().rev().find(|e| e["action"] == action).unwrap_or_else(|| panic!("no {action} in {list:?}")).clone();
    let create = find("user.create");
    assert_eq!(create["actor"], format!("user:{}", admin.id));
    assert_eq!(create["target"], format!("user:{id}"));
    assert_eq!(create["outcome"], "success");
    assert_eq!(create["source"], "127.0.0.1");
    assert_eq!(find("user.read")["target"], format!("user:{id}"));
    find("user.list");
    find("session.login");
    find("session.mfa");
    // The generated password appears nowhere in the log.
    let password = created.body["initial_password"].as_str().unwrap();
    assert_eq!(server.db.raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE details LIKE '%{password}%'")).await, 0);
    let verdict = reader.get("/api/audit/verify").await;
    assert_eq!(verdict.body["intact"], true, "{}", verdict.body);
    let key = trustline_crypto::hex(&server.db.keys.checkpoint_signer.public_key());
    assert_eq!(verdict.body["signing_key"], key, "the key bundles and checkpoints verify with");
    // Auditors read but do not change.
    assert_eq!(reader.post("/api/users", json!({ "username": "x2", "display_name": "X", "role": "agent" })).await.status, 403);
}

async fn the_log_is_searched_on_the_server_a_page_at_a_time(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let auditor = server.create_user(&server.tenant, "auditor", Role::Auditor, true).await;
    let client = server.signed_in(&admin).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let created = client.post("/api/users", json!({ "username": format!("hire{i}"), "display_name": "N", "role": "agent" })).await;
        ids.push(created.body["user"]["id"].as_i64().unwrap());
    }
    let reader = server.signed_in(&auditor).await;
    let actor = format!("user:{}", admin.id);

    // Newest first, two at a time, to the end.
    let mut seen = Vec::new();
    let mut path = format!("/api/audit/search?action=user.cre&actor={actor}&limit=2");
    loop {
        let page = reader.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(page.body["events"].as_array().unwrap().iter().map(|e| e["target"].as_str().unwrap().to_owned()));
        match page.body["next_before"].as_i64() {
            Some(before) => path = format!("/api/audit/search?action=user.cre&actor={actor}&limit=2&before={before}"),
            None => break,
        }
    }
    let expected: Vec<String> = ids.iter().rev().map(|id| format!("user:{id}")).collect();
    assert_eq!(seen, expected);
    // Parts compare exactly: no wildcards, case counts.
    let exact = |query: String| {
        let reader = &reader;
        async move { reader.get(&format!("/api/audit/search?{query}")).await.body["events"].as_array().unwrap().len() }
    };
    assert_eq!(exact("action=user.%25".into()).await, 0, "a % is a character, not a wildcard");
    assert_eq!(exact("action=USER.create".into()).await, 0);
    assert_eq!(exact(format!("target=user:&action=user.create&outcome=success&actor={actor}")).await, 5);
    let searched = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.search'").await;
    assert_eq!(searched, 6, "every search is recorded");
    // Accounts are named; an action can be left out; time bounds the search.
    let page = reader.get(&format!("/api/audit/search?action=user.create&actor={actor}")).await.body;
    assert_eq!(page["names"][&actor], "Test admin", "{page}");
    assert_eq!(page["names"][format!("user:{}", ids[0])], "N", "{page}");
    assert_eq!(exact(format!("action=user.&not_action=user.create&actor={actor}")).await, 0);
    let at = page["events"][4]["at"].as_i64().unwrap();
    assert_eq!(page["events"][0]["at"], at, "the clock stood still");
    assert_eq!(exact(format!("action=user.create&actor={actor}&from={}", at + 1)).await, 0);
    assert_eq!(exact(format!("action=user.create&actor={actor}&from={at}&to={}", at + 1)).await, 5);
    assert_eq!(exact(format!("action=user.create&actor={actor}&to={at}")).await, 0);
    // The same search as a CSV file, its export audited with what was asked.
    let file = reader.http.get(reader.url(&format!("/api/audit/search?action=user.create&actor={actor}&format=csv"))).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-disposition"], "attachment; filename=\"audit-log.csv\"");
    let csv = file.text().await.unwrap();
    assert_eq!(csv.lines().count(), 6, "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains(r#","Test admin","user.create","user:"#)), "{csv}");
    let exports =
        server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.export' AND details LIKE '%user.create%'").await;
    assert_eq!(exports, 1);
    // A file holds up to 10000 events unless asked for fewer, within a page's limit.
    let two = reader.get(&format!("/api/audit/search?action=user.create&actor={actor}&format=csv&limit=2")).await.text;
    assert_eq!(two.lines().count(), 3, "{two}");
    let too_many = reader.get("/api/audit/search?format=csv&limit=501").await;
    assert_eq!((too_many.status, too_many.code()), (422, "invalid_search"), "{}", too_many.body);
    let backwards = reader.get(&format!("/api/audit/search?from={at}&to={}", at - 1)).await;
    assert_eq!((backwards.status, backwards.body["events"].as_array().map(Vec::len)), (200, Some(0)), "{}", backwards.body);
    let ancient = reader.get("/api/audit/search?from=-1").await;
    assert_eq!((ancient.status, ancient.code()), (422, "invalid_period"), "{}", ancient.body);

    let bad = reader.get(&format!("/api/audit/search?outcome=maybe&limit=501&before=0&actor={}", "x".repeat(201))).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_search"), "{}", bad.body);
    let fields: Vec<&str> = bad.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["actor", "outcome", "before", "limit"]);
    let agent = server.signed_in(&server.create_user(&server.tenant, "agent", Role::Agent, false).await).await;
    assert_eq!(agent.get("/api/audit/search").await.status, 403, "agents do not read the log");
}

async fn readiness_reports_an_unwritable_audit_log(engine: Engine) {
    let server = TestServer::start(engine).await;
    let client = server.client();
    assert_eq!(client.get("/healthz").await.status, 200);
    assert_eq!(client.get("/readyz").await.status, 200);
    let events = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events").await;
    server.db.raw.block_audit_inserts().await;
    let ready = client.get("/readyz").await;
    assert_eq!((ready.status, ready.code()), (503, "audit_unavailable"));
    assert_eq!(client.get("/healthz").await.status, 200, "liveness does not depend on the database");
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events").await, events);
}

async fn the_client_address_comes_from_trusted_proxies_only(engine: Engine) {
    let sources = |server: &TestServer| {
        let raw = server.db.raw.clone();
        async move { raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'session.login' AND source = '203.0.113.9'").await }
    };
    let sign_in = |server: &TestServer, password: String| {
        let client = server.client();
        async move {
            let body = json!({ "tenant": "acme", "username": "agent", "password": password });
            client.http.post(client.url("/api/session")).header("x-forwarded-for", "203.0.113.9").json(&body).send().await.unwrap().status()
        }
    };
    // Without configuration the header is ignored: anyone could send it.
    let plain = TestServer::start(engine).await;
    let agent = plain.create_user(&plain.tenant, "agent", Role::Agent, false).await;
    assert_eq!(sign_in(&plain, agent.password.clone()).await, 200);
    assert_eq!(sources(&plain).await, 0);
    // Behind a trusted proxy (the test client's own address) it names the client.
    let config = trustline_server::AppConfig { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Default::default() };
    let proxied = TestServer::start_with(engine, config).await;
    let agent = proxied.create_user(&proxied.tenant, "agent", Role::Agent, false).await;
    assert_eq!(sign_in(&proxied, agent.password.clone()).await, 200);
    assert_eq!(sources(&proxied).await, 1);
}
