//! SIP trunks over HTTP: an administrator adds one and changes it, its
//! digest password is sealed (nowhere in the database in the clear, never
//! in an answer) and opens only for its tenant and login; bad input is refused field by
//! field and stores nothing; other roles and other tenants cannot reach it.

use serde_json::json;
use trustline_domain::Role;
use trustline_server::AppConfig;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    a_trunk_is_added_listed_and_removed_with_its_password_sealed,
    bad_trunks_are_refused_field_by_field_and_store_nothing,
    only_the_tenants_administrators_reach_its_trunks,
    private_hosts_need_the_operators_leave,
    tls_trunks_need_the_edges_certificate
);

const PASSWORD: &str = "carrier-portal-pass-7731";

async fn a_trunk_is_added_listed_and_removed_with_its_password_sealed(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin).await;
    let body = json!({
        "name": "Main carrier",
        "host": "sip.carrier.example",
        "port": 5080,
        "transport": "tcp",
        "sources": ["203.0.113.7", "2001:db8::7", "203.0.113.7"],
        "caller_id": "+442079460990",
        "digest": { "username": "acme-42", "password": PASSWORD, "register": true },
    });
    let created = admin.post("/api/trunks", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(!created.text.contains(PASSWORD), "the password is never shown");
    assert_eq!(created.body["sources"], json!(["203.0.113.7", "2001:db8::7"]), "each address once");
    assert_eq!((&created.body["registers"], &created.body["transport"]), (&json!(true), &json!("tcp")));
    let listed = admin.get("/api/trunks").await;
    assert_eq!(listed.body, json!([created.body.clone()]));
    assert_eq!(listed.body[0]["digest_username"], "acme-42");
    assert!(!listed.text.contains(PASSWORD));
    assert_eq!(server.db.plaintext_locations(PASSWORD).await, Vec::<String>::new(), "the password is sealed at rest");

    let stored = server.db.store.every_trunk().await.unwrap();
    let login = stored[0].digest.clone().unwrap();
    let opened = trustline_app::open_trunk_login(&server.db.keys, server.tenant.id, &login).unwrap();
    assert_eq!(opened.as_str(), PASSWORD);
    let other = server.create_tenant("globex").await;
    assert!(trustline_app::open_trunk_login(&server.db.keys, other.id, &login).is_err(), "bound to its tenant");
    let renamed = trustline_store::SealedLogin { username: "other".into(), ..login };
    assert!(trustline_app::open_trunk_login(&server.db.keys, server.tenant.id, &renamed).is_err(), "bound to its login");

    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["registration"], json!(null), "not tried yet");
    let registered = trustline_store::TrunkRegistration { state: "registered".into(), detail: String::new(), at: 1_900_000_100 };
    server.db.store.record_trunk_registration(id, registered).await.unwrap();
    let seen = admin.get("/api/trunks").await.body[0]["registration"].clone();
    assert_eq!(seen, json!({ "state": "registered", "detail": "", "at": 1_900_000_100 }));
    // A change without a login keeps the stored one; a bad change changes nothing.
    let path = format!("/api/trunks/{id}");
    let moved = admin.put(&path, json!({ "name": "Main carrier", "host": "sbc.carrier.example", "sources": ["203.0.113.8"] })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        (&moved.body["host"], &moved.body["port"], &moved.body["transport"], &moved.body["digest_username"]),
        (&json!("sbc.carrier.example"), &json!(5060), &json!("udp"), &json!("acme-42")),
        "a change names its transport or is UDP"
    );
    assert_eq!(moved.body["registration"]["state"], "registered", "the login and its registration stay");
    let still = server.db.store.every_trunk().await.unwrap().remove(0).digest.unwrap();
    assert_eq!(trustline_app::open_trunk_login(&server.db.keys, server.tenant.id, &still).unwrap().as_str(), PASSWORD);
    let refused = admin.put(&path, json!({ "name": "", "host": "sbc.carrier.example" })).await;
    assert_eq!((refused.status, refused.code()), (422, "invalid_trunk"));
    assert_eq!(admin.get("/api/trunks").await.body, json!([moved.body.clone()]), "a refused change changes nothing");
    let relogged = admin.put(&path, json!({ "name": "Main carrier", "host": "sbc.carrier.example", "digest": { "username": "acme-43", "password": "another-pass" } })).await;
    assert_eq!((&relogged.body["digest_username"], &relogged.body["registers"]), (&json!("acme-43"), &json!(false)));
    let unlogged = admin.delete(&format!("{path}/digest")).await;
    assert_eq!((unlogged.status, &unlogged.body["digest_username"]), (200, &json!(null)), "{}", unlogged.body);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM sip_trunks WHERE sealed_password IS NOT NULL").await, 0);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'trunk.update'").await, 3);
    let audited = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'trunk.create'").await;
    assert_eq!(audited, 1);
    assert_eq!(admin.delete(&format!("/api/trunks/{id}")).await.status, 204);
    assert_eq!(admin.get("/api/trunks").await.body, json!([]));
    assert_eq!(admin.delete(&format!("/api/trunks/{id}")).await.status, 404);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'trunk.delete'").await, 1);
}

