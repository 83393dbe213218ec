use crate::session_cookie;
use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    idle_sessions_expire,
    sessions_have_an_absolute_lifetime,
    sign_out_revokes_the_session,
    disabling_a_user_ends_their_sessions,
    sessions_rotate_after_mfa,
    cookies_are_locked_down
);

async fn idle_sessions_expire(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.signed_in(&agent).await;
    assert_eq!(client.get("/api/me").await.status, 200);
    server.clock.advance(29 * 60);
    assert_eq!(client.get("/api/me").await.status, 200, "activity within the idle limit keeps it alive");
    server.clock.advance(29 * 60);
    assert_eq!(client.get("/api/me").await.status, 200);
    server.clock.advance(30 * 60);
    let reply = client.get("/api/me").await;
    assert_eq!((reply.status, reply.code()), (401, "session_expired"));
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM sessions").await, 0, "expired sessions are removed");
}

async fn sessions_have_an_absolute_lifetime(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.signed_in(&agent).await;
    for _ in 0..(12 * 60 / 20 - 1) {
        server.clock.advance(20 * 60);
        assert_eq!(client.get("/api/me").await.status, 200);
    }
    server.clock.advance(20 * 60);
    assert_eq!(client.get("/api/me").await.code(), "session_expired");
}

async fn sign_out_revokes_the_session(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.client();
    let reply = client.sign_in("acme", "agent", &agent.password).await;
    let cookie = session_cookie(&reply);
    assert_eq!(client.delete("/api/session").await.status, 204);
    // Replaying the old cookie by hand does not work either.
    let replay = reqwest::Client::new().get(client.url("/api/me")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(replay.status(), 401);
}

async fn disabling_a_user_ends_their_sessions(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let agent_client = server.signed_in(&agent).await;
    let admin_client = server.signed_in(&admin).await;
    assert_eq!(agent_client.get("/api/me").await.status, 200);
    assert_eq!(admin_client.post(&format!("/api/users/{}/disable", agent.id), json!({})).await.status, 204);
    assert_eq!(agent_client.get("/api/me").await.status, 401);
    assert_eq!(server.client().sign_in("acme", "agent", &agent.password).await.status, 401, "a disabled account cannot sign in");
    // Changing a role also ends the sessions (privilege change).
    let supervisor = server.create_user(&server.tenant, "sup", Role::Supervisor, false).await;
    let sup_client = server.signed_in(&supervisor).await;
    assert_eq!(admin_client.put(&format!("/api/users/{}/role", supervisor.id), json!({ "role": "agent" })).await.status, 204);
    assert_eq!(sup_client.get("/api/me").await.status, 401);
}

async fn sessions_rotate_after_mfa(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant, "owner", Role::Owner, true).await;
    let client = server.client();
    let first = client.sign_in("acme", "owner", &owner.password).await;
    assert_eq!(first.body["stage"], "mfa_pending");
    let pending_cookie = session_cookie(&first);
    server.clock.advance(30);
    let second = client.post("/api/session/mfa", json!({ "code": server.code(&owner) })).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let signed_cookie = session_cookie(&second);
    assert_ne!(pending_cookie, signed_cookie);
    let stale = reqwest::Client::new().get(client.url("/api/session")).header("cookie", pending_cookie).send().await.unwrap();
    assert_eq!(stale.status(), 401, "the pre-MFA session is gone");
    assert_eq!(client.get("/api/me").await.status, 200);
}

async fn cookies_are_locked_down(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let reply = server.client().sign_in("acme", "agent", &agent.password).await;
    let header = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Path=/"), "{header}");
    // Only a 32-byte digest of the (longer) session secret is stored.
    let value = session_cookie(&reply);
    assert!(value.trim_start_matches("tl_session=").len() > 40);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM sessions WHERE length(token_digest) <> 32").await, 0);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM sessions").await, 1);
}
