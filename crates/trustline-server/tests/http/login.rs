use serde_json::json;
use std::time::Duration;
use trustline_crypto::Totp;
use trustline_domain::incidents::Thresholds;
use trustline_domain::{LoginThrottle, Role};
use trustline_server::AppConfig;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    failed_sign_ins_lock_the_account_without_revealing_it,
    failed_sign_ins_from_one_address_are_throttled,
    privileged_roles_must_enrol_mfa,
    tenants_can_require_mfa_for_everyone,
    mfa_codes_are_checked_and_single_use,
    wrong_codes_lock_the_second_factor_whatever_the_password_does,
    confirming_the_current_password_is_throttled_and_audited,
    weak_passwords_are_refused,
    a_one_time_password_must_be_replaced_first,
);

/// An invited person signs in with the one-time password they were given:
/// nothing but choosing their own password is open until they do.
async fn a_one_time_password_must_be_replaced_first(engine: Engine) {
    let server = TestServer::start(engine).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let owner = server.signed_in(&olive).await;
    let created = owner.post("/api/users", json!({ "username": "newbie", "display_name": "New Agent", "role": "agent" })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let one_time = created.body["initial_password"].as_str().unwrap().to_owned();
    let chosen = owner
        .post(
            "/api/users",
            json!({ "username": "chooser", "display_name": "C", "role": "agent", "password": "quartz lantern meadow violin" }),
        )
        .await;
    assert_eq!(chosen.status, 201);

    let newbie = server.client();
    let signed = newbie.sign_in("acme", "newbie", &one_time).await;
    assert_eq!((signed.status, signed.body["stage"].as_str()), (200, Some("password_change_required")), "{}", signed.body);
    let blocked = newbie.get("/api/agent/state").await;
    assert_eq!((blocked.status, blocked.code()), (403, "password_change_required"));
    let page = newbie.http.get(newbie.url("/desk")).send().await.unwrap();
    assert_eq!((page.status().as_u16(), page.headers()["location"].to_str().unwrap()), (303, "/password"));
    let weak = newbie.put("/api/me/password", json!({ "current_password": one_time, "new_password": "password123" })).await;
    assert_eq!(weak.status, 422, "{}", weak.body);
    let changed =
        newbie.put("/api/me/password", json!({ "current_password": one_time, "new_password": "harbour violin quartz meadow" })).await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(newbie.get("/api/me").await.status, 401, "the change ends the session");

    let again = server.client();
    assert_eq!(again.sign_in("acme", "newbie", &one_time).await.status, 401, "the one-time password is gone");
    let signed = again.sign_in("acme", "newbie", "harbour violin quartz meadow").await;
    assert_eq!(signed.body["stage"], "signed_in");
    assert_eq!(again.get("/api/agent/state").await.status, 200);
    // A password the person chose is not forced to change.
    let chooser = server.client();
    assert_eq!(chooser.sign_in("acme", "chooser", "quartz lantern meadow violin").await.body["stage"], "signed_in");
}

async fn failed_sign_ins_lock_the_account_without_revealing_it(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.client();
    let mut real = Vec::new();
    let mut ghost = Vec::new();
    for _ in 0..5 {
        let r = client.sign_in("acme", "agent", "wrong password here").await;
        real.push((r.status, r.code().to_owned(), r.body["error"]["message"].clone()));
        let g = client.sign_in("acme", "nobody", "wrong password here").await;
        ghost.push((g.status, g.code().to_owned(), g.body["error"]["message"].clone()));
    }
    assert_eq!(real, ghost, "an unknown account must look exactly like a known one");
    assert!(real.iter().all(|(s, c, _)| *s == 401 && c == "invalid_credentials"));
    let locked = client.sign_in("acme", "agent", &agent.password).await;
    assert_eq!((locked.status, locked.code()), (429, "too_many_attempts"), "even the right password waits");
    let ghost_locked = client.sign_in("acme", "nobody", "anything at all").await;
    assert_eq!((ghost_locked.status, ghost_locked.code()), (429, "too_many_attempts"));
    server.clock.advance(15 * 60);
    assert_eq!(client.sign_in("acme", "agent", &agent.password).await.status, 200);
    // Failures are audited with a keyed MAC of the typed name, never the name.
    let clear = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE details LIKE '%nobody%'").await;
    assert_eq!(clear, 0);
    let macs =
        server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'session.login' AND details LIKE '%username_mac%'").await;
    assert!(macs >= 10);
}

async fn failed_sign_ins_from_one_address_are_throttled(engine: Engine) {
    let config = AppConfig { throttle: LoginThrottle { max_failures_per_address: 8, ..LoginThrottle::default() }, ..AppConfig::default() };
    let server = TestServer::start_with(engine, config).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.client();
    for i in 0..8 {
        assert_eq!(client.sign_in("acme", &format!("user{i}"), "guess guess guess").await.status, 401);
    }
    assert_eq!(client.sign_in("acme", "agent", &agent.password).await.status, 429);
}

async fn enrol(server: &TestServer, client: &trustline_testkit::TestClient) -> Vec<String> {
    let started = client.post("/api/mfa/enrolment", json!({})).await;
    assert_eq!(started.status, 200, "{}", started.body);
    let uri = started.body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    let secret = started.body["secret"].as_str().unwrap();
    let code = format!("{:06}", Totp::code(&seed_from_base32(secret), Totp::step_at(server.clock_now())));
    let confirmed = client.post("/api/mfa/enrolment/confirm", json!({ "code": code })).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.body["stage"], "signed_in");
    confirmed.body["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
}

trait Now {
    fn clock_now(&self) -> i64;
}
impl Now for TestServer {
    fn clock_now(&self) -> i64 {
        trustline_domain::Clock::now(self.clock.as_ref())
    }
}

pub(crate) fn seed_from_base32(text: &str) -> trustline_crypto::TotpSecret {
    trustline_crypto::TotpSecret::from_bytes(zeroize::Zeroizing::new(trustline_crypto::base32_decode(text).unwrap()))
}

async fn privileged_roles_must_enrol_mfa(engine: Engine) {
    let server = TestServer::start(engine).await;
    for role in [Role::Owner, Role::Admin, Role::Auditor] {
        let user = server.create_user(&server.tenant, &format!("new-{}", role.as_str()), role, false).await;
        let client = server.client();
        let reply = client.sign_in("acme", &user.username, &user.password).await;
        assert_eq!(reply.body["stage"], "mfa_enrolment_required", "{role:?}");
        let blocked = client.get("/api/me").await;
        assert_eq!((blocked.status, blocked.code()), (403, "mfa_enrolment_required"), "{role:?}");
        let codes = enrol(&server, &client).await;
        assert_eq!(codes.len(), 10);
        assert_eq!(client.get("/api/me").await.status, 200, "{role:?}");
        assert_eq!(client.get("/api/me").await.body["user"]["mfa_enrolled"], true);
    }
    // Agents and supervisors may work without MFA unless the tenant requires it.
    let agent = server.create_user(&server.tenant, "plain-agent", Role::Agent, false).await;
    let reply = server.client().sign_in("acme", "plain-agent", &agent.password).await;
    assert_eq!(reply.body["stage"], "signed_in");
}

async fn tenants_can_require_mfa_for_everyone(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant, "owner", Role::Owner, true).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let owner_client = server.signed_in(&owner).await;
    assert_eq!(owner_client.put("/api/tenant/settings", json!({ "require_mfa": true })).await.status, 204);
    let client = server.client();
    let reply = client.sign_in("acme", "agent", &agent.password).await;
    assert_eq!(reply.body["stage"], "mfa_enrolment_required");
    assert_eq!(client.get("/api/me").await.code(), "mfa_enrolment_required");
}