async fn bad_trunks_are_refused_field_by_field_and_store_nothing(engine: Engine) {
    let server = TestServer::start_with(engine, AppConfig { sip_tls: true, ..AppConfig::default() }).await;
    let admin = server.create_user(&server.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin).await;
    let bad = json!({
        "name": " ",
        "host": "127.0.0.1",
        "sources": ["203.0.113.7", "not an address"],
        "caller_id": "02079460990",
        "digest": { "username": "a b", "password": "" },
    });
    let refused = admin.post("/api/trunks", bad).await;
    assert_eq!((refused.status, refused.code()), (422, "invalid_trunk"), "{}", refused.body);
    let fields: Vec<&str> = refused.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "host", "sources[1]", "caller_id", "digest.username", "digest.password"]);
    for (body, why) in [
        (json!({ "name": "x", "host": "sip.carrier.example", "port": 70000 }), "a port past 65535"),
        (json!({ "name": "x", "host": "sip.carrier.example", "transport": "sctp" }), "a transport the edge does not speak"),
        (json!({ "name": "x", "host": "sip.carrier.example", "proxy": "udp" }), "a field the API does not have"),
        (json!({ "name": "x" }), "no host"),
    ] {
        let refused = admin.post("/api/trunks", body).await;
        assert_eq!((refused.status, refused.code()), (422, "invalid_body"), "{why}: {}", refused.body);
    }
    let keys_in_clear = admin.post("/api/trunks", json!({ "name": "x", "host": "sip.carrier.example", "srtp": true })).await;
    assert_eq!((keys_in_clear.status, keys_in_clear.code()), (422, "invalid_trunk"), "SRTP over UDP: {}", keys_in_clear.body);
    assert_eq!(keys_in_clear.body["error"]["fields"][0]["field"], "srtp");
    assert_eq!(admin.get("/api/trunks").await.body, json!([]), "nothing was stored");
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'trunk.create'").await, 0);
    let secure = admin.post("/api/trunks", json!({ "name": "x", "host": "sip.carrier.example", "transport": "tls", "srtp": true })).await;
    assert_eq!(secure.status, 201, "{}", secure.body);
    assert_eq!((&secure.body["transport"], &secure.body["port"], &secure.body["srtp"]), (&json!("tls"), &json!(5061), &json!(true)));
    let id = secure.body["id"].as_i64().unwrap();
    let downgraded = admin.put(&format!("/api/trunks/{id}"), json!({ "name": "x", "host": "sip.carrier.example", "srtp": true })).await;
    assert_eq!((downgraded.status, downgraded.code()), (422, "invalid_trunk"), "a change cannot send SRTP's keys in clear either");
    assert_eq!(admin.get("/api/trunks").await.body, json!([secure.body.clone()]), "and changes nothing");
}

