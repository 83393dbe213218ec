//! `trustline serve --demo --sip-listen`: a SIP caller on this machine
//! dials a demo queue's number, hears hold music while it waits, and is
//! answered by a floor agent, who greets them with a recording.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../trustline-sip/tests/peers/mod.rs"]
mod peers;
#[path = "../../trustline-sip/tests/test_authority/mod.rs"]
mod test_authority;

mod demo_process;

use demo_process::{Killed, trustline};
use peers::far_audio::{Heard, purity, samples_from};
use peers::{BaresipPhone, FarAudio, Sipp, options_flood};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Stdio;
use std::time::Duration;
use test_authority::TestAuthority;
use trustline_app::SystemClock;
use trustline_crypto::{Totp, TotpSecret, base32_decode};
use trustline_domain::Clock;
use zeroize::Zeroizing;

/// The hold music's notes.
const MUSIC: [f64; 6] = [220.0, 261.63, 329.63, 392.0, 440.0, 523.25];

/// What the server prints, a line at a time.
type Printed = std::iter::Map<std::io::Lines<BufReader<std::process::ChildStdout>>, fn(std::io::Result<String>) -> String>;

/// A demo server with a SIP edge, logging at the most detailed level.
struct Demo {
    child: Killed,
    lines: Printed,
    logged: std::thread::JoinHandle<String>,
    /// Where HTTP is served, ending in `/`.
    base: String,
    owner_password: String,
    /// The demo agent's, who needs no authenticator.
    agent_password: String,
    edge: SocketAddr,
}

impl Demo {
    fn start(dir: &std::path::Path, extra: &[&str]) -> Demo {
        let args = ["serve", "--demo", "--listen", "127.0.0.1:0", "--sip-listen", "127.0.0.1:0", "--simulated-speed", "1000"];
        let child =
            trustline(dir, &args).args(extra).env("TRUSTLINE_LOG", "trace").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut child = Killed(child);
        let stderr = child.0.stderr.take().unwrap();
        let logged = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
        let unwrap: fn(std::io::Result<String>) -> String = Result::unwrap;
        let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines().map(unwrap);
        let first = lines.next().expect("the demo says where it listens");
        let base = first.split("listening on ").nth(1).unwrap().split(' ').next().unwrap().to_owned();
        let owner = lines.find(|l| l.trim_start().starts_with("owner ")).expect("the demo prints the owner's password");
        let owner_password = owner.split_whitespace().last().unwrap().to_owned();
        let agent = lines.find(|l| l.trim_start().starts_with("agent ")).expect("the demo prints the agent's password");
        let agent_password = agent.split_whitespace().last().unwrap().to_owned();
        let sip_line = lines.find(|l| l.starts_with("SIP calls")).expect("the demo says where SIP calls go");
        let edge = sip_line.split('@').nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        Demo { child, lines, logged, base, owner_password, agent_password, edge }
    }
}

#[tokio::test]
async fn a_sip_caller_hears_music_until_a_floor_agent_greets_them() {
    let Some(sipp) = peers::sipp() else { return };
    let dir = tempfile::tempdir().unwrap();
    let Demo { child, lines, logged, edge, .. } = Demo::start(dir.path(), &[]);
    let heard = greeting_heard(&sipp, IpAddr::V4(Ipv4Addr::LOCALHOST), edge).await;
    assert!(heard, "the caller was answered with PCMA, heard music until a floor agent's greeting, and hung up cleanly");
    drop(child);
    let logged = logged.join().unwrap();
    assert!(logged.contains("TRACE") || logged.contains("DEBUG"), "the server logged at the most detailed level");
    assert!(!logged.contains("447700900123"), "the caller's number reached the log");
    let printed: String = lines.collect();
    assert!(!printed.contains("447700900123"), "the caller's number was printed");
}