async fn mfa_codes_are_checked_and_single_use(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant, "owner", Role::Owner, true).await;
    let client = server.client();
    client.sign_in("acme", "owner", &owner.password).await;
    assert_eq!(client.get("/api/me").await.code(), "mfa_required");
    let wrong = client.post("/api/session/mfa", json!({ "code": "000000" })).await;
    assert_eq!((wrong.status, wrong.code()), (401, "invalid_code"));
    server.clock.advance(30);
    let code = server.code(&owner);
    assert_eq!(client.post("/api/session/mfa", json!({ "code": code })).await.status, 200);
    // The same code cannot open a second session (replay).
    let other = server.client();
    other.sign_in("acme", "owner", &owner.password).await;
    let replay = other.post("/api/session/mfa", json!({ "code": code })).await;
    assert_eq!(replay.code(), "invalid_code");
    // A recovery code works once.
    let recovery = format!("{}-recovery", owner.username);
    assert_eq!(other.post("/api/session/mfa", json!({ "code": recovery })).await.status, 200);
    let third = server.client();
    third.sign_in("acme", "owner", &owner.password).await;
    assert_eq!(third.post("/api/session/mfa", json!({ "code": recovery })).await.code(), "invalid_code");
}

async fn weak_passwords_are_refused(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let client = server.signed_in(&admin).await;
    for weak in ["short", "password1234", "acmeacmeacme1"] {
        let reply =
            client.post("/api/users", json!({ "username": "newbie", "display_name": "N", "role": "agent", "password": weak })).await;
        assert_eq!((reply.status, reply.code()), (422, "weak_password"), "{weak}");
    }
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM users WHERE username = 'newbie'").await, 0);
    let generated = client.post("/api/users", json!({ "username": "newbie", "display_name": "N", "role": "agent" })).await;
    assert_eq!(generated.status, 201);
    let password = generated.body["initial_password"].as_str().unwrap();
    assert_eq!(server.client().sign_in("acme", "newbie", password).await.status, 200);
    let hash = server.db.store.user_by_username(server.tenant.id, "newbie").await.unwrap().unwrap().password_hash;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

/// "Password, four wrong codes", again and again, once gave unthrottled code
/// guesses: a correct password cleared the counter the codes also used. The
/// second factor has its own counter, per account, which only a completed
/// sign-in clears, and its failures raise an incident.
async fn wrong_codes_lock_the_second_factor_whatever_the_password_does(engine: Engine) {
    let server = TestServer::start(engine).await;
    server.app.start_incident_detection(Duration::from_millis(50), Thresholds::default());
    let owner = server.create_user(&server.tenant, "owner", Role::Owner, true).await;
    let first = server.client();
    first.sign_in("acme", "owner", &owner.password).await;
    for _ in 0..4 {
        let wrong = first.post("/api/session/mfa", json!({ "code": "000000" })).await;
        assert_eq!((wrong.status, wrong.code()), (401, "invalid_code"));
    }
    // A new session with the right password: the count goes on.
    let second = server.client();
    assert_eq!(second.sign_in("acme", "owner", &owner.password).await.body["stage"], "mfa_pending");
    let fifth = second.post("/api/session/mfa", json!({ "code": "000000" })).await;
    assert_eq!((fifth.status, fifth.code()), (401, "invalid_code"));
    let third = server.client();
    third.sign_in("acme", "owner", &owner.password).await;
    let locked = third.post("/api/session/mfa", json!({ "code": server.code(&owner) })).await;
    assert_eq!((locked.status, locked.code()), (429, "too_many_attempts"), "even the right code waits");

    // Fifteen minutes on, the right code completes the sign-in and clears the count.
    server.clock.advance(15 * 60);
    let fourth = server.client();
    fourth.sign_in("acme", "owner", &owner.password).await;
    assert_eq!(fourth.post("/api/session/mfa", json!({ "code": server.code(&owner) })).await.status, 200);
    let fifth = server.client();
    fifth.sign_in("acme", "owner", &owner.password).await;
    for _ in 0..4 {
        assert_eq!(fifth.post("/api/session/mfa", json!({ "code": "000000" })).await.code(), "invalid_code");
    }
    server.clock.advance(30);
    assert_eq!(fifth.post("/api/session/mfa", json!({ "code": server.code(&owner) })).await.status, 200);

    let mut incidents = Vec::new();
    for _ in 0..100 {
        incidents = fourth.get("/api/incidents").await.body.as_array().cloned().unwrap_or_default();
        if !incidents.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kinds: Vec<&str> = incidents.iter().filter_map(|i| i["kind"].as_str()).collect();
    assert_eq!(kinds, ["second_factor_brute_force"], "{incidents:?}");
}

/// Changing one's password was an unthrottled, unaudited password oracle.
/// Now a wrong current password counts as a failed sign-in of the account,
/// and every attempt is audited.
async fn confirming_the_current_password_is_throttled_and_audited(engine: Engine) {
    let server = TestServer::start(engine).await;
    let ada = server.create_user(&server.tenant, "ada", Role::Agent, false).await;
    let session = server.signed_in(&ada).await;
    let change = |current: &str| json!({ "current_password": current, "new_password": "harbour violin quartz meadow" });
    for i in 0..5 {
        let wrong = session.put("/api/me/password", change(&format!("guess {i}"))).await;
        assert_eq!((wrong.status, wrong.code()), (422, "wrong_password"));
    }
    let locked = session.put("/api/me/password", change(&ada.password)).await;
    assert_eq!((locked.status, locked.code()), (429, "too_many_attempts"), "even the right password waits");
    let sign_in = server.client().sign_in("acme", "ada", &ada.password).await;
    assert_eq!(sign_in.status, 429, "the guesses count against signing in too");
    let count = |outcome: &'static str| {
        let db = &server.db.raw;
        async move {
            db.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = 'user.password_change' AND outcome = '{outcome}'")).await
        }
    };
    assert_eq!((count("failure").await, count("denied").await, count("success").await), (5, 1, 0));

    server.clock.advance(15 * 60);
    let session = server.signed_in(&ada).await;
    assert_eq!(session.put("/api/me/password", change(&ada.password)).await.status, 204);
    assert_eq!(count("success").await, 1);
}