async fn only_the_tenants_administrators_reach_its_trunks(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    let admin = server.create_user(&tenant, "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin).await;
    let trunk = admin.post("/api/trunks", json!({ "name": "Main", "host": "sip.carrier.example" })).await;
    let id = trunk.body["id"].as_i64().unwrap();
    for role in [Role::Supervisor, Role::Agent, Role::Auditor] {
        let user = server.create_user(&tenant, &format!("user-{}", role.as_str()), role, true).await;
        let client = server.signed_in(&user).await;
        assert_eq!(client.get("/api/trunks").await.status, 403, "{role:?}");
        assert_eq!(client.post("/api/trunks", json!({ "name": "Mine", "host": "sip.carrier.example" })).await.status, 403, "{role:?}");
        assert_eq!(client.delete(&format!("/api/trunks/{id}")).await.status, 403, "{role:?}");
        assert_eq!(
            client.put(&format!("/api/trunks/{id}"), json!({ "name": "Mine", "host": "sip.carrier.example" })).await.status,
            403,
            "{role:?}"
        );
    }
    let globex = server.create_tenant("globex").await;
    let outsider = server.create_user(&globex, "admin", Role::Admin, true).await;
    let outsider = server.signed_in(&outsider).await;
    assert_eq!(outsider.get("/api/trunks").await.body, json!([]), "another tenant sees none");
    assert_eq!(outsider.delete(&format!("/api/trunks/{id}")).await.status, 404, "nor removes one");
    let taken = outsider.put(&format!("/api/trunks/{id}"), json!({ "name": "Mine", "host": "sip.evil.example" })).await;
    assert_eq!(taken.status, 404, "nor changes one");
    assert_eq!(outsider.delete(&format!("/api/trunks/{id}/digest")).await.status, 404);
    assert_eq!(admin.get("/api/trunks").await.body.as_array().unwrap().len(), 1);
}

async fn private_hosts_need_the_operators_leave(engine: Engine) {
    let strict = TestServer::start(engine).await;
    let admin = strict.create_user(&strict.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = strict.signed_in(&admin).await;
    for host in ["127.0.0.1", "10.0.0.5", "localhost", "sbc", "[::1]", "169.254.169.254"] {
        let refused = admin.post("/api/trunks", json!({ "name": "x", "host": host })).await;
        assert_eq!((refused.status, refused.code()), (422, "invalid_trunk"), "{host}: {}", refused.body);
    }
    let document = admin.get("/api/openapi.json").await.body;
    assert!(document["components"]["schemas"]["TrunkHost"]["pattern"].is_string(), "the strict rule is documented");

    let open = TestServer::start_with(engine, AppConfig { allow_private_trunks: true, ..AppConfig::default() }).await;
    let admin = open.create_user(&open.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = open.signed_in(&admin).await;
    for (host, kept) in [("127.0.0.1", "127.0.0.1"), ("SBC-1", "sbc-1"), ("10.0.0.5", "10.0.0.5")] {
        let created = admin.post("/api/trunks", json!({ "name": "x", "host": host })).await;
        assert_eq!((created.status, created.body["host"].as_str()), (201, Some(kept)), "{host}: {}", created.body);
    }
    let document = admin.get("/api/openapi.json").await.body;
    assert!(document["components"]["schemas"]["TrunkHost"].get("pattern").is_none(), "the document says what this installation takes");
}

async fn tls_trunks_need_the_edges_certificate(engine: Engine) {
    let server = TestServer::start(engine).await;
    let admin = server.create_user(&server.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = server.signed_in(&admin).await;
    let secure = json!({ "name": "x", "host": "sip.carrier.example", "transport": "tls" });
    let refused = admin.post("/api/trunks", secure.clone()).await;
    assert_eq!((refused.status, refused.code()), (422, "invalid_trunk"), "{}", refused.body);
    assert_eq!(refused.body["error"]["fields"][0]["field"], "transport", "{}", refused.body);
    assert!(refused.body["error"]["fields"][0]["reason"].as_str().unwrap().contains("--sip-tls-cert"), "{}", refused.body);
    let plain = admin.post("/api/trunks", json!({ "name": "x", "host": "sip.carrier.example" })).await;
    assert_eq!(plain.status, 201, "{}", plain.body);
    let changed = admin.put(&format!("/api/trunks/{}", plain.body["id"]), secure.clone()).await;
    assert_eq!((changed.status, changed.code()), (422, "invalid_trunk"), "a change is held to it too: {}", changed.body);
    assert_eq!(admin.get("/api/trunks").await.body, json!([plain.body.clone()]), "nothing changed");
    let document = admin.get("/api/openapi.json").await.body;
    let transport = &document["components"]["schemas"]["TrunkInput"]["properties"]["transport"];
    assert_eq!(transport["not"], json!({ "const": "tls" }), "the document says what this installation takes: {transport}");

    let with_certificate = TestServer::start_with(engine, AppConfig { sip_tls: true, ..AppConfig::default() }).await;
    let admin = with_certificate.create_user(&with_certificate.tenant.clone(), "admin", Role::Admin, true).await;
    let admin = with_certificate.signed_in(&admin).await;
    let created = admin.post("/api/trunks", secure).await;
    assert_eq!((created.status, &created.body["transport"]), (201, &json!("tls")), "{}", created.body);
    let document = admin.get("/api/openapi.json").await.body;
    assert!(document["components"]["schemas"]["TrunkInput"]["properties"]["transport"].get("not").is_none());
}
