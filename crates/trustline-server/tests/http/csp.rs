//! Browsers' CSP violation reports: a signed-in browser's (its cookie, no
//! CSRF token) kept for its tenant's administrators only; anonymous ones
//! logged, rate-limited per address; the policy on every page names the
//! endpoint.

use serde_json::json;
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(violation_reports_are_kept_for_administrators);

async fn violation_reports_are_kept_for_administrators(engine: Engine) {
    let server = TestServer::start(engine).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let owner = server.signed_in(&olive).await;
    let page = server.client().get("/login").await;
    let policy = page.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("report-uri /csp-reports"), "{policy}");

    let classic = json!({ "csp-report": {
        "document-uri": "http://localhost/trust?x=1", "blocked-uri": "inline", "violated-directive": "script-src-elem", "script-sample": "alert(1)"
    }});
    // As a browser sends it: its own content type, the session cookie, no CSRF token.
    let sent = owner.http.post(owner.url("/csp-reports")).header("content-type", "application/csp-report").body(classic.to_string());
    assert_eq!(sent.send().await.unwrap().status(), 204, "a signed-in browser's report needs no CSRF token");
    let modern = json!([{ "type": "csp-violation", "body": { "documentURL": "http://localhost/", "blockedURL": "https://cdn.example/x.js", "effectiveDirective": "script-src-elem" } }]);
    assert_eq!(owner.post("/csp-reports", modern.clone()).await.status, 204);
    let bad = server.client().post("/csp-reports", json!({ "hello": 1 })).await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_report"));

    let reports = owner.get("/api/csp-reports").await.body;
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0]["blocked"], "https://cdn.example/x.js");
    assert_eq!((reports[1]["document"].as_str(), reports[1]["sample"].as_str()), (Some("http://localhost/trust"), Some("alert(1)")));
    let agent = server.signed_in(&server.create_user(&server.tenant, "ada", Role::Agent, false).await).await;
    assert_eq!(agent.get("/api/csp-reports").await.status, 403);

    // Reports were once shared by every tenant and writable by anyone. Another
    // tenant's administrator sees none of these, and sends their own.
    let beta = server.create_tenant("beta").await;
    let other = server.signed_in(&server.create_user(&beta, "bea", Role::Owner, true).await).await;
    assert_eq!(other.get("/api/csp-reports").await.body, json!([]), "another tenant's reports stay theirs");
    assert_eq!(other.post("/csp-reports", modern.clone()).await.status, 204);
    assert_eq!(other.get("/api/csp-reports").await.body.as_array().unwrap().len(), 1);
    assert_eq!(owner.get("/api/csp-reports").await.body.as_array().unwrap().len(), 2);

    // Anonymous reports go to the service log only, ten a minute per address.
    let anonymous = server.client();
    for _ in 0..10 {
        assert_eq!(anonymous.post("/csp-reports", modern.clone()).await.status, 204);
    }
    let over = anonymous.post("/csp-reports", modern.clone()).await;
    assert_eq!((over.status, over.code()), (429, "too_many_reports"));
    assert_eq!(owner.get("/api/csp-reports").await.body.as_array().unwrap().len(), 2, "no tenant keeps anonymous reports");
    server.clock.advance(60);
    assert_eq!(anonymous.post("/csp-reports", modern).await.status, 204, "a new minute, a new allowance");
}
