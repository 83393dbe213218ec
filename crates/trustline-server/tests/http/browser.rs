//! The screens in headless Chromium, driven over WebDriver: each test signs
//! in through the pages as a person would and fails on any console error or
//! CSP violation. Screenshots go to target/screenshots (not committed).

use crate::dialer::{MONDAY_NOON_UTC, everyone_answers, nobody_answers, wait_for};
use serde_json::{Value, json};
use trustline_domain::Role;
use trustline_testkit::{Browser, Driver, Engine, TestClient, TestServer, TestUser};

/// 1280 × 800, the smallest screen the pages are made for.
pub(crate) const WIDTH: u32 = 1280;
pub(crate) const HEIGHT: u32 = 800;
/// A 13" laptop at 150 % scaling: the same width, less height.
const LAPTOP_HEIGHT: u32 = 720;

pub(crate) async fn driver() -> Option<Driver> {
    Driver::start().await
}

/// Fills in and sends the sign-in form of the page in view.
async fn submit_sign_in(browser: &Browser, tenant: &str, username: &str, password: &str) {
    browser.fill("#tenant", tenant).await;
    browser.fill("#username", username).await;
    browser.fill("#password", password).await;
    browser.click("button[type=submit]").await;
}

/// Signs `user` in through the sign-in page, with the authenticator code when enrolled.
pub(crate) async fn sign_in(server: &TestServer, browser: &Browser, user: &TestUser) {
    browser.goto(&format!("{}/login", server.base)).await;
    submit_sign_in(browser, &user.tenant, &user.username, &user.password).await;
    if user.totp.is_some() {
        browser.find("#code").await;
        // A fresh code: the step after any code used so far.
        server.clock.advance(trustline_crypto::Totp::STEP_SECONDS);
        browser.fill("#code", &server.code(user)).await;
        browser.click("button[type=submit]").await;
    }
    browser.wait_for_text(&format!("Welcome, Test {}", user.username)).await;
}

/// Every form field of the page in view has a label, all its text has the
/// contrast WCAG 2.2 AA asks for, it fits the window's width, and no style
/// shows what the markup hides or turns a table into something else.
pub(crate) async fn assert_accessible(browser: &Browser) {
    let overridden = browser.markup_overridden().await;
    assert!(overridden.is_empty(), "styles defeat the markup at {}: {overridden:?}", browser.url().await);
    let missing = browser.unlabelled_fields().await;
    assert!(missing.is_empty(), "fields without a label at {}: {missing:?}", browser.url().await);
    let faint = browser.low_contrast_text().await;
    assert!(faint.is_empty(), "text with too little contrast at {}: {faint:#?}", browser.url().await);
    let wide = browser.wider_than_window().await;
    assert!(wide.is_empty(), "the page scrolls sideways at {}: {wide:?}", browser.url().await);
}

/// No CSP report reached the server and the browser logged nothing wrong
/// but the refusals the test caused on purpose (`expected`, by URL and status).
pub(crate) async fn assert_clean(server: &TestServer, owner: &TestUser, browser: &Browser, expected: &[&str]) {
    let problems = browser.problems().await;
    let unexpected: Vec<&String> = problems.iter().filter(|p| !expected.iter().any(|e| p.contains(e))).collect();
    assert!(unexpected.is_empty(), "the browser reported problems: {unexpected:#?}");
    let reports = server.signed_in(owner).await.get("/api/csp-reports").await.body;
    assert_eq!(reports, Value::Array(Vec::new()), "CSP violations were reported");
}

/// A server on a Monday noon with an owner, a supervisor (signed in over
/// the API) and an agent.
pub(crate) struct Floor {
    pub server: TestServer,
    pub olive: TestUser,
    pub sam: TestUser,
    pub ada: TestUser,
    pub supervisor: TestClient,
}

pub(crate) async fn floor() -> Floor {
    floor_with(trustline_server::AppConfig::default()).await
}

/// The same floor on a server configured with `config`.
pub(crate) async fn floor_with(config: trustline_server::AppConfig) -> Floor {
    let server = TestServer::start_with(Engine::Sqlite, config).await;
    server.clock.advance(MONDAY_NOON_UTC - trustline_domain::Clock::now(server.clock.as_ref()));
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let sam = server.create_user(&server.tenant, "sam", Role::Supervisor, true).await;
    let ada = server.create_user(&server.tenant, "ada", Role::Agent, false).await;
    let supervisor = server.signed_in(&sam).await;
    Floor { server, olive, sam, ada, supervisor }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_an_authenticator_code() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let browser = driver.browser(WIDTH, HEIGHT).await;

    browser.goto(&format!("{}/login", server.base)).await;
    submit_sign_in(&browser, "acme", "olive", "not the password").await;
    browser.wait_for_text("the organisation, username or password is not correct").await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("sign-in-refused").await;

    browser.fill("#password", &olive.password).await;
    browser.click("button[type=submit]").await;
    browser.find("#code").await;
    browser.fill("#code", "000000").await;
    browser.click("button[type=submit]").await;
    browser.find(".error").await;
    server.clock.advance(trustline_crypto::Totp::STEP_SECONDS);
    browser.fill("#code", &server.code(&olive)).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("sign-in-code").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("Welcome, Test olive").await;
    let screens = browser.text_of("nav[aria-label=Screens]").await;
    assert_eq!(screens.split_whitespace().collect::<Vec<_>>().join(" "), "Home Desk Wallboard Reports Admin Trust center");
    assert_accessible(&browser).await;
    browser.keep_screenshot("home").await;
    let refused = [
        format!("{}/login - Failed to load resource: the server responded with a status of 401", server.base),
        format!("{}/login/mfa - Failed to load resource: the server responded with a status of 401", server.base),
    ];
    assert_clean(&server, &olive, &browser, &[&refused[0], &refused[1]]).await;
}

