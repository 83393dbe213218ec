use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(state_changes_without_the_token_are_refused, forms_need_the_token_too, reads_need_no_token);

async fn state_changes_without_the_token_are_refused(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant, "admin", Role::Admin, true).await;
    let client = server.signed_in(&admin).await;
    let token = client.csrf().unwrap();
    client.forget_csrf();
    let body = json!({ "username": "forged", "display_name": "F", "role": "agent" });
    let missing = client.post("/api/users", body.clone()).await;
    assert_eq!((missing.status, missing.code()), (403, "csrf_failed"));
    let wrong = client.http.post(client.url("/api/users")).header("x-csrf-token", "0".repeat(64)).json(&body).send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    // A token from another session does not fit this one.
    let other = server.signed_in(&server.create_user(&server.tenant, "admin2", Role::Admin, true).await).await;
    let foreign =
        client.http.post(client.url("/api/users")).header("x-csrf-token", other.csrf().unwrap()).json(&body).send().await.unwrap();
    assert_eq!(foreign.status(), 403);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM users WHERE username = 'forged'").await, 0);
    let ok = client.http.post(client.url("/api/users")).header("x-csrf-token", token).json(&body).send().await.unwrap();
    assert_eq!(ok.status(), 201);
}

async fn forms_need_the_token_too(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.signed_in(&agent).await;
    let forged = client.http.post(client.url("/logout")).form(&[("csrf", "nope")]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    let bare = client.http.post(client.url("/logout")).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(bare.status(), 403);
    assert_eq!(client.get("/api/me").await.status, 200, "the session survived the forged sign-out");
    let real = client.http.post(client.url("/logout")).form(&[("csrf", client.csrf().unwrap())]).send().await.unwrap();
    assert_eq!(real.status(), 303);
    assert_eq!(client.get("/api/me").await.status, 401);
    // The sign-in form refuses a post that did not come from its own page.
    let cross_site = reqwest::Client::new()
        .post(client.url("/login"))
        .form(&[("csrf", "x"), ("tenant", "acme"), ("username", "agent"), ("password", agent.password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
}

async fn reads_need_no_token(engine: Engine) {
    let server = TestServer::start(engine).await;
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    let client = server.signed_in(&agent).await;
    client.forget_csrf();
    assert_eq!(client.get("/api/me").await.status, 200);
}