/// The owner, signed in with a freshly enrolled authenticator: a client
/// and the session's CSRF token.
async fn owner_session(demo: &Demo) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let call = |method: reqwest::Method, path: &str, csrf: Option<&str>, body: Value| {
        let mut request = client.request(method, format!("{}{path}", demo.base)).json(&body);
        if let Some(csrf) = csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let body = json!({ "tenant": "demo", "username": "owner", "password": demo.owner_password });
    let session = call(reqwest::Method::POST, "api/session", None, body).await;
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let enrolment = call(reqwest::Method::POST, "api/mfa/enrolment", Some(&csrf), json!({})).await;
    let secret = base32_decode(enrolment["secret"].as_str().unwrap()).unwrap();
    let code = Totp::code(&TotpSecret::from_bytes(Zeroizing::new(secret)), Totp::step_at(SystemClock.now()));
    let session = call(reqwest::Method::POST, "api/mfa/enrolment/confirm", Some(&csrf), json!({ "code": format!("{code:06}") })).await;
    let csrf = session["csrf_token"].as_str().unwrap_or_else(|| panic!("the owner is signed in: {session}")).to_owned();
    (client, csrf)
}

/// An administrator adds the tenant's own trunk through the running
/// server's API: within moments the SIP edge takes calls from the address
/// it names (refused before), and they reach the tenant's queue.
#[tokio::test]
async fn a_trunk_added_through_the_api_is_served_by_the_sip_edge() {
    let Some(sipp) = peers::sipp() else { return };
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::start(dir.path(), &["--allow-private-trunks"]);
    // The demo's own trunk is loopback's 127.0.0.1; 127.0.0.2 stands for the tenant's carrier.
    let carrier = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    assert_eq!(options_flood(demo.edge, carrier, 1).await, ["SIP/2.0 403 Forbidden"], "a stranger before the trunk exists");
    let (client, csrf) = owner_session(&demo).await;
    let trunk = json!({ "name": "Own carrier", "host": "127.0.0.1", "port": 5099, "sources": [carrier.to_string()] });
    let created = client.post(format!("{}api/trunks", demo.base)).header("X-CSRF-Token", &csrf).json(&trunk).send().await.unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let mut served = false;
    for _ in 0..10 {
        if options_flood(demo.edge, carrier, 1).await == ["SIP/2.0 200 OK"] {
            served = true;
            break;
        }
    }
    assert!(served, "the edge did not take the new trunk's address within 10 s");
    assert!(greeting_heard(&sipp, carrier, demo.edge).await, "a call on the tenant's trunk did not reach its queue's agents");
}

#[test]
fn telephony_flags_that_cannot_work_are_refused_before_anything_changes() {
    let dir = tempfile::tempdir().unwrap();
    // The demo lets loopback call in; elsewhere the trunk's sources must be named.
    let secrets = tempfile::tempdir().unwrap();
    let empty = secrets.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let (empty, missing) = (empty.to_str().unwrap(), secrets.path().join("missing"));
    let missing = missing.to_str().unwrap();
    let cases: [(&[&str], &str); 12] = [
        (&["--demo", "--telephony", "none", "--sip-listen", "127.0.0.1:0"], "needs a dialer"),
        (&["--demo", "--telephony", "sip"], "needs --sip-listen"),
        (&["--demo", "--sip-listen", "0.0.0.0:0"], "--media-ip is needed"),
        (&["--demo", "--sip-listen", "127.0.0.1:0", "--rtp-ports", "40000-30000"], "low-high"),
        // The desks' TURN relay.
        (&["--demo", "--turn-url", "stun:relay.example.com", "--turn-secret-file", empty], "starts with turn: or turns:"),
        (&["--demo", "--turn-url", "turn:relay.example.com:99999", "--turn-secret-file", empty], "port is a number from 1 to 65535"),
        (&["--demo", "--turn-url", "turn:relay.example.com"], "--turn-secret-file"),
        (&["--demo", "--turn-url", "turn:relay.example.com", "--turn-secret-file", missing], "cannot read the TURN secret file"),
        (&["--demo", "--turn-url", "turn:relay.example.com", "--turn-secret-file", empty], "is empty"),
        // SIP over TLS with carriers.
        (&["--demo", "--sip-tls-cert", empty, "--sip-tls-key", empty], "--sip-listen"),
        (
            &["--demo", "--sip-listen", "127.0.0.1:0", "--sip-tls-cert", missing, "--sip-tls-key", empty],
            "cannot read the SIP TLS certificate file",
        ),
        (
            &["--demo", "--sip-listen", "127.0.0.1:0", "--sip-tls-cert", empty, "--sip-tls-key", empty, "--sip-tls-ca", empty],
            "holds no certificate",
        ),
    ];
    for (flags, said) in cases {
        let output = trustline(dir.path(), &["serve", "--listen", "127.0.0.1:0"]).args(flags).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(said), "{flags:?}: {stderr}");
        assert!(!dir.path().join("trustline-data").exists(), "{flags:?} created the data directory");
    }
}