/// The agent's state sits in the header of every page, and changes from there:
/// a break with its reason from the home page, back to work on the desk,
/// which follows, and stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_changes_state_from_the_header_of_any_page() {
    let Some(driver) = driver().await else { return };
    let Floor { server, olive, ada, .. } = floor().await;
    let agent = server.signed_in(&ada).await;
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &ada).await;
    let chosen = "return document.getElementById('agent-header-state').value;";
    assert_eq!(browser.run(chosen, vec![]).await, json!("offline"));
    browser.select("#agent-header-state", "break:lunch").await;
    browser.wait_until("#status", "the break", |t| t.contains("You are on a break (lunch)")).await;
    let state = agent.get("/api/agent/state").await.body;
    assert_eq!((&state["state"], &state["reason"]), (&json!("break"), &json!("lunch")), "{state}");
    assert_accessible(&browser).await;
    browser.keep_screenshot("header-agent-state").await;

    browser.click("a[href='/desk']").await;
    browser.wait_until("#agent-state", "the desk's state", |t| t.contains("on a break (lunch)")).await;
    assert_eq!(browser.run(chosen, vec![]).await, json!("break:lunch"));
    browser.select("#agent-header-state", "available").await;
    browser.wait_until("#agent-state", "the desk following", |t| t == "available").await;
    assert_eq!(agent.get("/api/agent/state").await.body["state"], "available");
    // And the other way: the desk's own Stop work moves the header.
    browser.click("#stop-work").await;
    let mut offline = false;
    for _ in 0..100 {
        if browser.run(chosen, vec![]).await == json!("offline") {
            offline = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(offline, "the header follows the desk");
    assert_eq!(agent.get("/api/agent/state").await.body["state"], "offline");
    assert_clean(&server, &olive, &browser, &[]).await;
}

/// Reports cover whole days of a chosen time zone: a day in India holds
/// the agent's noon (UTC) shift, the same date on Kiritimati (UTC+14) ended
/// before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reads_a_report_of_chosen_days_in_a_time_zone() {
    let Some(driver) = driver().await else { return };
    let Floor { server, olive, sam, ada, .. } = floor().await;
    let agent = server.signed_in(&ada).await;
    assert_eq!(agent.post("/api/agent/state", json!({ "event": "log_in" })).await.status, 200);
    server.clock.advance(600);
    assert_eq!(agent.post("/api/agent/state", json!({ "event": "log_out" })).await.status, 200);
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &sam).await;
    browser.click("a[href='/reports']").await;
    browser.find("#report-rows").await;
    let period = |zone: &'static str| {
        let browser = &browser;
        async move {
            browser.select("#report-kind", "agent-time").await;
            browser.run("document.getElementById('report-from').value = '2030-03-18'; document.getElementById('report-to').value = '2030-03-18';", vec![]).await;
            browser.fill("#report-zone", zone).await;
            browser.click("#report-form button[type=submit]").await;
            browser.wait_until("#report-period", "the report", |t| t.contains(zone)).await;
            browser.text_of("#report-rows").await
        }
    };
    let india = period("Asia/Kolkata").await;
    assert!(india.contains("ada") && india.contains("10:00"), "{india}");
    let start = MONDAY_NOON_UTC - 12 * 3600 - 5 * 3600 - 1800;
    let csv = browser.run("return document.getElementById('report-csv').getAttribute('href');", vec![]).await;
    assert_eq!(csv, json!(format!("/api/reports/agent-time?from={start}&seconds=86400")));
    assert_accessible(&browser).await;
    browser.keep_screenshot("reports").await;
    assert_eq!(period("Pacific/Kiritimati").await, "Nothing in this period.");
    browser.fill("#report-zone", "Mars/Olympus").await;
    browser.click("#report-form button[type=submit]").await;
    browser.wait_until("#status", "the unknown zone", |t| t.contains("Mars/Olympus is not a zone")).await;
    assert_clean(&server, &olive, &browser, &[]).await;
}

