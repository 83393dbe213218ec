//! Desk phone logins over HTTP: an administrator gives an agent one, its
//! password shown once (nowhere in the database, only its digest secrets,
//! sealed and bound to the account and the login); a new one replaces the
//! old; it can be taken away; accounts that work no calls, one's own
//! account and other tenants' are refused. Each change is audited.

use serde_json::json;
use trustline_crypto::DigestSecrets;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(a_desk_phone_login_is_shown_once_kept_sealed_replaced_and_taken_away, desk_phone_logins_are_for_accounts_that_work_calls);

async fn a_desk_phone_login_is_shown_once_kept_sealed_replaced_and_taken_away(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let admin_account = server.create_user(&tenant, "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin_account).await;
    let agent = server.create_user(&tenant, "agent", Role::Agent, true).await;
    let path = format!("/api/users/{}/desk-phone", agent.id);
    assert_eq!(admin.get(&path).await.status, 404, "none yet");

    let issued = admin.post(&path, json!({})).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let (username, password) = (issued.body["username"].as_str().unwrap().to_owned(), issued.body["password"].as_str().unwrap().to_owned());
    assert_eq!(issued.body["realm"], "trustline");
    assert!(username.starts_with('d') && username.len() == 17 && !username.contains("agent"), "a made-up name: {username}");
    assert!(password.len() >= 20, "{password}");
    let shown = admin.get(&path).await;
    assert_eq!((shown.status, &shown.body["username"]), (200, &json!(username)));
    assert!(!shown.text.contains(&password), "the password is never shown again");
    assert_eq!(server.db.plaintext_locations(&password).await, Vec::<String>::new(), "the password is not kept");
    let secrets = DigestSecrets::new(&username, "trustline", &password);
    assert_eq!(server.db.plaintext_locations(&secrets.md5).await, Vec::<String>::new(), "its digest secret is sealed");
    let stored = server.db.store.desk_phone_login(tenant.id, agent.id).await.unwrap().unwrap();
    assert_eq!(trustline_app::open_desk_phone_login(&server.db.keys, &stored).unwrap(), secrets, "they open for this account");
    let moved = trustline_store::DeskPhoneLogin { user_id: admin_account.id, ..stored.clone() };
    assert!(trustline_app::open_desk_phone_login(&server.db.keys, &moved).is_err(), "bound to the account");

    let again = admin.post(&path, json!({})).await;
    assert_eq!(again.status, 201);
    assert_ne!(again.body["username"], json!(username), "a new login replaces the old");
    assert!(server.db.store.desk_phone_login_named(&username).await.unwrap().is_none(), "the old login is gone");
    assert_eq!(admin.delete(&path).await.status, 204);
    assert_eq!(admin.get(&path).await.status, 404);
    assert_eq!(admin.delete(&path).await.status, 404, "nothing left to take away");
    let count = |action: &'static str| {
        let raw = &server.db.raw;
        async move { raw.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE action = '{action}'")).await }
    };
    assert_eq!((count("desk_phone.issue").await, count("desk_phone.revoke").await), (2, 1));
}

async fn desk_phone_logins_are_for_accounts_that_work_calls(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let admin_account = server.create_user(&tenant, "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin_account).await;
    let auditor = server.create_user(&tenant, "auditor", Role::Auditor, true).await;
    let refused = admin.post(&format!("/api/users/{}/desk-phone", auditor.id), json!({})).await;
    assert_eq!((refused.status, refused.code()), (409, "no_call_work"), "{}", refused.body);
    let own = admin.post(&format!("/api/users/{}/desk-phone", admin_account.id), json!({})).await;
    assert_eq!((own.status, own.code()), (409, "cannot_change_self"));
    let owner = server.create_user(&tenant, "owner", Role::Owner, true).await;
    let above = admin.post(&format!("/api/users/{}/desk-phone", owner.id), json!({})).await;
    assert_eq!((above.status, above.code()), (403, "role_not_assignable"));
    let globex = server.create_tenant("globex").await;
    let outsider = server.create_user(&globex, "agent", Role::Agent, true).await;
    assert_eq!(admin.post(&format!("/api/users/{}/desk-phone", outsider.id), json!({})).await.status, 404, "another tenant's agent");
    let supervisor = server.create_user(&tenant, "supervisor", Role::Supervisor, true).await;
    let supervisor = server.signed_in(&supervisor).await;
    let agent = server.create_user(&tenant, "agent", Role::Agent, true).await;
    assert_eq!(supervisor.post(&format!("/api/users/{}/desk-phone", agent.id), json!({})).await.status, 403, "not a supervisor's to give");
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM desk_phone_logins").await, 0, "nothing was stored");
}
