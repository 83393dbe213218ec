//! Idempotency keys: a retried create answers the first answer and creates
//! nothing more; a key used for something else, or malformed, is refused; a
//! failed request does not use up its key.

use reqwest::Method;
use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(a_retried_create_gets_the_first_answer, keys_are_refused_when_misused_and_free_again_after_a_failure);

async fn a_retried_create_gets_the_first_answer(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant.clone(), "olga", Role::Owner, true).await;
    let client = server.signed_in(&owner).await;
    let body = json!({ "name": "Zebulon Quartermaine", "phones": ["+442071838750"] });
    let key = [("Idempotency-Key", "order-7781")];
    let first = client.send_with_headers(Method::POST, "/api/contacts", Some(body.clone()), &key).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = client.send_with_headers(Method::POST, "/api/contacts", Some(body.clone()), &key).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the same contact id");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM contacts").await, 1);
    let created = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'contact.create'").await;
    assert_eq!(created, 1, "the replay did not act again");
    // The same key in another tenant is another key.
    let beta = server.create_tenant("beta").await;
    let other = server.create_user(&beta, "bea", Role::Owner, true).await;
    let elsewhere = server.signed_in(&other).await.send_with_headers(Method::POST, "/api/contacts", Some(body), &key).await;
    assert_eq!(elsewhere.status, 201);
    assert!(elsewhere.headers.get("idempotent-replayed").is_none());
}

async fn keys_are_refused_when_misused_and_free_again_after_a_failure(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant.clone(), "olga", Role::Owner, true).await;
    let client = server.signed_in(&owner).await;
    let key = [("Idempotency-Key", "k-1")];
    let invalid = json!({ "name": "Ada", "phones": ["not a number"] });
    let failed = client.send_with_headers(Method::POST, "/api/contacts", Some(invalid), &key).await;
    assert_eq!(failed.status, 422);
    let fixed = json!({ "name": "Ada", "phones": ["+442071838751"] });
    let retried = client.send_with_headers(Method::POST, "/api/contacts", Some(fixed), &key).await;
    assert_eq!(retried.status, 201, "the failed attempt did not use up the key: {}", retried.body);
    let different = json!({ "name": "Bob", "phones": ["+442071838752"] });
    let reused = client.send_with_headers(Method::POST, "/api/contacts", Some(different.clone()), &key).await;
    assert_eq!((reused.status, reused.code()), (422, "idempotency_key_reused"));
    let long = "x".repeat(129);
    for bad in ["", "with space", long.as_str()] {
        let reply = client.send_with_headers(Method::POST, "/api/contacts", Some(different.clone()), &[("Idempotency-Key", bad)]).await;
        assert_eq!((reply.status, reply.code()), (400, "invalid_idempotency_key"), "{bad:?}");
    }
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM contacts").await, 1);
    // Routes that answer a secret once do not keep answers: no key handling there.
    let user = client
        .send_with_headers(Method::POST, "/api/users", Some(json!({ "username": "u1", "display_name": "U", "role": "agent" })), &key)
        .await;
    assert_eq!(user.status, 201);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM idempotency_keys").await, 1, "only the contact's answer is kept");
}