/// Calls the demo's care number from `ip` and listens for 19 s (time for
/// a floor agent to finish a wrap-up of up to 10 s and then some): whether
/// the caller heard hold music (never dead air) until a floor agent's
/// greeting, and SIPp saw its scenario through.
async fn greeting_heard(sipp: &std::path::PathBuf, ip: IpAddr, edge: SocketAddr) -> bool {
    let caller = Sipp::caller_from(sipp, "caller_stays.xml", ip, edge, "+442079460990");
    let far = FarAudio::on(&caller.audio);
    let heard = far.listen(Duration::from_secs(19)).await;
    let source = heard.first().expect("the caller hears something").from;
    // 400 ms windows: music is a pure tone; the greeting is speech.
    let windows: Vec<&[Heard]> = heard.chunks(20).filter(|w| w.len() == 20).collect();
    let music = |w: &&[Heard]| purity(w, source, &MUSIC) > 0.3;
    let speech = |w: &&[Heard]| {
        let samples = samples_from(w, source);
        let loud = samples.iter().filter(|s| s.unsigned_abs() > 500).count();
        loud > samples.len() / 10 && purity(w, source, &MUSIC) < 0.1
    };
    // Whether a floor agent is free when the call arrives depends on the
    // simulated floor, so the wait may be long or nil: what must hold is that
    // every window before the greeting (bar the one just before it, where
    // the greeting may begin) is music, never dead air. Music for a caller
    // on its own is measured exactly in trustline-sip's call_audio tests.
    let first_greeting = windows.iter().position(speech).expect("a floor agent answers with the greeting");
    let waiting = windows.get(..first_greeting.saturating_sub(1)).unwrap_or_default();
    assert!(waiting.iter().all(music), "the waiting caller hears hold music until the agent");
    caller.finished().await.success()
}

/// The audit events of `action` with `outcome` so far.
async fn audited(demo: &Demo, client: &reqwest::Client, action: &str, outcome: &str) -> Vec<Value> {
    let url = format!("{}api/audit/search?action={action}&outcome={outcome}", demo.base);
    let found: Value = client.get(url).send().await.unwrap().json().await.unwrap();
    found["events"].as_array().or(found.as_array()).cloned().unwrap_or_default()
}