/// An admin must set up a second factor at first sign-in; the recovery
/// codes can be downloaded or copied, and the page asks that they were saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_enrols_and_keeps_the_recovery_codes() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let ava = server.create_user(&server.tenant, "ava", Role::Admin, false).await;
    let browser = driver.browser(WIDTH, HEIGHT).await;

    browser.goto(&format!("{}/login", server.base)).await;
    submit_sign_in(&browser, &ava.tenant, &ava.username, &ava.password).await;
    browser.wait_for_text("Your role requires a second factor").await;
    browser.click("form[action='/mfa/enrol/start'] button").await;
    // The key appears once the page after the click has loaded; read before, it is empty.
    let secret = browser.wait_until(".secret", "the key to enter by hand", |t| !t.trim().is_empty()).await;
    let code = trustline_crypto::Totp::code(
        &crate::login::seed_from_base32(&secret),
        trustline_crypto::Totp::step_at(trustline_domain::Clock::now(server.clock.as_ref())),
    );
    browser.fill("#code", &format!("{code:06}")).await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("Keep these recovery codes somewhere safe").await;
    let codes: Vec<String> = browser.text_of("ul.codes").await.lines().map(str::to_owned).collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    browser.click("a.keep").await;
    let file = String::from_utf8(browser.downloaded("trustline-recovery-codes").await).unwrap();
    assert_eq!(file, format!("{}\n", codes.join("\n")));
    browser.click("button.keep").await;
    browser.wait_until("button.keep", "the copy's outcome", |t| t != "Copy").await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("recovery-codes").await;
    // Continue is refused until the person says the codes are saved.
    browser.click("form[action='/'] button[type=submit]").await;
    assert!(browser.url().await.ends_with("/mfa/enrol"), "{}", browser.url().await);
    browser.click("input[name=saved]").await;
    browser.click("form[action='/'] button[type=submit]").await;
    browser.wait_for_text("Welcome, Test ava").await;
    assert_clean(&server, &olive, &browser, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_reviews_the_trust_center_and_downloads_the_oscal_report() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let audra = server.create_user(&server.tenant, "audra", Role::Auditor, true).await;
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &audra).await;

    browser.click("a[href='/trust']").await;
    // Not the text "Trust center": the page before has it in its navigation.
    browser.find("table.controls").await;
    let rows = browser.all("table.controls tbody tr").await.len();
    assert_eq!(rows, 42);
    assert_accessible(&browser).await;
    browser.keep_screenshot("trust-center").await;
    // Narrowed to failing controls, then to one ISO/IEC 27001 control as well.
    let visible = "return [...document.querySelectorAll('table.controls tbody tr')].filter((r) => r.offsetParent !== null)
        .map((r) => [r.cells[1].textContent, r.cells[4].textContent]);";
    let failing = browser.text_of("table.controls tbody").await.matches("\tFAIL\t").count();
    browser.select("#filter-status", "FAIL").await;
    let shown = browser.run(visible, vec![]).await;
    let shown = shown.as_array().unwrap();
    assert!(failing > 0 && shown.len() == failing, "{failing} failing, shown: {shown:?}");
    assert!(shown.iter().all(|r| r[0] == "FAIL"), "{shown:?}");
    assert_eq!(browser.text_of("#controls-shown").await, format!("{failing} of 42 controls shown"));
    browser.select("#filter-status", "").await;
    browser.select("#filter-framework", "1:5.17").await;
    let shown = browser.run(visible, vec![]).await;
    let shown = shown.as_array().unwrap();
    assert!(!shown.is_empty() && shown.len() < 42, "{shown:?}");
    assert!(shown.iter().all(|r| r[1].as_str().unwrap().split(", ").any(|c| c == "5.17")), "{shown:?}");
    browser.select("#filter-framework", "").await;
    // Each control has its own page with the history of its checks.
    browser.click("a[href='/trust/controls/AC-01']").await;
    browser.wait_until("#history", "the history", |t| t.contains("PASS") && t.contains("2 of 2 privileged accounts")).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("trust-control").await;
    browser.click("a[href='/trust']").await;
    browser.find("table.controls").await;
    // The bundle's default period is the last 30 days, so a new organisation's has data.
    let period = "return ['bundle-from', 'bundle-to'].map((id) => document.getElementById(id).value);";
    let today = jiff::Timestamp::from_second(trustline_domain::Clock::now(server.clock.as_ref())).unwrap().strftime("%Y-%m-%d").to_string();
    let default = browser.run(period, vec![]).await;
    assert_eq!(default[1], json!(today), "{default}");
    browser.click("button[data-from]:nth-of-type(3)").await;
    let since = browser.run(period, vec![]).await;
    assert_eq!(since, json!([today, today]), "the organisation began today");
    browser.click("#bundle-form button[type=submit]").await;
    let bundle = browser.downloaded("trustline-evidence-acme").await;
    assert!(bundle.starts_with(b"PK"), "a zip file");
    browser.click("a[href='/api/trust/report?format=oscal']").await;
    let oscal: Value = serde_json::from_slice(&browser.downloaded("oscal-assessment-results").await).unwrap();
    assert_eq!(oscal["assessment-results"]["metadata"]["oscal-version"], "1.1.2");
    assert_eq!(oscal["assessment-results"]["results"][0]["observations"].as_array().map(Vec::len), Some(42));

    browser.click("a[href='/trust/audit']").await;
    let chain = browser.wait_until("#chain-status", "the verification", |t| t.starts_with("Intact")).await;
    assert!(chain.contains(&trustline_crypto::hex(&server.db.keys.checkpoint_signer.public_key())), "{chain}");
    browser.wait_until("#audit-events", "the events", |t| t.contains("trust.read")).await;
    browser.fill("#audit-action", "session.").await;
    browser.click("#audit-search button[type=submit]").await;
    // The first page (every action) is shown already: wait for the search's own.
    browser.wait_until("#audit-events", "the search", |t| t.contains("session.login") && !t.contains("trust.read")).await;
    browser.wait_until("#status", "the count", |t| t.contains("matching events")).await;
    let audra_id = server.db.raw.scalar("SELECT id FROM users WHERE username = 'audra'").await;
    let shown = browser.text_of("#audit-events").await;
    assert!(shown.contains(&format!("Test audra (user:{audra_id})")), "accounts are named: {shown}");
    assert_accessible(&browser).await;
    browser.keep_screenshot("trust-audit-log").await;
    // A day range with nothing in it finds nothing.
    browser.run("document.getElementById('audit-from').value = '2099-01-01';", vec![]).await;
    browser.click("#audit-search button[type=submit]").await;
    browser.wait_until("#status", "the empty search", |t| t.contains("No matching events")).await;
    browser.run("document.getElementById('audit-from').value = '';", vec![]).await;
    // Routine contact views are hidden unless asked for.
    let owner = server.signed_in(&olive).await;
    let contact = owner.post("/api/contacts", json!({ "name": "Ada Lovelace", "phones": ["+442071838750"] })).await;
    assert_eq!(contact.status, 201, "{}", contact.body);
    assert_eq!(owner.get(&format!("/api/contacts/{}", contact.body["id"])).await.status, 200);
    browser.fill("#audit-action", "contact.").await;
    browser.click("#audit-search button[type=submit]").await;
    browser
        .wait_until("#audit-events", "contact events without views", |t| t.contains("contact.create") && !t.contains("contact.view"))
        .await;
    browser.click("#audit-routine").await;
    browser.click("#audit-search button[type=submit]").await;
    browser.wait_until("#audit-events", "the views too", |t| t.contains("contact.view")).await;
    // The search as shown is exported, and the export is itself audited.
    browser.click("#audit-export").await;
    let csv = String::from_utf8(browser.downloaded("audit-log").await).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("seq,at,time_utc,actor,actor_name,action,target,outcome,source,details"));
    assert!(lines.clone().all(|line| line.contains(r#","contact."#)), "{csv}");
    assert!(csv.contains(r#","contact.view","#) && csv.contains(r#","Test olive","#), "{csv}");
    let exports = server.db.raw.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'audit.export'").await;
    assert_eq!(exports, 1);

    browser.click("a[href='/trust/incidents']").await;
    browser.wait_for_text("No incidents.").await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("trust-incidents").await;
    assert_clean(&server, &olive, &browser, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_refused_the_trust_center() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let ada = server.create_user(&server.tenant, "ada", Role::Agent, false).await;
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &ada).await;
    assert_eq!(browser.all("a[href='/trust']").await.len(), 0, "the agent's screens do not include it");

    browser.goto(&format!("{}/trust/audit", server.base)).await;
    browser.wait_for_text("Not allowed").await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("refused").await;
    let denied = server.db.store.audit_events(server.tenant.id, 0, 1_000).await.unwrap();
    assert!(denied.iter().any(|e| e.body.action == "access.denied" && e.body.target == "/trust/audit"), "the attempt is audited");
    // A refused page answers 403, which the browser logs as a failed load; nothing else.
    let refused = format!("{}/trust/audit - Failed to load resource: the server responded with a status of 403", server.base);
    assert_clean(&server, &olive, &browser, &[&refused]).await;
}

/// One agent works three preview contacts to a disposition at the desk while
/// a supervisor's wallboard, in a second browser, follows without reloading.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_three_contacts_while_the_wallboard_follows() {
    let Some(driver) = driver().await else { return };
    let Floor { server, olive, sam, ada, supervisor } = floor().await;
    let csv = "name,phone\nAda Lovelace,+44 20 7183 8750\nBea Brown,+44 20 7946 0002\nCyd Charisse,+44 20 7946 0003\n";
    assert_eq!(supervisor.upload("/api/imports?list=spring", csv.as_bytes().to_vec(), "text/csv").await.status, 202);
    wait_for(&supervisor, "/api/lists", |lists| lists[0]["status"] == "ready").await;
    server.start_engine(everyone_answers(), 100.0);
    let campaign = json!({
        "name": "Spring renewals", "mode": "preview", "lists": ["spring"], "script": "Hello, this is Trustline.\nAsk for the account holder.",
        "alerts": { "agents_on_break": { "amber": 1, "red": 2 } }
    });
    let id = supervisor.post("/api/campaigns", campaign).await.body["id"].as_i64().unwrap();
    assert_eq!(supervisor.post(&format!("/api/campaigns/{id}/status"), json!({ "status": "running" })).await.status, 200);

    let board = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &board, &sam).await;
    board.click("a[href='/wallboard']").await;
    board.wait_until("#agents", "the empty floor", |t| t.contains("Nobody is working")).await;
    board.run("window.stillTheSamePage = true;", vec![]).await;

    let desk = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &desk, &ada).await;
    desk.click("a[href='/desk']").await;
    desk.wait_until("#agent-state", "the state", |t| t == "offline").await;
    desk.click("#start-work").await;
    desk.wait_until("#agent-state", "start of work", |t| t == "available").await;
    board.wait_until("#agents", "the agent's arrival", |t| t.contains("Test ada") && t.contains("available")).await;

    let mut worked = Vec::new();
    for round in 0..3 {
        // The keyboard shortcut for the next contact.
        desk.run("document.activeElement.blur();", vec![]).await;
        desk.press("n").await;
        desk.wait_until("#call-state", "an offer", |t| t == "offered").await;
        let masked = desk.text_of("#contact-fields").await;
        assert!(masked.contains("masked"), "a previewed contact is masked: {masked}");
        if round == 0 {
            assert_accessible(&desk).await;
            let filled = "const desk = document.querySelector('.desk').getBoundingClientRect();\
                const panels = [...document.querySelectorAll('.desk > section')].filter((p) => !p.hidden);\
                return Math.abs(Math.max(...panels.map((p) => p.getBoundingClientRect().right)) - desk.right) < 2;";
            assert_eq!(desk.run(filled, vec![]).await, json!(true), "with the disposition closed, the panels use the whole width");
            desk.keep_screenshot("desk-preview").await;
        }
        desk.click("#dial").await;
        desk.find("#disposition-code").await;
        let shown = desk.text_of("#contact-fields").await;
        assert!(!shown.contains("masked") && shown.contains("+44"), "connected, the agent sees the contact: {shown}");
        worked.push(shown.lines().nth(1).unwrap_or_default().to_owned());
        desk.select("#disposition-code", "not_interested").await;
        desk.fill("#note", &format!("Round {round}: not now")).await;
        if round == 0 {
            assert_accessible(&desk).await;
            desk.keep_screenshot("desk-disposition").await;
            board.wait_until("#agents", "wrap-up on the board", |t| t.contains("wrap up")).await;
        }
        desk.click("#disposition-form button[type=submit]").await;
        desk.wait_until("#status", "the saved disposition", |t| t.contains("Disposition saved")).await;
        desk.wait_until("#agent-state", "back to available", |t| t == "available").await;
    }
    worked.sort();
    worked.dedup();
    assert_eq!(worked.len(), 3, "three different contacts: {worked:?}");

    board.wait_until(&format!("tr[data-campaign='{id}'] td.dialled"), "three calls dialled", |t| t == "3").await;
    board.wait_until(&format!("tr[data-campaign='{id}'] td.answered"), "three answered", |t| t == "3").await;
    board.wait_until(&format!("tr[data-campaign='{id}'] td.occupancy"), "the campaign's occupancy", |t| t.ends_with(" %")).await;
    board.wait_until("#occupancy", "the floor's occupancy", |t| t.ends_with(" %")).await;
    assert_eq!(board.run("return window.stillTheSamePage === true;", vec![]).await, json!(true), "the wallboard never reloaded");
    let drawn =
        "return ['chart-calls', 'chart-abandonment', 'chart-service'].every((id) => document.getElementById(id).naturalWidth === 600);";
    for _ in 0..50 {
        if board.run(drawn, vec![]).await == json!(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(board.run(drawn, vec![]).await, json!(true), "the three charts are drawn");
    let side_by_side = "const [a, b] = ['chart-calls', 'chart-abandonment'].map((id) => document.getElementById(id).getBoundingClientRect());\
        return Math.abs(a.top - b.top) < 1 && b.left > a.right;";
    assert_eq!(board.run(side_by_side, vec![]).await, json!(true), "at 1280 px two charts sit side by side");
    assert_accessible(&board).await;
    board.keep_screenshot("wallboard").await;
    // Today's figures per agent: calls handled, handle time, what they worked on, time in each state.
    let row = format!("tr[data-agent='{}']", ada.id.0);
    board.wait_until(&format!("{row} td.handled"), "three calls handled", |t| t == "3").await;
    let figures = board.text_of(&row).await;
    assert!(figures.contains("Spring renewals"), "{figures}");
    board.click(&format!("{row} button")).await;
    board.wait_until("#agent-history", "the agent's history", |t| t.contains("wrap_up")).await;
    let day = board.text_of("#agent-today").await;
    assert!(day.starts_with("Today: logged in") && day.contains("on calls") && day.contains("in wrap-up"), "{day}");
    // The supervisor sends the agent on a break, saying why; the desk follows.
    board.select("#move-change", "take_break").await;
    board.select("#move-break", "meeting").await;
    board.fill("#move-reason", "Team briefing at three").await;
    board.click("#agent-move button[type=submit]").await;
    board.wait_until("#status", "the move", |t| t.contains("is now break (meeting); the reason was recorded")).await;
    desk.wait_until("#agent-state", "the break the supervisor chose", |t| t == "on a break (meeting)").await;
    // One agent on a break is the campaign's amber level.
    board.wait_until("#count-break", "the break counted", |t| t == "1").await;
    let tile = "const tile = document.getElementById('count-break').parentElement; return [tile.className, tile.textContent];";
    assert_eq!(board.run(tile, vec![]).await, json!(["tile alert-amber", "1 on a break (amber)"]));
    let why = "SELECT COUNT(*) FROM audit_events WHERE action = 'agent.state_set' AND details LIKE '%Team briefing at three%'";
    assert_eq!(server.db.raw.scalar(why).await, 1);
    assert_accessible(&board).await;
    board.keep_screenshot("wallboard-agent").await;

    let dispositions = supervisor.get(&format!("/api/calls?from={}&seconds={}", MONDAY_NOON_UTC - 60, 86_400 + 60)).await.body;
    let done = dispositions["calls"].as_array().unwrap().iter().filter(|c| c["disposition"] == "not_interested").count();
    assert_eq!(done, 3, "{dispositions}");
    for browser in [&desk, &board] {
        assert_clean(&server, &olive, browser, &[]).await;
    }
}

/// After Dial the desk shows the call ringing with the time it has rung,
/// Dial and Skip are gone, and Cancel ends the attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_watches_a_dialled_call_ring_and_cancels_it() {
    let Some(driver) = driver().await else { return };
    let Floor { server, olive, ada, supervisor, .. } = floor().await;
    let csv = "name,phone\nAda Lovelace,+44 20 7183 8750\n";
    assert_eq!(supervisor.upload("/api/imports?list=spring", csv.as_bytes().to_vec(), "text/csv").await.status, 202);
    wait_for(&supervisor, "/api/lists", |lists| lists[0]["status"] == "ready").await;
    server.start_engine(nobody_answers(), 1.0);
    let campaign = json!({ "name": "Spring renewals", "mode": "preview", "lists": ["spring"], "retry_delay_minutes": 1 });
    let id = supervisor.post("/api/campaigns", campaign).await.body["id"].as_i64().unwrap();
    assert_eq!(supervisor.post(&format!("/api/campaigns/{id}/status"), json!({ "status": "running" })).await.status, 200);

    let desk = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &desk, &ada).await;
    desk.click("a[href='/desk']").await;
    desk.wait_until("#agent-state", "the state", |t| t == "offline").await;
    desk.press("a").await;
    desk.wait_until("#agent-state", "start of work", |t| t == "available").await;
    desk.press("n").await;
    desk.wait_until("#call-state", "an offer", |t| t == "offered").await;
    desk.click("#dial").await;
    desk.wait_until("#call-state", "the ringing", |t| t == "ringing").await;
    assert!(desk.text_of("#dial").await.is_empty() && desk.text_of("#skip").await.is_empty(), "no second dial while it rings");
    desk.wait_until("#call-timer", "the time it has rung", |t| t.starts_with("0:0") && t != "0:00").await;
    assert_accessible(&desk).await;
    desk.keep_screenshot("desk-ringing").await;
    desk.click("#cancel-dial").await;
    desk.wait_until("#agent-state", "free again", |t| t == "available").await;
    desk.wait_until("#status", "the cancellation", |t| t == "Call cancelled.").await;
    // A minute on, the contact comes back with the earlier call in words, with who made it,
    // and the contact's own time beside their details.
    server.clock.advance(61);
    desk.run("document.activeElement.blur();", vec![]).await;
    desk.press("n").await;
    desk.wait_until("#call-state", "the offer again", |t| t == "offered").await;
    let history = desk.wait_until("#history", "the earlier call", |t| !t.is_empty()).await;
    assert!(history.contains("cancelled by the agent · Test ada") && !history.contains("UTC"), "{history}");
    let fields = desk.text_of("#contact-fields").await;
    assert!(fields.contains("Their time now") && fields.contains("(Europe/London)"), "{fields}");
    desk.click("#skip").await;
    desk.wait_until("#agent-state", "free again", |t| t == "available").await;
    desk.press("q").await;
    desk.wait_until("#agent-state", "the end of work", |t| t == "offline").await;
    let calls = supervisor.get(&format!("/api/calls?from={}&seconds=3600", MONDAY_NOON_UTC - 60)).await.body;
    assert_eq!(calls["calls"][0]["result"], "cancelled", "{calls}");
    assert_clean(&server, &olive, &desk, &[]).await;
}

/// An incoming call rings at the desk with a countdown: the agent declines
/// it from the keyboard, is set aside, comes back, accepts it, and puts the
/// caller on hold and back before hanging up. Disabled, they are signed out
/// of the open desk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_declines_accepts_and_holds_an_incoming_call() {
    let Some(driver) = driver().await else { return };
    let Floor { server, olive, sam, ada, supervisor } = floor().await;
    let queue =
        json!({ "name": "Customer care", "number": "+442071838000", "answer_within_seconds": 20, "script": "Thank you for calling." });
    server.assign_numbers(&server.tenant, &["+442071838000"]).await;
    assert_eq!(supervisor.post("/api/queues", queue).await.status, 201);
    let telephony = server.start_engine(everyone_answers(), 100.0);

    let board = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &board, &sam).await;
    board.click("a[href='/wallboard']").await;
    board.wait_until("#queues", "the queue", |t| t.contains("Customer care")).await;
    let desk = driver.browser(WIDTH, LAPTOP_HEIGHT).await;
    sign_in(&server, &desk, &ada).await;
    desk.click("a[href='/desk']").await;
    desk.wait_until("#agent-state", "the state", |t| t == "offline").await;
    let band = "return document.getElementById('status').getBoundingClientRect().height;";
    assert_eq!(desk.run(band, vec![]).await, json!(0), "with nothing to say, the status line takes no room");
    desk.press("a").await;
    desk.wait_until("#agent-state", "start of work", |t| t == "available").await;
    desk.wait_until("#status", "the new state", |t| t == "You are available.").await;
    let patient = trustline_telephony::Caller { patience_ms: 36_000_000, talk_ms: 36_000_000, accepts_callback: false };
    telephony.ring_in("+442071838000", Some("+442079460555"), patient).await.unwrap();

    let ringing = desk.wait_until("#incoming", "the incoming call", |t| t.contains("Incoming call for Customer care")).await;
    // The title flashes, so the call is seen from another tab.
    let mut titles = std::collections::BTreeSet::new();
    for _ in 0..30 {
        titles.insert(desk.run("return document.title;", vec![]).await.as_str().unwrap_or_default().to_owned());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(titles.contains("Incoming call · Desk · Trustline") && titles.contains("Desk · Trustline"), "{titles:?}");
    desk.wait_until("#status", "the stale state gone", |t| !t.contains("You are available")).await;
    board.wait_until("#queues td.waiting", "the call ringing at a desk", |t| t == "1 (1 ringing)").await;
    assert!(ringing.contains("answer within 20 s") || ringing.contains("answer within 19 s"), "{ringing}");
    let masked = desk.text_of("#contact-fields").await;
    assert!(masked.contains("masked") && !masked.contains("+442079460555"), "the caller stays masked until accepted: {masked}");
    assert_accessible(&desk).await;
    let in_view = "const r = document.getElementById('accept').getBoundingClientRect(); return r.bottom <= window.innerHeight;";
    assert_eq!(desk.run(in_view, vec![]).await, json!(true), "on a 13-inch laptop the call is answered without scrolling");
    desk.keep_screenshot("desk-incoming").await;
    desk.press("x").await;
    desk.wait_until("#agent-state", "set aside", |t| t == "on a break (declined a call)").await;
    desk.wait_until("#status", "the reason", |t| t.contains("went back to the queue")).await;

    desk.press("a").await;
    desk.wait_until("#incoming", "the call again", |t| t.contains("Incoming call")).await;
    desk.press("c").await;
    desk.wait_until("#call-state", "the conversation", |t| t == "connected").await;
    let shown = desk.text_of("#contact-fields").await;
    assert!(shown.contains("+442079460555") && !shown.contains("masked"), "accepted, the agent sees the caller: {shown}");
    assert!(desk.text_of("#incoming").await.is_empty(), "the offer is gone");
    assert_eq!(desk.run("return document.title;", vec![]).await, json!("Desk · Trustline"), "answered, the title is still");
    // Single-key shortcuts can be turned off.
    desk.click("#shortcuts-on").await;
    desk.run("document.activeElement.blur();", vec![]).await;
    desk.press("p").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(desk.text_of("#call-state").await, "connected", "turned off, P does nothing");
    desk.click("#shortcuts-on").await;
    desk.run("document.activeElement.blur();", vec![]).await;
    desk.press("p").await;
    desk.wait_until("#call-state", "the hold", |t| t == "connected (on hold)").await;
    assert_eq!(desk.text_of("#hold").await, "Take back P");
    desk.keep_screenshot("desk-on-hold").await;
    desk.press("p").await;
    desk.wait_until("#call-state", "the caller back", |t| t == "connected").await;
    desk.wait_until("#status", "the hold's end", |t| t == "Back with the caller.").await;
    // A stray H does not end the call: hanging up takes Shift as well.
    desk.press("h").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(desk.text_of("#call-state").await, "connected", "H alone does not hang up");
    desk.press_shifted("h").await;
    desk.wait_until("#call-state", "the wrap-up", |t| t == "wrap up").await;
    // The queue's default limit of two minutes, counted down.
    desk.wait_until("#wrap-up-left", "the wrap-up's limit", |t| {
        t.starts_with("Without a disposition you are made available in ") && (t.ends_with(" 2:00.") || t.contains(" 1:5"))
    })
    .await;
    desk.wait_until("#status", "the stale message gone", |t| !t.contains("Back with the caller")).await;
    desk.select("#disposition-code", "resolved").await;
    desk.click("#disposition-form button[type=submit]").await;
    desk.wait_until("#status", "the saved disposition", |t| t.contains("Disposition saved")).await;

    // A second caller is handed back to the queue: the agent chooses it and leaves the call.
    telephony.ring_in("+442071838000", Some("+442079460556"), patient).await.unwrap();
    desk.wait_until("#incoming", "the next call", |t| t.contains("Incoming call")).await;
    desk.press("c").await;
    desk.wait_until("#call-state", "the conversation", |t| t == "connected").await;
    desk.press("t").await;
    let focused = desk.run("return document.activeElement.id;", vec![]).await;
    assert_eq!(focused, json!("transfer-to"), "T opens the choice of where to transfer");
    let queue_id = supervisor.get("/api/queues").await.body[0]["id"].as_i64().unwrap();
    desk.wait_until("#transfer-to", "the targets", |t| t.contains("Customer care")).await;
    desk.select("#transfer-to", &format!("queue:{queue_id}")).await;
    desk.click("#transfer-form button[type=submit]").await;
    desk.wait_until("#call-state", "the wrap-up", |t| t == "wrap up").await;
    desk.wait_until("#status", "where it went", |t| t.contains("Transferred to Customer care")).await;
    board.wait_until("#queues td.waiting", "the caller waiting again", |t| t.starts_with('1')).await;
    desk.select("#disposition-code", "resolved").await;
    desk.click("#disposition-form button[type=submit]").await;
    desk.wait_until("#incoming", "the transferred caller, at the only desk free", |t| t.contains("Incoming call")).await;
    assert_clean(&server, &olive, &desk, &[]).await;

    // Disabled by an administrator, the agent's open desk is signed out by its own feed.
    let admin = server.signed_in(&olive).await;
    assert_eq!(admin.post(&format!("/api/users/{}/disable", ada.id.0), json!({})).await.status, 204);
    let started = std::time::Instant::now();
    while !desk.url().await.ends_with("/login") {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the desk stayed open: {}", desk.url().await);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// An administrator imports a call list with a few bad rows: the progress
/// bar fills, the counts add up and the rejected rows are listed by line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_imports_a_list_and_sees_the_rejected_rows() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let adam = server.create_user(&server.tenant, "adam", Role::Admin, true).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spring.csv");
    // A spreadsheet's export: semicolons, quoted names, a column the import does not know.
    let rows = "\"Full Name\";Mobile;E-mail;Notes\nAda Lovelace;020 7183 8750;ada@example.com;VIP\nNo Number;;nobody@example.com;\n\
                Short Number;12;short@example.com;\nBea Brown;+44 20 7946 0002;not-an-email;\nCyd Charisse;+44 20 7946 0003;cyd@example.com;\n";
    std::fs::write(&file, rows).unwrap();
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &adam).await;
    browser.click("nav[aria-label=Screens] a[href^='/admin/']").await;
    browser.click("a[href='/admin/imports']").await;
    browser.fill("#import-list", "spring").await;
    browser.fill("#import-region", "GB").await;
    browser.attach("#import-file", &file).await;
    // Each column gets a proposed field; the one the import does not know waits for a choice.
    browser.wait_until("#mapping", "the columns", |t| t.contains("Notes")).await;
    let chosen = "return [...document.querySelectorAll('#mapping select')].map((s) => [s.dataset.column, s.value]);";
    assert_eq!(browser.run(chosen, vec![]).await, json!([["Full Name", "name"], ["Mobile", "phone"], ["E-mail", "email"], ["Notes", ""]]));
    browser.click("#import-form button[type=submit]").await;
    browser.wait_until("#status", "the column left open", |t| t.contains("Choose a field for Notes, or ignore it")).await;
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM imports").await, 0, "nothing was sent");
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-import-mapping").await;
    browser.select("#map-3", "ignore").await;
    browser.click("#import-form button[type=submit]").await;
    let status = browser.wait_until("#status", "the end of the import", |t| t.starts_with("Import finished")).await;
    assert!(status.contains("3 imported") && status.contains("2 rejected"), "{status}");
    assert!(status.contains("this file's values for them were not applied"), "{status}");
    assert_eq!(browser.run("return document.getElementById('import-bar').value;", vec![]).await, json!(100));
    let rejected = browser.wait_until("#rejections", "the rejected rows", |t| t.lines().count() == 2).await;
    for line in ["4", "5"] {
        assert!(rejected.lines().any(|l| l.starts_with(line)), "line {line} rejected: {rejected}");
    }
    assert!(!rejected.contains("Short Number") && !rejected.contains("not-an-email"), "reasons, never the values: {rejected}");
    browser.wait_until("#lists", "the new list", |t| t.contains("spring")).await;
    browser.run("document.getElementById('import-progress').scrollIntoView();", vec![]).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-import").await;
    assert_clean(&server, &olive, &browser, &[]).await;
}

