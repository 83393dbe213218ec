//! The role x route matrix, generated from the route table and the permission
//! matrix: change either and this test follows.

use reqwest::Method;
use serde_json::{Value, json};
use trustline_domain::{Role, permits};
use trustline_server::{Access, route_table};
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    every_role_against_every_route,
    anonymous_callers_are_sent_to_sign_in,
    tenants_cannot_reach_each_other,
    tokens_are_limited_to_their_scopes
);

/// A body each route accepts in shape, so that an allowed call is not refused
/// for its input before authorization is visible.
pub(crate) fn sample_body(method: &Method, path: &str) -> Option<Value> {
    let body = match (method.as_str(), path) {
        ("POST", "/api/users") => json!({ "username": "made-by-matrix", "display_name": "M", "role": "agent" }),
        ("PUT", "/api/users/{id}/role") => json!({ "role": "agent" }),
        ("PUT", "/api/me/password") => json!({ "current_password": "not it", "new_password": "whatever" }),
        ("POST", "/api/tokens") => json!({ "name": "matrix", "scopes": ["account.view"], "expires_in_days": 1 }),
        ("PUT", "/api/tenant/settings") => json!({ "require_mfa": false }),
        ("GET" | "DELETE", _) => return None,
        _ => json!({}),
    };
    Some(body)
}

async fn every_role_against_every_route(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let target = server.create_user(&tenant, "target", Role::Agent, false).await;
    let owner = server.create_user(&tenant, "token-owner", Role::Owner, true).await;
    let owner_client = server.signed_in(&owner).await;
    let token = owner_client.post("/api/tokens", json!({ "name": "t", "scopes": ["user.read"], "expires_in_days": 1 })).await;
    let token_id = token.body["details"]["id"].as_i64().unwrap();

    let mut refused = 0;
    for role in Role::ALL {
        let user = server.create_user(&tenant, &format!("{}-1", role.as_str()), role, true).await;
        let client = server.signed_in(&user).await;
        for spec in route_table() {
            let Access::Allowed(action) = spec.access else { continue };
            let id = if spec.path.starts_with("/api/tokens/") { token_id } else { target.id.0 };
            let path = spec.path.replace("{id}", &id.to_string());
            let reply = client.send(spec.method.clone(), &path, sample_body(&spec.method, spec.path)).await;
            let context =
                format!("{} {} {} as {}: {} {}", engine_name(engine), spec.method, spec.path, role.as_str(), reply.status, reply.body);
            if permits(role, action) {
                assert!(reply.status < 500 && reply.status != 401 && reply.status != 403, "should be allowed: {context}");
            } else if spec.path.starts_with("/api/") || spec.method != Method::GET {
                assert_eq!((reply.status, reply.code()), (403, "forbidden"), "should be refused: {context}");
                refused += 1;
            } else {
                // A page says so in a page.
                assert!(reply.status == 403 && reply.text.contains("Not allowed"), "should be refused: {context}");
                refused += 1;
            }
        }
    }
    assert!(refused > 10, "the matrix refused almost nothing ({refused})");
    // Every refusal of a signed-in caller is in the audit log.
    let denied = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND outcome = 'denied'").await;
    assert_eq!(denied, refused);
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    }
}

async fn anonymous_callers_are_sent_to_sign_in(engine: Engine) {
    let server = TestServer::start(engine).await;
    let client = server.client();
    for spec in route_table() {
        if spec.access.is_public() {
            continue;
        }
        let path = spec.path.replace("{id}", "1");
        let reply = client.send(spec.method.clone(), &path, sample_body(&spec.method, spec.path)).await;
        if spec.path.starts_with("/api/") || spec.method != Method::GET {
            assert_eq!(reply.status, 401, "{} {}", spec.method, spec.path);
        } else {
            assert_eq!(reply.status, 303, "{} {}", spec.method, spec.path);
            assert_eq!(reply.headers["location"], "/login");
        }
    }
}

