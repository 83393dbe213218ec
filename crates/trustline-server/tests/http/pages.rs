//! The browser flow over the server-rendered pages: sign in, set up an
//! authenticator from the QR page, land, sign out, sign in with a code.

use trustline_crypto::{Totp, TotpSecret, base32_decode};
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(a_new_owner_enrols_and_signs_in_through_the_pages, the_admin_console_opens_at_its_first_section);

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} field in {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn a_new_owner_enrols_and_signs_in_through_the_pages(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant, "owner", Role::Owner, false).await;
    let client = server.client();
    let http = &client.http;
    let page = http.get(client.url("/login")).send().await.unwrap().text().await.unwrap();
    let form =
        [("csrf", hidden(&page, "csrf")), ("tenant", "acme".into()), ("username", "owner".into()), ("password", owner.password.clone())];
    let signed = http.post(client.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/mfa/enrol");
    assert_eq!(http.get(client.url("/")).send().await.unwrap().headers()["location"], "/mfa/enrol", "the landing page waits for MFA");

    let enrol = http.get(client.url("/mfa/enrol")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&enrol, "csrf");
    let started = http.post(client.url("/mfa/enrol/start")).form(&[("csrf", csrf.clone())]).send().await.unwrap();
    assert_eq!(started.status(), 303);
    let enrol = http.get(client.url("/mfa/enrol")).send().await.unwrap().text().await.unwrap();
    let secret = enrol.split("<p class=\"secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let qr = http.get(client.url("/mfa/enrol/qr.svg")).send().await.unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    let seed = TotpSecret::from_bytes(zeroize::Zeroizing::new(base32_decode(&secret).unwrap()));
    let now = trustline_domain::Clock::now(server.clock.as_ref());
    let code = format!("{:06}", Totp::code(&seed, Totp::step_at(now)));
    let confirmed = http.post(client.url("/mfa/enrol")).form(&[("csrf", csrf), ("code", code)]).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    let codes_page = confirmed.text().await.unwrap();
    assert_eq!(codes_page.matches("<li>").count(), 10, "{codes_page}");
    assert!(codes_page.contains("<input type=\"checkbox\" name=\"saved\" required>"), "continuing asks that the codes were saved");

    let home = http.get(client.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let home = home.text().await.unwrap();
    assert!(home.contains("Welcome, Test owner") && home.contains("on (10 recovery codes left)"), "{home}");
    let out = http.post(client.url("/logout")).form(&[("csrf", hidden(&home, "csrf"))]).send().await.unwrap();
    assert_eq!(out.headers()["location"], "/login");

    server.clock.advance(30);
    let page = http.get(client.url("/login")).send().await.unwrap().text().await.unwrap();
    let form =
        [("csrf", hidden(&page, "csrf")), ("tenant", "acme".into()), ("username", "owner".into()), ("password", owner.password.clone())];
    let signed = http.post(client.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(signed.headers()["location"], "/login/mfa");
    let mfa = http.get(client.url("/login/mfa")).send().await.unwrap().text().await.unwrap();
    let now = trustline_domain::Clock::now(server.clock.as_ref());
    let code = format!("{:06}", Totp::code(&seed, Totp::step_at(now)));
    let wrong =
        http.post(client.url("/login/mfa")).form(&[("csrf", hidden(&mfa, "csrf")), ("code", "123456".into())]).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("not correct"));
    let ok = http.post(client.url("/login/mfa")).form(&[("csrf", hidden(&mfa, "csrf")), ("code", code)]).send().await.unwrap();
    assert_eq!(ok.headers()["location"], "/");
    assert_eq!(http.get(client.url("/")).send().await.unwrap().status(), 200);
    // A wrong password re-renders the form with a message, not a JSON error.
    let page = server.client().http.get(client.url("/login")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Sign in"));
}

/// `/admin` opens the console at the first section the person may use;
/// someone with none goes home.
async fn the_admin_console_opens_at_its_first_section(engine: Engine) {
    let server = TestServer::start(engine).await;
    let tenant = server.tenant.clone();
    for (username, role, to) in
        [("olive", Role::Owner, "/admin/users"), ("sam", Role::Supervisor, "/admin/imports"), ("ada", Role::Agent, "/")]
    {
        let user = server.create_user(&tenant, username, role, role == Role::Owner).await;
        let reply = server.signed_in(&user).await.get("/admin").await;
        assert_eq!((reply.status, reply.headers["location"].to_str().unwrap()), (303, to), "{username}");
    }
}