/// Every console section opens and does its main job: invite a user, create
/// and start a campaign, set retention, create a token, subscribe a webhook,
/// add a SIP trunk and change it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_console_invites_creates_and_configures() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start_with(
        Engine::Sqlite,
        trustline_server::AppConfig { allow_private_webhooks: true, sip_tls: true, ..Default::default() },
    )
    .await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    server.assign_numbers(&server.tenant, &["+442071838000"]).await;
    let owner = server.signed_in(&olive).await;
    let csv = "name,phone\nAda Lovelace,+44 20 7183 8750\n";
    assert_eq!(owner.upload("/api/imports?list=spring", csv.as_bytes().to_vec(), "text/csv").await.status, 202);
    wait_for(&owner, "/api/lists", |lists| lists[0]["status"] == "ready").await;
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &olive).await;

    browser.goto(&format!("{}/admin/users", server.base)).await;
    let chosen = "return document.getElementById('invite-role').value;";
    assert_eq!(browser.run(chosen, vec![]).await, json!("agent"), "an invitation starts at the least privileged role");
    browser.fill("#invite-username", "newbie").await;
    browser.fill("#invite-name", "New Agent").await;
    browser.click("#invite-form button[type=submit]").await;
    browser.wait_until("#invite-result", "the initial password", |t| t.contains("Initial password for newbie")).await;
    // The password shown once can be copied or downloaded, never retyped.
    let password = browser.text_of("#invite-result code").await;
    assert!(password.len() >= 16, "{password}");
    browser.click("#invite-result a.keep").await;
    assert_eq!(String::from_utf8(browser.downloaded("newbie-initial-password").await).unwrap(), format!("{password}\n"));
    browser.click("#invite-result button.keep").await;
    browser.wait_until("#invite-result button.keep", "the copy's outcome", |t| t != "Copy").await;
    browser.wait_until("#users", "the new account", |t| t.contains("New Agent")).await;
    // An agent may be allowed to call numbers from the desk.
    browser.wait_until("tr[data-user='newbie'] td:nth-of-type(5)", "no calls out yet", |t| t == "no").await;
    browser.click("tr[data-user='newbie'] button[data-action='calls-out']").await;
    browser.wait_until("tr[data-user='newbie'] td:nth-of-type(5)", "calls out allowed", |t| t == "allowed").await;
    let newbie = owner.get("/api/users").await.body.as_array().unwrap().iter().find(|u| u["username"] == "newbie").unwrap().clone();
    assert_eq!(newbie["manual_calls"], true, "{newbie}");
    browser.wait_until("tr[data-user='olive'] td:nth-of-type(5)", "the owner's calls out", |t| t == "by role").await;
    // A desk phone login is shown once, to be copied or downloaded.
    browser.click("tr[data-user='newbie'] button[data-action='desk-phone']").await;
    browser.wait_until("#desk-phone-result", "the desk phone login", |t| t.contains("Desk phone login for newbie")).await;
    let login = browser.text_of("#desk-phone-result code").await;
    let stored = owner.get(&format!("/api/users/{}/desk-phone", newbie["id"])).await.body;
    let username = stored["username"].as_str().unwrap();
    assert!(login.starts_with(&format!("username {username}, password ")) && login.ends_with(", realm trustline"), "{login}");
    // Disabling asks first: one click only asks.
    browser.click("tr[data-user='newbie'] button[data-action='disable']").await;
    browser.wait_until("tr[data-user='newbie'] td.actions", "the question", |t| t.contains("Disable newbie? Click again")).await;
    assert_eq!(
        owner.get("/api/users").await.body.as_array().unwrap().iter().find(|u| u["username"] == "newbie").unwrap()["disabled"],
        false
    );
    browser.click("tr[data-user='newbie'] button[data-action='disable']").await;
    browser.wait_until("tr[data-user='newbie']", "the disabled account", |t| t.contains("disabled")).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-users").await;

    browser.click("a[href='/admin/campaigns']").await;
    browser.fill("#campaign-name", "Spring renewals").await;
    browser.select("#campaign-mode", "progressive").await;
    browser.click("#campaign-lists input[value='spring']").await;
    browser.fill("#campaign-script", "Hello from Trustline.").await;
    browser.fill("#campaign-caller-id", "+442071838000").await;
    browser.fill("#campaign-holidays", "2030-12-25").await;
    // A disposition line that does not read is refused before anything is sent.
    browser.fill("#campaign-dispositions", "interested, Interested, success\nlater, Call back later").await;
    browser.click("#campaign-form button[type=submit]").await;
    browser.wait_until("#status", "the refused line", |t| t.contains("Dispositions, line 2")).await;
    browser.fill("#campaign-dispositions", "interested, Interested, success\nlater, Call back later, callback").await;
    browser.click("#campaign-form button[type=submit]").await;
    browser.wait_until("#campaigns", "the new campaign", |t| t.contains("Spring renewals") && t.contains("draft")).await;
    let saved = owner.get("/api/campaigns").await.body[0]["settings"].clone();
    let codes: Vec<&str> = saved["dispositions"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(
        (codes, &saved["caller_id"], &saved["holidays"]),
        (vec!["interested", "later"], &json!("+442071838000"), &json!(["2030-12-25"])),
        "{saved}"
    );
    // Edit fills the form with the campaign as it is; saving changes what was changed.
    browser.click("#campaigns td.actions button.secondary").await;
    browser.wait_until("#campaign-form h3", "the form for a change", |t| t == "Change Spring renewals").await;
    let filled = "return ['campaign-dispositions', 'campaign-holidays', 'campaign-caller-id', 'campaign-mode']
        .map((id) => document.getElementById(id).value)
        .concat(document.querySelector(\"#campaign-lists input[value='spring']\").checked);";
    assert_eq!(
        browser.run(filled, vec![]).await,
        json!(["interested, Interested, success\nlater, Call back later, callback", "2030-12-25", "+442071838000", "progressive", true])
    );
    browser.fill("#campaign-attempts", "5").await;
    browser.click("#campaign-form button[type=submit]").await;
    browser.wait_until("#status", "the saved change", |t| t.contains("Campaign Spring renewals saved")).await;
    let changed = owner.get("/api/campaigns").await.body[0]["settings"].clone();
    let kept = ["dispositions", "holidays", "script", "caller_id", "mode", "lists", "abandonment", "wrap_up_seconds", "alerts"];
    assert_eq!(changed["retry"]["max_attempts"], 5, "{changed}");
    for field in kept {
        assert_eq!(changed[field], saved[field], "{field} changed: {changed}");
    }
    assert_eq!(browser.text_of("#campaign-form h3").await, "New campaign");
    browser.click("#campaigns td.actions button").await;
    browser.wait_until("#campaigns", "the running campaign", |t| t.contains("running")).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-campaigns").await;
    // Finishing cannot be undone: the first click only asks.
    browser.click("#campaigns td.actions button:nth-of-type(2)").await;
    browser.wait_until("#campaigns td.actions", "the question", |t| t.contains("Finish Spring renewals for good? Click again")).await;
    assert_eq!(owner.get("/api/campaigns").await.body[0]["status"], "running");
    browser.click("#campaigns td.actions button:nth-of-type(2)").await;
    browser.wait_until("#campaigns", "the finished campaign", |t| t.contains("finished")).await;

    browser.click("a[href='/admin/queues']").await;
    browser.fill("#queue-name", "Customer care").await;
    browser.fill("#queue-number", "+442071838000").await;
    browser.fill("#queue-skills", "billing 3").await;
    browser.fill("#queue-hours", "mon-fri 08:00-18:00").await;
    browser.fill("#queue-answer", "20").await;
    browser.click("#queue-form button[type=submit]").await;
    let added = |t: &str| t.contains("Customer care") && t.contains("billing 3") && t.contains("80 % in 20 s") && t.contains("\t20 s\t");
    browser.wait_until("#queues", "the new queue", added).await;
    let created = owner.get("/api/queues").await.body[0]["settings"].clone();
    browser.click("#queues td.actions button").await;
    browser.wait_until("#queue-form h3", "the form for a change", |t| t == "Change Customer care").await;
    browser.fill("#queue-priority", "7").await;
    browser.fill("#queue-wait-red", "90").await;
    browser.click("#queue-form button[type=submit]").await;
    browser.wait_until("#status", "the saved change", |t| t.contains("Queue Customer care saved")).await;
    let changed = owner.get("/api/queues").await.body[0]["settings"].clone();
    assert_eq!(changed["priority"], 7, "{changed}");
    let wait = &changed["alerts"]["longest_wait_seconds"];
    assert_eq!((wait["amber"].as_f64(), wait["red"].as_f64()), (Some(60.0), Some(90.0)), "{changed}");
    assert_eq!(changed["alerts"]["service_level"], created["alerts"]["service_level"]);
    for field in ["number", "skills", "hours", "answer_within_seconds", "service_level", "strategy", "dispositions", "time_zone"] {
        assert_eq!(changed[field], created[field], "{field} changed: {changed}");
    }
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-queues").await;

    browser.click("a[href='/admin/retention']").await;
    browser.fill("#retention-contacts", "365").await;
    browser.click("#retention-form button[type=submit]").await;
    browser.wait_until("#status", "the saved policy", |t| t.contains("Retention policy saved")).await;
    assert_eq!(owner.get("/api/retention").await.body["contact_idle_days"], 365);

    browser.click("a[href='/admin/tokens']").await;
    browser.fill("#token-name", "crm").await;
    browser.click("#token-scopes input[value='contact.read']").await;
    browser.click("#token-form button[type=submit]").await;
    browser.wait_until("#token-secret", "the token", |t| t.contains("tlk_")).await;
    let token = browser.text_of("#token-secret code").await;
    browser.click("#token-secret a.keep").await;
    assert_eq!(String::from_utf8(browser.downloaded("crm-token").await).unwrap(), format!("{token}\n"));
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-tokens").await;

    browser.click("a[href='/admin/webhooks']").await;
    browser.fill("#webhook-url", "http://10.1.2.3/hooks").await;
    browser.click("#webhook-form input[value='contact.created']").await;
    browser.click("#webhook-form button[type=submit]").await;
    browser.wait_until("#webhook-secret", "the signing secret", |t| t.contains("whsec_")).await;
    browser.wait_until("#webhooks", "the subscription", |t| t.contains("10.1.2.3")).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-webhooks").await;

    browser.click("a[href='/admin/trunks']").await;
    browser.fill("#trunk-name", "Main carrier").await;
    browser.fill("#trunk-host", "sip.carrier.example").await;
    browser.fill("#trunk-sources", "203.0.113.7\n203.0.113.8").await;
    browser.fill("#trunk-username", "acme-42").await;
    browser.fill("#trunk-password", "carrier-pass").await;
    browser.click("#trunk-form button[type=submit]").await;
    let added = |t: &str| t.contains("sip.carrier.example:5060 (UDP)") && t.contains("203.0.113.7, 203.0.113.8") && t.contains("acme-42");
    browser.wait_until("#trunks", "the new trunk", added).await;
    // Change fills the form; a password left empty keeps the login.
    browser.click("#trunks td.actions button").await;
    browser.wait_until("#trunk-form h3", "the form for a change", |t| t.starts_with("Change Main carrier")).await;
    browser.fill("#trunk-port", "5080").await;
    browser.select("#trunk-transport", "tls").await;
    browser.click("#trunk-srtp").await;
    browser.click("#trunk-form button[type=submit]").await;
    browser.wait_until("#trunks", "the changed trunk", |t| t.contains("sip.carrier.example:5080 (TLS, SRTP)")).await;
    let trunk = owner.get("/api/trunks").await.body[0].clone();
    assert_eq!(
        (&trunk["port"], &trunk["transport"], &trunk["srtp"], &trunk["digest_username"]),
        (&json!(5080), &json!("tls"), &json!(true), &json!("acme-42")),
        "{trunk}"
    );
    assert_eq!(browser.text_of("#trunk-form h3").await, "New trunk");
    assert_accessible(&browser).await;
    browser.keep_screenshot("admin-trunks").await;
    assert_clean(&server, &olive, &browser, &[]).await;
}

/// An invited agent signs in with a one-time password, is sent to choose
/// their own, and signs in with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_agent_chooses_their_own_password() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let owner = server.signed_in(&olive).await;
    let created = owner.post("/api/users", json!({ "username": "newbie", "display_name": "Test newbie", "role": "agent" })).await;
    let one_time = created.body["initial_password"].as_str().unwrap().to_owned();
    let browser = driver.browser(WIDTH, HEIGHT).await;
    browser.goto(&format!("{}/login", server.base)).await;
    submit_sign_in(&browser, "acme", "newbie", &one_time).await;
    browser.wait_for_text("Your password was set for you").await;
    browser.fill("#current-password", &one_time).await;
    browser.fill("#new-password", "harbour violin quartz meadow").await;
    browser.fill("#repeat-password", "harbour violin quartz meadows").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("the two new passwords are not the same").await;
    browser.fill("#current-password", &one_time).await;
    browser.fill("#new-password", "harbour violin quartz meadow").await;
    browser.fill("#repeat-password", "harbour violin quartz meadow").await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("password-change").await;
    browser.click("button[type=submit]").await;
    browser.wait_for_text("Password changed").await;
    browser.click("a[href='/login']").await;
    submit_sign_in(&browser, "acme", "newbie", "harbour violin quartz meadow").await;
    browser.wait_for_text("Welcome, Test newbie").await;
    let refused = format!("{}/password - Failed to load resource: the server responded with a status of 422", server.base);
    assert_clean(&server, &olive, &browser, &[&refused]).await;
}

/// The owner works the trust center's registers: adds a course and records
/// a completion, reviews a supplier, runs an access review, reviews a risk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_works_the_trust_center_registers() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    server.create_user(&server.tenant, "adam", Role::Admin, true).await;
    let ada = server.create_user(&server.tenant, "ada", Role::Agent, false).await;
    let owner = server.signed_in(&olive).await;
    let carrier = json!({ "name": "Carrier Ltd", "service": "SIP trunks", "data_touched": "called numbers", "certifications": [{ "kind": "iso27001", "expires_on": "2031-12-31" }] });
    assert_eq!(owner.post("/api/suppliers", carrier).await.status, 201);
    let risk = json!({ "title": "Stolen agent credentials", "likelihood": 4, "impact": 5, "treatment": "mitigate", "owner_id": olive.id.0, "controls": ["AC-01"] });
    assert_eq!(owner.post("/api/risks", risk).await.status, 201);
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &olive).await;

    browser.goto(&format!("{}/trust/training", server.base)).await;
    browser.fill("#course-title", "Handling personal data").await;
    browser.click("#course-form button[type=submit]").await;
    browser.wait_until("#courses", "the course", |t| t.contains("Handling personal data")).await;
    browser.wait_until("tr[data-user='ada']", "ada's lapsed standing", |t| t.contains("Handling personal data")).await;
    browser.click("tr[data-user='ada'] button").await;
    browser.wait_until("tr[data-user='ada']", "ada's current standing", |t| t.contains("current")).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("trust-training").await;

    browser.click("a[href='/trust/suppliers']").await;
    browser.wait_until("#suppliers", "the supplier's task", |t| t.contains("never reviewed")).await;
    browser.fill("#suppliers input[type=text]", "Certificate and DPA checked").await;
    browser.click("#suppliers button").await;
    browser.wait_until("#suppliers", "the review", |t| t.contains("approved") && !t.contains("never reviewed")).await;

    browser.click("a[href='/trust/access-reviews']").await;
    browser.click("#start-review").await;
    browser.wait_until("#review", "the campaign's accounts", |t| t.contains("ada") && t.contains("pending")).await;
    assert_eq!(browser.all("#review tr[data-user='olive'] button").await.len(), 0, "nobody reviews their own access");
    browser.click("#review tr[data-user='ada'] button:nth-of-type(2)").await;
    browser.wait_until("#review tr[data-user='ada']", "the revocation", |t| t.contains("revoke")).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("trust-access-review").await;
    assert_eq!(owner.get(&format!("/api/users/{}", ada.id.0)).await.body["disabled"], true, "revoked access is gone at once");

    browser.click("a[href='/trust/risks']").await;
    browser.wait_until("#risks", "the risk", |t| t.contains("4 × 5 = 20")).await;
    browser.fill("#risks input[type=text]", "MFA now required for everyone").await;
    browser.click("#risks button").await;
    browser.wait_until("#status", "the recorded review", |t| t.contains("Review of Stolen agent credentials recorded")).await;
    assert_accessible(&browser).await;
    browser.keep_screenshot("trust-risks").await;
    assert_clean(&server, &olive, &browser, &[]).await;
}

