//! Browsers' CSP violation reports: accepted from anyone (a signed-in
//! browser sends its cookie and no CSRF token), read by administrators, and
//! the policy on every page names the endpoint.

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
    assert_eq!(server.client().post("/csp-reports", modern).await.status, 204);
    let bad = server.client().post("/csp-reports", json!({ "hello": 1 })).await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_report"));

    let reports = owner.get("/api/csp-reports").await.body;
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0]["blocked"], "https://cdn.example/x.js");
    assert_eq!((reports[1]["document"].as_str(), reports[1]["sample"].as_str()), (Some("http://localhost/trust"), Some("alert(1)")));
    let agent = server.signed_in(&server.create_user(&server.tenant, "ada", Role::Agent, false).await).await;
    assert_eq!(agent.get("/api/csp-reports").await.status, 403);
}