async fn tenants_cannot_reach_each_other(engine: Engine) {
    let server = TestServer::start(engine).await;
    let beta = server.create_tenant("beta").await;
    let outsider = server.create_user(&beta, "outsider", Role::Agent, false).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let client = server.signed_in(&admin).await;

    let path = format!("/api/users/{}", outsider.id);
    assert_eq!(client.get(&path).await.status, 404);
    assert_eq!(client.post(&format!("{path}/disable"), json!({})).await.status, 404);
    assert_eq!(client.put(&format!("{path}/role"), json!({ "role": "admin" })).await.status, 404);
    let listed = client.get("/api/users").await;
    assert!(listed.body.as_array().unwrap().iter().all(|u| u["tenant_id"] == json!(server.tenant.id.0)));
    // The tenant cannot be chosen in the body.
    let smuggled =
        client.post("/api/users", json!({ "tenant_id": beta.id.0, "username": "x1", "display_name": "X", "role": "agent" })).await;
    assert_eq!(smuggled.status, 422);
    let still = server.db.store.user(beta.id, outsider.id).await.unwrap().unwrap();
    assert!(!still.disabled);
    // Credentials of one tenant do not open another.
    let wrong = server.client().sign_in("beta", "admin", &admin.password).await;
    assert_eq!(wrong.status, 401);
}

async fn tokens_are_limited_to_their_scopes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let client = server.signed_in(&admin).await;
    let created = client.post("/api/tokens", json!({ "name": "crm", "scopes": ["user.read"], "expires_in_days": 30 })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["token"].as_str().unwrap().to_owned();
    let api = reqwest::Client::new();
    let call = |method: Method, path: &str| api.request(method, format!("{}{path}", server.base)).bearer_auth(&secret);
    assert_eq!(call(Method::GET, "/api/users").send().await.unwrap().status(), 200);
    let refused =
        call(Method::POST, "/api/users").json(&json!({ "username": "z1", "display_name": "Z", "role": "agent" })).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(call(Method::GET, "/api/audit/events").send().await.unwrap().status(), 403);
    // A role cannot grant scopes beyond itself.
    let too_much = client.post("/api/tokens", json!({ "name": "x", "scopes": ["tenant.settings.update"], "expires_in_days": 1 })).await;
    assert_eq!((too_much.status, too_much.code()), (403, "scope_not_grantable"));

    // A token holding only `token.manage` once minted wider tokens. A new
    // token's scopes must be a subset of its creator's own.
    let narrow = client.post("/api/tokens", json!({ "name": "minter", "scopes": ["token.manage"], "expires_in_days": 30 })).await;
    let narrow = narrow.body["token"].as_str().unwrap().to_owned();
    let mint = |scopes: Value| {
        api.post(format!("{}/api/tokens", server.base))
            .bearer_auth(&narrow)
            .json(&json!({ "name": "minted", "scopes": scopes, "expires_in_days": 1 }))
            .send()
    };
    let tokens = server.db.raw.scalar("SELECT COUNT(*) FROM api_tokens").await;
    for wider in ["user.create", "contact.reveal", "audit.read", "subject.rights"] {
        let refused = mint(json!(["token.manage", wider])).await.unwrap();
        let status = refused.status().as_u16();
        let body: Value = refused.json().await.unwrap();
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("scope_not_grantable")), "{wider}: {body}");
    }
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM api_tokens").await, tokens, "nothing was minted");
    assert_eq!(mint(json!(["token.manage"])).await.unwrap().status(), 201, "its own scopes it may pass on");
    // Revoked and expired tokens stop working.
    let id = created.body["details"]["id"].as_i64().unwrap();
    assert_eq!(client.delete(&format!("/api/tokens/{id}")).await.status, 204);
    let after = call(Method::GET, "/api/users").send().await.unwrap();
    assert_eq!(after.status(), 401);
    let second = client.post("/api/tokens", json!({ "name": "crm2", "scopes": ["user.read"], "expires_in_days": 1 })).await;
    let secret2 = second.body["token"].as_str().unwrap().to_owned();
    server.clock.advance(86_400);
    let expired = api.get(format!("{}/api/users", server.base)).bearer_auth(&secret2).send().await.unwrap();
    assert_eq!(expired.status(), 401);
    // Only the digest is stored.
    let plain = server.db.raw.scalar(&format!("SELECT COUNT(*) FROM api_tokens WHERE name = '{secret}'")).await;
    assert_eq!(plain, 0);
}