/// The checks the other browser tests rely on work: an inline script slipped
/// into a page is blocked, logged, and reported by the browser to the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csp_violation_is_blocked_logged_and_reported() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start(Engine::Sqlite).await;
    let olive = server.create_user(&server.tenant, "olive", Role::Owner, true).await;
    let browser = driver.browser(WIDTH, HEIGHT).await;
    sign_in(&server, &browser, &olive).await;
    let injected = "const s = document.createElement('script'); s.textContent = 'window.injected = true;'; document.body.append(s);";
    browser.run(injected, vec![]).await;
    assert_eq!(browser.run("return window.injected === true;", vec![]).await, json!(false), "the inline script did not run");
    let problems = browser.problems().await;
    assert!(problems.iter().any(|p| p.contains("Content Security Policy")), "{problems:#?}");
    let owner = server.signed_in(&olive).await;
    let reports = wait_for(&owner, "/api/csp-reports", |r| r.as_array().is_some_and(|a| !a.is_empty())).await;
    assert_eq!(reports[0]["blocked"], "inline", "{reports}");
    assert!(reports[0]["directive"].as_str().unwrap().starts_with("script-src"), "{reports}");
    // And a field without a label is found.
    browser.run("const f = document.createElement('input'); f.id = 'stray'; document.body.append(f);", vec![]).await;
    assert_eq!(browser.unlabelled_fields().await, ["stray"]);
    // And faint text.
    browser.run("const p = document.createElement('p'); p.id = 'faint'; p.textContent = 'Hard to read'; p.style.color = '#aaa'; document.body.append(p);", vec![]).await;
    let faint = browser.low_contrast_text().await;
    assert_eq!(faint.len(), 1, "{faint:?}");
    assert_eq!(faint[0], "#faint \"Hard to read\": 2.16:1, rgb(170, 170, 170) on rgb(245, 247, 249)", "grey on the page's background");
    // And a table too wide for the window.
    browser.run("const t = document.createElement('div'); t.id = 'wide'; t.textContent = 'x'; t.style.width = '2000px'; document.body.append(t);", vec![]).await;
    assert_eq!(browser.wider_than_window().await, ["#wide"]);
}