/// An administrator gives the demo's agent a desk phone login (the
/// password shown once). A real phone (baresip) registers with it over TLS,
/// and is audited as registered; the wrong password is refused. SIPVicious,
/// as an attacker on this machine, learns nothing: `svwar` finds no login
/// by REGISTER even with the real one in its list, and `svcrack`, guessing
/// over UDP with the right password among its words, cracks nothing (a
/// phone signs in over TLS only) and raises a brute-force incident.
#[tokio::test]
async fn a_desk_phone_registers_over_tls_and_guessing_its_password_raises_an_incident() {
    let (Some(baresip), Some(svcrack), Some(svwar)) = (peers::baresip(), peers::sipvicious("svcrack"), peers::sipvicious("svwar")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let authority = TestAuthority::new("Edge CA");
    let identity = authority.issue(&["localhost", "127.0.0.1"]);
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let (certificate, key, trusted) =
        (file("sip.pem", &identity.certificate), file("sip.key", &identity.key), file("ca.pem", &authority.pem));
    let tls_flags = ["--sip-tls-cert", &certificate, "--sip-tls-key", &key, "--sip-tls-port", "0", "--sip-tls-ca", &trusted];
    let mut demo = Demo::start(dir.path(), &tls_flags);
    let tls_line = demo.lines.find(|l| l.starts_with("SIP over TLS")).expect("the demo says where SIP over TLS listens");
    let edge_tls: SocketAddr = tls_line.trim_end_matches('.').rsplit(' ').next().unwrap().parse().unwrap();
    let (client, csrf) = owner_session(&demo).await;
    let users: Value = client.get(format!("{}api/users", demo.base)).send().await.unwrap().json().await.unwrap();
    let agent = users.as_array().unwrap().iter().find(|u| u["username"] == "agent").expect("the demo's agent")["id"].as_i64().unwrap();
    let path = format!("{}api/users/{agent}/desk-phone", demo.base);
    let issued: Value = client.post(&path).header("X-CSRF-Token", &csrf).send().await.unwrap().json().await.unwrap();
    let (username, password) = (issued["username"].as_str().unwrap().to_owned(), issued["password"].as_str().unwrap().to_owned());
    assert_eq!(issued["realm"], "trustline", "{issued}");

    let phone = BaresipPhone::register_over_tls(&baresip, edge_tls, &authority.pem, (&username, &password), 1000.0, 12);
    let mut registered = Vec::new();
    for _ in 0..40 {
        registered = audited(&demo, &client, "desk_phone.register", "success").await;
        if !registered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(registered.len(), 1, "the phone's registration over TLS was not audited once: {registered:?}");
    // The agent makes the phone their desk: it rings and answers.
    let desk = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let body = json!({ "tenant": "demo", "username": "agent", "password": demo.agent_password });
    let session: Value = desk.post(format!("{}api/session", demo.base)).json(&body).send().await.unwrap().json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap_or_else(|| panic!("the agent is signed in: {session}")).to_owned();
    let mut feed = desk.get(format!("{}api/agent/events", demo.base)).send().await.unwrap();
    let rung = desk.post(format!("{}api/agent/desk-phone", demo.base)).header("X-CSRF-Token", &csrf).send().await.unwrap();
    assert_eq!(rung.status(), 204, "the desk phone did not become the desk: {}", rung.text().await.unwrap());
    // The phone hangs up as it quits: the agent's desk is told on its feed.
    phone.quits().await;
    let mut seen = String::new();
    let told = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = feed.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: desk_phone_down") {
                return;
            }
        }
    })
    .await;
    assert!(told.is_ok(), "the desk was not told its phone hung up: {seen}");
    let wrong = BaresipPhone::register_over_tls(&baresip, edge_tls, &authority.pem, (&username, "not-the-password"), 1000.0, 3);
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(wrong);
    assert!(!audited(&demo, &client, "desk_phone.register", "failure").await.is_empty(), "a wrong password was not audited");

    let words = file("words.txt", &format!("{}\n{password}\n", (0..30).map(|n| format!("guess{n}")).collect::<Vec<_>>().join("\n")));
    let logins = file("logins.txt", &format!("100\nagent\n{username}\n"));
    let target = format!("udp://{}", demo.edge);
    let printed = scan(&svwar, &["--force".into(), "-m".into(), "REGISTER".into(), "-d".into(), logins, target.clone()]).await;
    assert!(printed.contains("found nothing") && !printed.contains(&username), "svwar told the login apart: {printed}");
    let printed = scan(&svcrack, &["--maximumtime=8".into(), "-u".into(), username.clone(), "-d".into(), words, target]).await;
    assert!(!printed.contains(&password) && !printed.contains("cracked users"), "svcrack cracked the login: {printed}");
    let mut raised = Value::Null;
    for _ in 0..30 {
        let incidents: Value = client.get(format!("{}api/incidents", demo.base)).send().await.unwrap().json().await.unwrap();
        if let Some(found) = incidents.as_array().and_then(|all| all.iter().find(|i| i["kind"] == "brute_force")) {
            raised = found.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_ne!(raised, Value::Null, "guessing the desk phone's password raised no brute-force incident");
}

/// What a SIPVicious tool printed (both streams), within 30 s.
async fn scan(tool: &std::path::Path, args: &[String]) -> String {
    let run = tokio::process::Command::new(tool).args(args).stdin(Stdio::null()).kill_on_drop(true).output();
    let output = tokio::time::timeout(Duration::from_secs(30), run).await.expect("the scan ends within 30 s").expect("the scanner runs");
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}