/// Every signed-in screen, as each role sees it, fits a phone held upright
/// (390 × 844): the page never scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_fits_a_phone() {
    let Some(driver) = driver().await else { return };
    let Floor { server, olive, sam, ada, .. } = floor().await;
    // A control's page stands for every page of one thing.
    let screens: Vec<String> = trustline_server::route_table()
        .into_iter()
        .filter(|r| r.method == axum::http::Method::GET && matches!(r.access, trustline_server::Access::Allowed(_)))
        .map(|r| r.path.replace("/trust/controls/{id}", "/trust/controls/AC-01"))
        .filter(|p| !p.starts_with("/api/") && !p.starts_with("/static/") && !p.contains('{') && !p.ends_with(".svg"))
        .collect();
    assert!(screens.iter().any(|s| s == "/trust/controls/AC-01"), "{screens:?}");
    let pictured = ["/desk", "/wallboard", "/reports", "/admin/campaigns", "/admin/imports", "/trust", "/trust/audit"];
    assert!(screens.len() >= 15, "{screens:?}");
    let mut too_wide = Vec::new();
    for user in [&olive, &sam, &ada] {
        let phone = driver.browser(390, 844).await;
        sign_in(&server, &phone, user).await;
        for screen in &screens {
            phone.goto(&format!("{}{screen}", server.base)).await;
            phone.find("main").await;
            let sideways = "return document.documentElement.scrollWidth > document.documentElement.clientWidth;";
            if phone.run(sideways, vec![]).await == json!(true) {
                too_wide.push(format!("{} at {screen}: {:?}", user.username, phone.wider_than_window().await));
            }
            if user.username == "olive" && pictured.contains(&screen.as_str()) {
                phone.keep_screenshot(&format!("phone{}", screen.replace('/', "-"))).await;
            }
        }
    }
    assert!(too_wide.is_empty(), "screens wider than a phone:\n{}", too_wide.join("\n"));
}
