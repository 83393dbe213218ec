//! The desk as a softphone, end to end: headless Chromium whose microphone
//! plays a 1 kHz tone, the server's SIP edge, and SIPp as a caller whose
//! audio the test speaks (440 Hz) and hears. The agent starts work (the
//! phone connects), accepts the call, and each side hears the other;
//! muted, the caller hears the agent no more; the dial pad's keys reach the
//! caller; on hold, hold music.

#[path = "../../../trustline-sip/tests/peers/mod.rs"]
mod peers;

use crate::browser::{Floor, HEIGHT, WIDTH, assert_accessible, assert_clean, driver, floor, floor_with, sign_in};
use peers::far_audio::{Heard, tone_ratio};
use peers::{FarAudio, Sipp, TurnRelay};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use trustline_crypto::RelaySecret;
use trustline_dialer::EngineSettings;
use trustline_domain::Role;
use trustline_server::{AppConfig, DeskRelay, RELAY_CREDENTIAL_SECONDS};
use trustline_sip::{KeyEvent, SipTelephony, SoftphonePlace};
use trustline_testkit::{Browser, Driver, Engine, TestServer, TestUser, on_both_engines};

const QUEUE_NUMBER: &str = "+442071838000";
/// The agent's microphone.
const AGENT_TONE: f64 = 1000.0;
/// The caller's voice.
const CALLER_TONE: f64 = 440.0;
/// The hold music's notes.
const MUSIC: [f64; 6] = [220.0, 261.63, 329.63, 392.0, 440.0, 523.25];

/// A second of a pure tone at 48 kHz, 16-bit mono: Chromium loops it as
/// the microphone. Whole cycles, so the loop has no click.
fn tone_wav(path: &Path, frequency: f64) {
    let rate = 48_000u32;
    let samples: Vec<u8> = (0..rate)
        .flat_map(|n| {
            let t = f64::from(n) / f64::from(rate);
            ((12_000.0 * (std::f64::consts::TAU * frequency * t).sin()) as i16).to_le_bytes()
        })
        .collect();
    let mut wav = Vec::with_capacity(44 + samples.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    wav.extend_from_slice(&samples);
    std::fs::write(path, wav).unwrap();
}

/// Starts listening to what the desk plays (the caller's audio).
const PROBE: &str = "
    const stream = document.getElementById('caller-audio').srcObject;
    if (!stream) return false;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(stream).connect(analyser);
    window.deskProbe = { context, analyser };
    return true;";

/// The loudest frequency the desk plays now, and how loud (dB).
const PEAK: &str = "
    const { context, analyser } = window.deskProbe;
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    return { frequency: best * context.sampleRate / analyser.fftSize, level: bins[best] };";

/// The caller speaks for `seconds` while the desk is listened to half-way
/// through: what the caller heard from `media`, and the desk's peak.
async fn talk(far: &mut FarAudio<'_>, media: SocketAddr, desk: &Browser, seconds: u32) -> (Vec<Heard>, Value) {
    let speaking = far.speak(media, CALLER_TONE, seconds * 50);
    let listening = async {
        tokio::time::sleep(Duration::from_millis(u64::from(seconds) * 600)).await;
        desk.run(PEAK, vec![]).await
    };
    let (heard, peak) = tokio::join!(speaking, listening);
    // The first half second may still carry what was said before.
    (heard.into_iter().skip(25).collect(), peak)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_and_a_sip_caller_hear_each_other_through_the_desk() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let Floor { server, olive, ada, supervisor, .. } = floor().await;
    server.assign_numbers(&server.tenant, &[QUEUE_NUMBER]).await;
    let queue = json!({ "name": "Customer care", "number": QUEUE_NUMBER, "answer_within_seconds": 30 });
    assert_eq!(supervisor.post("/api/queues", queue).await.status, 201);
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut settings = peers::edge_settings(None, vec![loopback]);
    settings.softphones = Some(SoftphonePlace { port: 0, max_desks: 4 });
    let edge = Arc::new(SipTelephony::start(settings).await.unwrap());
    server.app.start_engine(edge.clone(), EngineSettings { tick: Duration::from_millis(50) });

    let microphone = tempfile::tempdir().unwrap();
    let wav = microphone.path().join("agent.wav");
    tone_wav(&wav, AGENT_TONE);
    let desk = driver.browser_with_microphone(WIDTH, HEIGHT, &wav).await;
    sign_in(&server, &desk, &ada).await;
    desk.click("a[href='/desk']").await;
    desk.wait_until("#phone-state", "the phone before work", |t| t.starts_with("Phone off")).await;
    desk.click("#mic-check").await;
    desk.wait_until("#phone-state", "the microphone check", |t| t.starts_with("The microphone works")).await;
    let mut level = 0.0;
    for _ in 0..50 {
        level = desk.run("return document.getElementById('mic-level').value;", vec![]).await.as_f64().unwrap_or(0.0);
        if level > 0.05 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(level > 0.05, "the meter follows the microphone: {level}");
    desk.press("a").await;
    desk.wait_until("#agent-state", "start of work", |t| t == "available").await;
    desk.wait_until("#phone-state", "the phone connected", |t| t.starts_with("Phone connected")).await;
    assert_accessible(&desk).await;

    let caller = Sipp::caller(&sipp, "caller_stays.xml", edge.local_addr(), QUEUE_NUMBER);
    let mut far = FarAudio::on(&caller.audio);
    let media = far.first_source(Duration::from_secs(5)).await.expect("the waiting caller hears the edge");
    desk.wait_until("#incoming", "the incoming call", |t| t.contains("Incoming call for Customer care")).await;
    desk.press("c").await;
    desk.wait_until("#call-state", "the conversation", |t| t == "connected").await;
    assert_eq!(desk.run(PROBE, vec![]).await, json!(true), "the desk plays the caller's audio");

    let (heard, peak) = talk(&mut far, media, &desk, 3).await;
    let agent_heard = tone_ratio(&heard, media, AGENT_TONE, &[CALLER_TONE, 2000.0, 500.0]);
    assert!(agent_heard > 20.0, "the caller hears the agent's microphone (1 kHz ratio {agent_heard:.1})");
    let frequency = peak["frequency"].as_f64().unwrap();
    assert!((frequency - CALLER_TONE).abs() < 15.0 && peak["level"].as_f64().unwrap() > -70.0, "the agent hears the caller: {peak}");

    desk.press("m").await;
    desk.wait_until("#status", "the mute", |t| t.starts_with("Muted")).await;
    let (heard, _) = talk(&mut far, media, &desk, 2).await;
    let muted = tone_ratio(&heard, media, AGENT_TONE, &[CALLER_TONE, 2000.0, 500.0]);
    let packets = heard.iter().filter(|h| h.from == media).count();
    assert!(packets > 50, "muted, the line stays up: {packets} packets in 1.5 s");
    assert!(muted < 2.0, "muted, the caller no longer hears the agent (1 kHz ratio {muted:.1})");
    desk.press("m").await;
    desk.wait_until("#status", "the unmute", |t| t == "Unmuted.").await;

    // The dial pad plays keys to the caller (RFC 4733 events: SIPp's SDP takes them).
    desk.click("#dial-pad button[data-key='5']").await;
    desk.wait_until("#status", "the key sent", |t| t == "Sent 5.").await;
    let heard = far.listen(Duration::from_millis(600)).await;
    let keys: Vec<char> = heard
        .iter()
        .filter(|h| h.from == media && h.payload_type == 101)
        .filter_map(|h| KeyEvent::parse(&h.payload))
        .filter(|event| event.end)
        .map(|event| event.key)
        .collect();
    assert!(keys.contains(&'5') && keys.iter().all(|key| *key == '5'), "the caller got the key: {keys:?}");

    desk.press("p").await;
    desk.wait_until("#call-state", "the hold", |t| t == "connected (on hold)").await;
    let (heard, _) = talk(&mut far, media, &desk, 2).await;
    let music = music_ratio(&heard, media, &[AGENT_TONE]);
    assert!(music > 5.0, "on hold, the caller hears music, not the agent ({music:.1})");
    desk.press("p").await;
    desk.wait_until("#call-state", "the caller back", |t| t == "connected").await;
    desk.press_shifted("h").await;
    desk.wait_until("#call-state", "the wrap-up", |t| t == "wrap up").await;
    drop(caller);

    desk.select("#disposition-code", "resolved").await;
    desk.click("#disposition-form button[type=submit]").await;
    desk.wait_until("#status", "the saved disposition", |t| t.contains("Disposition saved")).await;
    desk.press("q").await;
    desk.wait_until("#agent-state", "the end of work", |t| t == "offline").await;
    desk.wait_until("#phone-state", "the phone closed", |t| t.starts_with("Phone off")).await;
    assert_clean(&server, &olive, &desk, &[]).await;
}

/// A browser that refuses the microphone: Start work still starts work,
/// and the desk says why there is no phone and what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_whose_browser_refuses_the_microphone_says_what_to_do() {
    let Some(driver) = driver().await else { return };
    let desk = driver.browser_refusing_microphone(WIDTH, HEIGHT).await;
    let (Floor { server, olive, .. }, edge) = ada_at_her_desk(&desk).await;
    desk.press("a").await;
    desk.wait_until("#agent-state", "start of work", |t| t == "available").await;
    let said = desk.wait_until("#phone-state", "the refusal", |t| t.starts_with("The browser refuses the microphone")).await;
    assert!(said.contains("allow it for this site") && said.contains("press Start work again"), "{said}");
    assert_eq!(edge.softphones_open(), 0, "no phone opened without a microphone");
    assert_accessible(&desk).await;
    desk.keep_screenshot("desk-microphone-refused").await;
    assert_clean(&server, &olive, &desk, &[]).await;
}

/// An agent who chose their desk phone starts work: the desk rings no
/// browser phone and, with no phone of theirs registered, says so and what
/// to do; the choice is kept in the browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_set_to_its_desk_phone_says_when_none_is_registered() {
    let Some(driver) = driver().await else { return };
    let desk = driver.browser(WIDTH, HEIGHT).await;
    let (Floor { server, olive, .. }, edge) = ada_at_her_desk(&desk).await;
    desk.click("#use-desk-phone").await;
    desk.click("#start-work").await;
    desk.wait_until("#agent-state", "start of work", |t| t == "available").await;
    let said = desk.wait_until("#phone-state", "the desk phone's absence", |t| t.starts_with("No desk phone of yours is registered")).await;
    assert!(said.contains("untick the desk phone"), "{said}");
    assert_eq!(edge.softphones_open(), 0, "no browser phone opened");
    assert_accessible(&desk).await;
    let refused = "/api/agent/desk-phone - Failed to load resource: the server responded with a status of 409";
    let problems = desk.problems().await;
    assert_eq!(problems.iter().filter(|p| p.contains(refused)).count(), 1, "the phone was rung once: {problems:?}");
    desk.click("a[href='/desk']").await;
    assert_eq!(desk.run("return document.getElementById('use-desk-phone').checked;", vec![]).await, json!(true), "the choice is kept");
    assert_clean(&server, &olive, &desk, &[refused]).await;
}

/// Ada signed in at her desk page in `desk`, on a floor whose calls run
/// through a softphone edge.
async fn ada_at_her_desk(desk: &Browser) -> (Floor, Arc<SipTelephony>) {
    let floor = floor().await;
    let edge = softphone_edge(4).await;
    floor.server.app.start_engine(edge.clone(), EngineSettings { tick: Duration::from_millis(50) });
    sign_in(&floor.server, desk, &floor.ada).await;
    desk.click("a[href='/desk']").await;
    (floor, edge)
}

/// The supervisor's microphone.
const SUPERVISOR_TONE: f64 = 1600.0;

/// How loud (dB) the page plays each of `arguments[0]`'s frequencies now.
const LEVELS: &str = "
    const { context, analyser } = window.deskProbe;
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    return arguments[0].map((f) => Math.max(...[-2, -1, 0, 1, 2].map((d) => bins[Math.round(f * analyser.fftSize / context.sampleRate) + d])));";

/// The caller speaks for `seconds`; half-way through, each page says how
/// loud it plays the caller, the agent and the supervisor.
async fn talk_among(far: &mut FarAudio<'_>, media: SocketAddr, pages: [&Browser; 2], seconds: u32) -> (Vec<Heard>, [Vec<f64>; 2]) {
    let speaking = far.speak(media, CALLER_TONE, seconds * 50);
    let listening = async {
        tokio::time::sleep(Duration::from_millis(u64::from(seconds) * 600)).await;
        tokio::join!(levels(pages[0]), levels(pages[1]))
    };
    let (heard, (first, second)) = tokio::join!(speaking, listening);
    (heard.into_iter().skip(25).collect(), [first, second])
}

/// A supervisor at the wallboard, with a phone of their own (1.6 kHz),
/// listens to an agent's call, whispers to the agent, barges in and
/// leaves: each time the test hears who hears whom, at the caller's end
/// and on both pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_listens_whispers_and_barges_in_from_the_wallboard() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let (Floor { server, olive, sam, ada, .. }, edge) = phone_floor(None).await;
    let microphones = tempfile::tempdir().unwrap();
    let supervisor_wav = microphones.path().join("supervisor.wav");
    tone_wav(&supervisor_wav, SUPERVISOR_TONE);

    let desk = working_desk(&driver, &server, &ada, microphones.path(), AGENT_TONE).await;
    let board = driver.browser_with_microphone(WIDTH, HEIGHT, &supervisor_wav).await;
    sign_in(&server, &board, &sam).await;
    board.click("a[href='/wallboard']").await;
    board.click("#phone-connect").await;
    board.wait_until("#phone-state", "the supervisor's phone", |t| t.starts_with("Phone connected")).await;

    let (caller, media) = call_accepted(&sipp, &edge, &desk).await;
    let mut far = FarAudio::on(&caller.audio);
    assert_eq!(desk.run(PROBE, vec![]).await, json!(true));
    board.wait_until("#agents", "the agent on a call", |t| t.contains("on call")).await;
    board.click(&format!("#agents tr[data-agent='{}'] button", ada.id.0)).await;
    board.wait_until("#agent-title", "the agent's panel", |t| !t.is_empty()).await;
    assert_accessible(&board).await;

    let others = [CALLER_TONE, 500.0, 2000.0];
    let mut steps = Vec::new();
    for mode in ["listen", "whisper", "barge"] {
        board.click(&format!("#agent-monitor button[data-mode='{mode}']")).await;
        board.wait_until("#status", "the monitoring", |t| t.starts_with("You ")).await;
        board.run("document.getElementById('status').textContent = '';", vec![]).await;
        if mode == "listen" {
            assert_eq!(board.run(PROBE, vec![]).await, json!(true), "the wallboard plays the call");
        }
        // The agent is told at once who is on their call, and how.
        let told = match mode {
            "listen" => "Monitored: Test sam is listening.",
            "whisper" => "Monitored: Test sam is listening and can whisper to you.",
            _ => "Monitored: Test sam has joined the call.",
        };
        desk.wait_until("#monitored", "the agent told", |t| t == told).await;
        let (heard, [agent_hears, supervisor_hears]) = talk_among(&mut far, media, [&desk, &board], 3).await;
        let caller_hears_supervisor = tone_ratio(&heard, media, SUPERVISOR_TONE, &others);
        let caller_hears_agent = tone_ratio(&heard, media, AGENT_TONE, &others);
        steps.push((mode, caller_hears_agent, caller_hears_supervisor, agent_hears, supervisor_hears));
    }
    board.click("#agent-monitor button[data-mode='stop']").await;
    board.wait_until("#status", "the end of the monitoring", |t| t.starts_with("You left")).await;
    desk.wait_until("#monitored", "the agent told the supervisor left", str::is_empty).await;
    let (heard, _) = talk_among(&mut far, media, [&desk, &board], 2).await;
    let after = tone_ratio(&heard, media, SUPERVISOR_TONE, &others);
    // (caller hears agent, caller hears supervisor, agent's page [caller, agent, supervisor], supervisor's page [...])
    for (mode, caller_agent, caller_supervisor, agent_page, supervisor_page) in &steps {
        assert!(*caller_agent > 20.0, "{mode}: the caller hears the agent ({caller_agent:.1})");
        // Heard: louder than -72 dB (the tones play at -33 to -60); not heard: under -77 (G.711's
        // quantisation noise of the loudest mix reaches about -84 at a tone nobody plays).
        let (heard, silent) = (|level: f64| level > -72.0, |level: f64| level < -77.0);
        assert!(
            heard(supervisor_page[0]) && heard(supervisor_page[1]),
            "{mode}: the supervisor hears caller and agent: {supervisor_page:?}"
        );
        assert!(silent(supervisor_page[2]), "{mode}: the supervisor is not played back to themselves: {supervisor_page:?}");
        let agent_hears_supervisor = if *mode == "listen" { silent(agent_page[2]) } else { heard(agent_page[2]) };
        assert!(agent_hears_supervisor, "{mode}: the agent hears the supervisor only when whispered to or barged in on: {agent_page:?}");
        assert!(heard(agent_page[0]) && silent(agent_page[1]), "{mode}: the agent hears the caller, not themselves: {agent_page:?}");
        let heard_by_caller = *caller_supervisor > 20.0;
        assert_eq!(heard_by_caller, *mode == "barge", "{mode}: whether the caller hears the supervisor ({caller_supervisor:.1})");
    }
    assert!(after < 2.0, "left, the supervisor is heard no more ({after:.1})");
    let work = ada_work(&server, &ada).await;
    let modes: Vec<&str> = work["monitoring"].as_array().unwrap().iter().map(|line| line["mode"].as_str().unwrap()).collect();
    assert_eq!(modes, ["listen", "whisper", "barge", "stop"]);
    drop(caller);
    assert_clean(&server, &olive, &board, &[]).await;
}

/// How loud `page` plays the caller's, the agent's and the supervisor's tones (dB).
async fn levels(page: &Browser) -> Vec<f64> {
    let levels = page.run(LEVELS, vec![json!([CALLER_TONE, AGENT_TONE, SUPERVISOR_TONE])]).await;
    levels.as_array().unwrap().iter().map(|l| l.as_f64().unwrap_or(-200.0)).collect()
}

/// The agent's work as the API gives it to them.
async fn ada_work(server: &TestServer, ada: &trustline_testkit::TestUser) -> Value {
    server.signed_in(ada).await.get("/api/agent/work").await.body
}

on_both_engines!(
    a_softphone_opens_for_its_own_agent_and_closes_when_they_stop_work,
    simulated_calls_open_no_softphone,
    each_desk_gets_its_own_relay_credential_for_a_shift
);

/// The secret the tests' TURN relay shares with the server.
const RELAY_SECRET: &str = "north-wind-relay-secret";

fn desk_relay(url: &str, relay_only: bool) -> DeskRelay {
    DeskRelay::new(vec![url.parse().unwrap()], RelaySecret::from_text(RELAY_SECRET).unwrap(), relay_only)
}

/// A desk whose network lets no UDP reach the softphone port sends all its
/// audio through a TURN relay (coturn, sharing the installation's secret)
/// with the credential the server gave its agent, and the call goes on as
/// it would directly: each side hears the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_made_to_relay_talks_through_turn_with_its_own_credential() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let Some(turnserver) = peers::turnserver() else { return };
    let relay = TurnRelay::start(&turnserver, RELAY_SECRET).await;
    let config = AppConfig { desk_relay: Some(desk_relay(&relay.url, true)), ..AppConfig::default() };
    let (Floor { server, olive, ada, .. }, edge) = phone_floor_with(None, config).await;
    let microphones = tempfile::tempdir().unwrap();
    let desk = working_desk(&driver, &server, &ada, microphones.path(), AGENT_TONE).await;
    let (caller, media) = call_accepted(&sipp, &edge, &desk).await;
    let mut far = FarAudio::on(&caller.audio);
    assert_eq!(desk.run(PROBE, vec![]).await, json!(true), "the desk plays the caller's audio");

    let (heard, peak) = talk(&mut far, media, &desk, 3).await;
    let agent_heard = tone_ratio(&heard, media, AGENT_TONE, &[CALLER_TONE, 2000.0, 500.0]);
    assert!(agent_heard > 20.0, "the caller hears the agent through the relay (1 kHz ratio {agent_heard:.1})");
    let frequency = peak["frequency"].as_f64().unwrap();
    assert!((frequency - CALLER_TONE).abs() < 15.0 && peak["level"].as_f64().unwrap() > -70.0, "the agent hears the caller: {peak}");
    // The relay took the agent's own credential (the browser may only use relayed paths).
    let log = relay.log();
    let allocated = log.lines().any(|line| line.contains("ALLOCATE processed, success") && line.contains(&format!(":{}", ada.id.0)));
    assert!(allocated, "coturn allocated a relay with the agent's credential:\n{log}");
    // And the audio took no other path: without the relay the caller hears the desk no more.
    drop(relay);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (heard, _) = talk(&mut far, media, &desk, 2).await;
    let without_relay = tone_ratio(&heard, media, AGENT_TONE, &[CALLER_TONE, 2000.0, 500.0]);
    assert!(without_relay < 2.0, "the desk's audio went only through the relay (1 kHz ratio {without_relay:.1} once it stopped)");
    drop(caller);
    assert_clean(&server, &olive, &desk, &[]).await;
}

async fn each_desk_gets_its_own_relay_credential_for_a_shift(engine: Engine) {
    let config = AppConfig { desk_relay: Some(desk_relay("turn:relay.example.com:3478", false)), ..AppConfig::default() };
    let server = TestServer::start_with(engine, config).await;
    let ada = server.create_user(&server.tenant, "ada", Role::Agent, false).await;
    let bob = server.create_user(&server.tenant, "bob", Role::Agent, false).await;
    let now = trustline_domain::Clock::now(server.clock.as_ref());
    let (agent, other) = (server.signed_in(&ada).await, server.signed_in(&bob).await);
    let given = agent.get("/api/agent/softphone/relay").await;
    assert_eq!(given.status, 200, "{}", given.body);
    let expires = now + RELAY_CREDENTIAL_SECONDS;
    let username = format!("{expires}:{}", ada.id.0);
    let password = RelaySecret::from_text(RELAY_SECRET).unwrap().password_for(&username);
    assert_eq!(
        given.body,
        json!({ "ice_servers": [{ "urls": ["turn:relay.example.com:3478"], "username": username, "credential": password, "expires_at": expires }], "relay_only": false })
    );
    let colleague = other.get("/api/agent/softphone/relay").await.body;
    assert_ne!(colleague["ice_servers"][0]["credential"], given.body["ice_servers"][0]["credential"], "each desk has its own");

    // Without a relay, desks go straight to the softphone port.
    let plain = TestServer::start(engine).await;
    let carol = plain.create_user(&plain.tenant, "carol", Role::Agent, false).await;
    let none = plain.signed_in(&carol).await.get("/api/agent/softphone/relay").await;
    assert_eq!((none.status, none.body), (200, json!({ "ice_servers": [], "relay_only": false })));
    let anonymous = plain.client().get("/api/agent/softphone/relay").await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
}

/// A floor whose calls come through a softphone edge (trunk to `carrier`,
/// if any) into a queue that rings the desk for 30 s.
async fn phone_floor(carrier: Option<SocketAddr>) -> (Floor, Arc<SipTelephony>) {
    phone_floor_with(carrier, AppConfig::default()).await
}

/// The same on a server configured with `config`.
async fn phone_floor_with(carrier: Option<SocketAddr>, config: AppConfig) -> (Floor, Arc<SipTelephony>) {
    let floor = floor_with(config).await;
    floor.server.assign_numbers(&floor.server.tenant, &[QUEUE_NUMBER]).await;
    let queue = json!({ "name": "Customer care", "number": QUEUE_NUMBER, "answer_within_seconds": 30 });
    assert_eq!(floor.supervisor.post("/api/queues", queue).await.status, 201);
    let edge = softphone_edge_via(4, carrier).await;
    floor.server.app.start_engine(edge.clone(), EngineSettings { tick: Duration::from_millis(50) });
    (floor, edge)
}

/// `user` at the desk, working, their phone connected, their microphone
/// playing `tone` (its file kept in `microphones`).
async fn working_desk(driver: &Driver, server: &TestServer, user: &TestUser, microphones: &Path, tone: f64) -> Browser {
    let wav = microphones.join(format!("{tone}.wav"));
    tone_wav(&wav, tone);
    let desk = driver.browser_with_microphone(WIDTH, HEIGHT, &wav).await;
    sign_in(server, &desk, user).await;
    desk.click("a[href='/desk']").await;
    desk.press("a").await;
    desk.wait_until("#phone-state", "the phone", |t| t.starts_with("Phone connected")).await;
    desk
}

/// A SIPp caller rings the queue and the agent at `desk` accepts: the
/// caller, and the edge's media address it hears.
async fn call_accepted(sipp: &PathBuf, edge: &SipTelephony, desk: &Browser) -> (Sipp, SocketAddr) {
    let caller = Sipp::caller(sipp, "caller_stays.xml", edge.local_addr(), QUEUE_NUMBER);
    let media = FarAudio::on(&caller.audio).first_source(Duration::from_secs(5)).await.expect("the caller hears the edge");
    desk.wait_until("#incoming", "the incoming call", |t| t.contains("Incoming call")).await;
    desk.press("c").await;
    desk.wait_until("#call-state", "the conversation", |t| t == "connected").await;
    (caller, media)
}

/// An offer Chromium made (audio only, Opus first, G.711 among the rest).
const CHROMIUM_OFFER: &str = include_str!("../../../trustline-softphone/tests/offers/chromium.sdp");

async fn softphone_edge(max_desks: usize) -> Arc<SipTelephony> {
    softphone_edge_via(max_desks, None).await
}

/// A softphone edge whose trunk sends calls to `carrier`.
async fn softphone_edge_via(max_desks: usize, carrier: Option<SocketAddr>) -> Arc<SipTelephony> {
    let mut settings = peers::edge_settings(carrier, vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    settings.softphones = Some(SoftphonePlace { port: 0, max_desks });
    Arc::new(SipTelephony::start(settings).await.unwrap())
}

/// Waits for the edge to hold `open` softphones.
async fn softphones_become(edge: &SipTelephony, open: usize) {
    for _ in 0..100 {
        if edge.softphones_open() == open {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} softphones open, not {open}", edge.softphones_open());
}

async fn a_softphone_opens_for_its_own_agent_and_closes_when_they_stop_work(engine: Engine) {
    let server = TestServer::start(engine).await;
    let ada = server.create_user(&server.tenant, "ada", Role::Agent, false).await;
    let bob = server.create_user(&server.tenant, "bob", Role::Agent, false).await;
    let sam = server.create_user(&server.tenant, "sam", Role::Supervisor, true).await;
    let edge = softphone_edge(1).await;
    server.app.start_engine(edge.clone(), EngineSettings { tick: Duration::from_millis(50) });
    let (agent, other, supervisor) = (server.signed_in(&ada).await, server.signed_in(&bob).await, server.signed_in(&sam).await);
    assert_eq!(agent.post("/api/agent/state", json!({ "event": "log_in" })).await.status, 200);

    let unregistered = agent.post("/api/agent/desk-phone", json!({})).await;
    assert_eq!((unregistered.status, unregistered.body["error"]["code"].as_str()), (409, Some("no_desk_phone")), "{}", unregistered.body);
    let opened = agent.post("/api/agent/softphone", json!({ "sdp": CHROMIUM_OFFER })).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let answer = opened.body["sdp"].as_str().unwrap();
    assert!(answer.contains("a=ice-lite") && answer.contains("PCMU/8000"), "{answer}");
    assert_eq!(edge.softphones_open(), 1);

    // Refused offers say why and leave the open phone as it was.
    let video = CHROMIUM_OFFER.replace("m=audio", "m=video");
    for (offer, status, code) in [
        (json!({ "sdp": "hello" }), 422, "invalid_offer"),
        (json!({ "sdp": video }), 422, "invalid_offer"),
        (json!({ "sdp": "" }), 422, "invalid_offer"),
        (json!({ "sdp": "v=0\r\n".repeat(14_000) }), 413, "payload_too_large"),
        (json!({ "sdp": 42 }), 422, "invalid_body"),
        (json!({ "sdp": CHROMIUM_OFFER, "agent": 7 }), 422, "invalid_body"),
    ] {
        let refused = agent.post("/api/agent/softphone", offer.clone()).await;
        assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (status, Some(code)), "{}", refused.body);
        assert_eq!(edge.softphones_open(), 1, "a refused offer closed nothing");
    }
    let full = other.post("/api/agent/softphone", json!({ "sdp": CHROMIUM_OFFER })).await;
    assert_eq!((full.status, full.body["error"]["code"].as_str()), (503, Some("softphones_full")), "{}", full.body);

    // Logged out of work by a supervisor, the agent's phone closes.
    let moved = supervisor.post(&format!("/api/agents/{}/state", ada.id.0), json!({ "change": "log_out", "reason": "end of shift" })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    softphones_become(&edge, 0).await;

    // Opened again and closed by the agent.
    assert_eq!(agent.post("/api/agent/softphone", json!({ "sdp": CHROMIUM_OFFER })).await.status, 200);
    softphones_become(&edge, 1).await;
    assert_eq!(agent.delete("/api/agent/softphone").await.status, 204);
    softphones_become(&edge, 0).await;
}

async fn simulated_calls_open_no_softphone(engine: Engine) {
    let server = TestServer::start(engine).await;
    let ada = server.create_user(&server.tenant, "ada", Role::Agent, false).await;
    server.start_engine(trustline_telephony::CarrierProfile::default(), 1.0);
    let agent = server.signed_in(&ada).await;
    let refused = agent.post("/api/agent/softphone", json!({ "sdp": CHROMIUM_OFFER })).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (409, Some("no_softphone")), "{}", refused.body);
    let desk_phone = agent.post("/api/agent/desk-phone", json!({})).await;
    assert_eq!((desk_phone.status, desk_phone.body["error"]["code"].as_str()), (409, Some("no_softphone")), "{}", desk_phone.body);
    let desk = agent.get("/desk").await.text;
    assert!(desk.contains("this installation's calls are simulated") && !desk.contains("id=\"mic-check\""), "the desk offers no phone");
}

/// Ada (1 kHz) and Sam (1.6 kHz) working at their softphones, and a SIP
/// caller Ada accepted (she started work first, so she was the longest free).
struct TwoDesks {
    floor: Floor,
    _edge: Arc<SipTelephony>,
    _microphones: tempfile::TempDir,
    desk: Browser,
    colleague: Browser,
    caller: Sipp,
    media: SocketAddr,
}

async fn two_desks_and_a_caller(driver: &Driver, sipp: &PathBuf) -> TwoDesks {
    let (floor, edge) = phone_floor(None).await;
    let microphones = tempfile::tempdir().unwrap();
    let desk = working_desk(driver, &floor.server, &floor.ada, microphones.path(), AGENT_TONE).await;
    let colleague = working_desk(driver, &floor.server, &floor.sam, microphones.path(), SUPERVISOR_TONE).await;
    let (caller, media) = call_accepted(sipp, &edge, &desk).await;
    TwoDesks { floor, _edge: edge, _microphones: microphones, desk, colleague, caller, media }
}

/// An agent hands the caller to a colleague ready at their own softphone
/// (1.6 kHz), from hold: from then on the caller hears the colleague and no longer the
/// agent, and the colleague's desk plays the caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_handed_to_a_colleague_hears_the_colleague() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let TwoDesks { floor: Floor { server, olive, sam, .. }, desk, colleague, caller, media, _edge, _microphones } =
        two_desks_and_a_caller(&driver, &sipp).await;
    let mut far = FarAudio::on(&caller.audio);
    assert_eq!(desk.run(PROBE, vec![]).await, json!(true));
    let others = [CALLER_TONE, 500.0, 2000.0];
    let (before, _) = talk(&mut far, media, &desk, 2).await;
    assert!(tone_ratio(&before, media, AGENT_TONE, &others) > 20.0, "the caller hears the agent first");

    // Handed on from hold: the colleague gets the caller off hold.
    hold_and_open_transfer(&desk, "the colleague ready", "Test sam").await;
    desk.select("#transfer-to", &format!("agent:{}", sam.id.0)).await;
    desk.click("#transfer-form button[type=submit]").await;
    desk.wait_until("#call-state", "the agent's wrap-up", |t| t == "wrap up").await;
    colleague.wait_until("#call-state", "the colleague's conversation", |t| t == "connected").await;
    assert_eq!(colleague.run(PROBE, vec![]).await, json!(true));
    caller_and_colleague_hear_each_other(&mut far, media, &colleague).await;
    drop(caller);
    assert_clean(&server, &olive, &colleague, &[]).await;
}

/// An agent puts the caller on hold and hands them back to the queue: the
/// caller hears the queue's music, not the agent, until a colleague accepts,
/// and from then on hears the colleague (the hold does not follow them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_handed_to_a_queue_from_hold_hears_music_then_whoever_takes_them() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let TwoDesks { floor: Floor { server, olive, supervisor, .. }, desk, colleague, caller, media, _edge, _microphones } =
        two_desks_and_a_caller(&driver, &sipp).await;
    let queue = supervisor.get("/api/queues").await.body[0]["id"].as_i64().unwrap();
    let mut far = FarAudio::on(&caller.audio);
    let others = [CALLER_TONE, 500.0, 2000.0];

    hold_and_open_transfer(&desk, "the queues", "Customer care").await;
    desk.select("#transfer-to", &format!("queue:{queue}")).await;
    desk.click("#transfer-form button[type=submit]").await;
    desk.wait_until("#call-state", "the agent's wrap-up", |t| t == "wrap up").await;
    colleague.wait_until("#incoming", "the call offered again", |t| t.contains("Incoming call")).await;
    // The first second may still carry packets a busy machine had under way.
    let waiting: Vec<Heard> = far.listen(Duration::from_secs(3)).await.into_iter().skip(50).collect();
    let music = music_ratio(&waiting, media, &[AGENT_TONE, SUPERVISOR_TONE]);
    assert!(music > 5.0, "back in the queue, the caller hears its music ({music:.1})");
    assert!(tone_ratio(&waiting, media, AGENT_TONE, &others) < 2.0, "and no longer the agent");

    colleague.press("c").await;
    colleague.wait_until("#call-state", "the colleague's conversation", |t| t == "connected").await;
    assert_eq!(colleague.run(PROBE, vec![]).await, json!(true));
    caller_and_colleague_hear_each_other(&mut far, media, &colleague).await;
    drop(caller);
    assert_clean(&server, &olive, &colleague, &[]).await;
}

/// A caller on hold handed to an outside number (SIPp behind the trunk):
/// once it answers, the caller and the number hear each other, not hold
/// music and not the desk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_handed_outside_from_hold_hears_the_number() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let outside = Sipp::carrier(&sipp, "answered.xml", 1, &[]).await;
    let (Floor { server, olive, sam, .. }, edge) = phone_floor(Some(outside.address)).await;
    let microphones = tempfile::tempdir().unwrap();
    let desk = working_desk(&driver, &server, &sam, microphones.path(), AGENT_TONE).await;
    let (caller, media) = call_accepted(&sipp, &edge, &desk).await;
    let mut far = FarAudio::on(&caller.audio);

    hold_and_open_transfer(&desk, "the choices", "consulted first").await;
    desk.select("#transfer-to", "outside").await;
    desk.run("document.getElementById('transfer-number').value = '+447700900009';", vec![]).await;
    desk.click("#transfer-form button[type=submit]").await;
    desk.wait_until("#call-state", "the agent's wrap-up", |t| t == "wrap up").await;
    let mut party = FarAudio::on(&outside.audio);
    // The edge relays what the caller says: the number hears it from the edge's port for its call.
    let (_, first) = tokio::join!(far.speak(media, CALLER_TONE, 150), party.listen(Duration::from_secs(3)));
    let party_media = first.first().expect("the number hears the caller through the edge").from;
    far.drain().await;
    party.drain().await;
    let (caller_hears, party_hears) = caller_and_party_speak(&mut far, media, &mut party, party_media).await;
    let hears_party = tone_ratio(&caller_hears, media, PARTY_TONE, &[AGENT_TONE, 500.0]);
    let hears_caller = tone_ratio(&party_hears, party_media, CALLER_TONE, &[AGENT_TONE, 500.0]);
    assert!(hears_party > 20.0 && hears_caller > 20.0, "handed outside, the two hear each other ({hears_party:.1}, {hears_caller:.1})");
    let music = music_ratio(&caller_hears, media, &[PARTY_TONE]);
    assert!(music < 0.5, "the caller is off hold: no music ({music:.2} of the number)");
    assert!(tone_ratio(&caller_hears, media, AGENT_TONE, &[PARTY_TONE]) < 2.0, "and no longer hears the agent");
    drop(caller);
    assert_clean(&server, &olive, &desk, &[]).await;
}

/// Attended transfer to a colleague with real audio: the agent (1 kHz)
/// consults a colleague ready now (1.6 kHz) while the caller waits on
/// hold: the two desks hear each other and the caller hears music, neither
/// desk. The caller brought in, each of the three hears the other two.
/// Handed over, the caller and the colleague hear each other, and the
/// agent no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consulted_colleague_talks_with_the_agent_then_takes_the_caller() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let TwoDesks { floor: Floor { server, olive, sam, .. }, desk, colleague, caller, media, _edge, _microphones } =
        two_desks_and_a_caller(&driver, &sipp).await;
    let mut far = FarAudio::on(&caller.audio);
    assert_eq!(desk.run(PROBE, vec![]).await, json!(true));
    assert_eq!(colleague.run(PROBE, vec![]).await, json!(true));
    let others = [CALLER_TONE, 500.0, 2000.0];
    // Heard: louder than -72 dB; not heard: under -77 (see the monitoring test).
    let (heard, silent) = (|level: f64| level > -72.0, |level: f64| level < -77.0);

    desk.press("t").await;
    desk.wait_until("#transfer-to", "the colleague to consult", |t| t.contains("Test sam, consulted first")).await;
    desk.select("#transfer-to", &format!("consult-agent:{}", sam.id.0)).await;
    desk.click("#transfer-form button[type=submit]").await;
    desk.wait_until("#consult-state", "the consultation", |t| t.starts_with("Consulting Test sam")).await;
    colleague.wait_until("#consulted-state", "the colleague told", |t| t.contains("Test ada is consulting you")).await;
    assert_accessible(&desk).await;
    assert_accessible(&colleague).await;
    far.drain().await;
    let (waiting, [agent_page, colleague_page]) = talk_among(&mut far, media, [&desk, &colleague], 3).await;
    assert!(music_ratio(&waiting, media, &[AGENT_TONE, SUPERVISOR_TONE]) > 5.0, "the caller on hold hears the music");
    let (caller_agent, caller_colleague) =
        (tone_ratio(&waiting, media, AGENT_TONE, &others), tone_ratio(&waiting, media, SUPERVISOR_TONE, &others));
    assert!(caller_agent < 2.0 && caller_colleague < 2.0, "and neither desk ({caller_agent:.1}, {caller_colleague:.1})");
    // [caller, agent, colleague] as each page plays them.
    assert!(heard(agent_page[2]) && silent(agent_page[0]), "the agent hears the colleague, not the caller: {agent_page:?}");
    assert!(heard(colleague_page[1]) && silent(colleague_page[0]), "the colleague hears the agent, not the caller: {colleague_page:?}");

    desk.click("#consult-conference").await;
    desk.wait_until("#consult-state", "the conference", |t| t.starts_with("In conference with Test sam")).await;
    colleague.wait_until("#consulted-state", "the colleague in the conference", |t| t.starts_with("In conference")).await;
    let (together, [agent_page, colleague_page]) = talk_among(&mut far, media, [&desk, &colleague], 3).await;
    let (caller_agent, caller_colleague) =
        (tone_ratio(&together, media, AGENT_TONE, &others), tone_ratio(&together, media, SUPERVISOR_TONE, &others));
    assert!(caller_agent > 20.0 && caller_colleague > 20.0, "the caller hears both desks ({caller_agent:.1}, {caller_colleague:.1})");
    assert!(heard(agent_page[0]) && heard(agent_page[2]) && silent(agent_page[1]), "the agent hears the other two: {agent_page:?}");
    assert!(
        heard(colleague_page[0]) && heard(colleague_page[1]) && silent(colleague_page[2]),
        "the colleague hears the other two: {colleague_page:?}"
    );

    desk.click("#consult-complete").await;
    desk.wait_until("#call-state", "the agent's wrap-up", |t| t == "wrap up").await;
    colleague.wait_until("#call-state", "the colleague's conversation", |t| t == "connected").await;
    caller_and_colleague_hear_each_other(&mut far, media, &colleague).await;
    drop(caller);
    assert_clean(&server, &olive, &colleague, &[]).await;
}

/// How loud the hold music is in what `media` sent, against `others`: its
/// loudest note's ratio.
fn music_ratio(heard: &[Heard], media: SocketAddr, others: &[f64]) -> f64 {
    MUSIC.iter().map(|note| tone_ratio(heard, media, *note, others)).fold(0.0, f64::max)
}

/// The agent at `desk` puts the caller on hold and opens the transfer
/// choices, once they list `listing`.
async fn hold_and_open_transfer(desk: &Browser, what: &str, listing: &str) {
    desk.press("p").await;
    desk.wait_until("#call-state", "the hold", |t| t == "connected (on hold)").await;
    desk.press("t").await;
    desk.wait_until("#transfer-to", what, |t| t.contains(listing)).await;
}

/// The caller speaks for 3 s: they hear the colleague (1.6 kHz), not the
/// agent they left nor hold music, and the colleague's desk plays them.
async fn caller_and_colleague_hear_each_other(far: &mut FarAudio<'_>, media: SocketAddr, colleague: &Browser) {
    let others = [CALLER_TONE, 500.0, 2000.0];
    let (after, peak) = talk(far, media, colleague, 3).await;
    let (hears_colleague, hears_agent) =
        (tone_ratio(&after, media, SUPERVISOR_TONE, &others), tone_ratio(&after, media, AGENT_TONE, &others));
    assert!(
        hears_colleague > 20.0 && hears_agent < 2.0,
        "the caller hears the colleague ({hears_colleague:.1}), not the agent ({hears_agent:.1}) nor hold music"
    );
    let frequency = peak["frequency"].as_f64().unwrap_or_default();
    assert!(
        (frequency - CALLER_TONE).abs() < 10.0 && peak["level"].as_f64().unwrap_or(-200.0) > -72.0,
        "the colleague hears the caller: {peak}"
    );
}

/// The caller and an outside party each speak for 2 s: what each heard,
/// less the first half second (it may still carry what was said before).
async fn caller_and_party_speak(
    far: &mut FarAudio<'_>,
    media: SocketAddr,
    party: &mut FarAudio<'_>,
    party_media: SocketAddr,
) -> (Vec<Heard>, Vec<Heard>) {
    let (caller_hears, party_hears) = tokio::join!(far.speak(media, CALLER_TONE, 100), party.speak(party_media, PARTY_TONE, 100));
    (caller_hears.into_iter().skip(25).collect(), party_hears.into_iter().skip(25).collect())
}

/// Attended transfer with real audio: the supervisor at the desk consults
/// an outside number (SIPp behind the trunk) while the caller waits on
/// hold (hearing music, not the desk), brings the caller in (a conference:
/// each of the three hears the other two), then hands the caller over:
/// from then on the caller and the consulted party hear each other, and
/// the desk neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consulted_number_hears_the_agent_then_takes_the_caller() {
    let Some(driver) = driver().await else { return };
    let Some(sipp) = peers::sipp() else { return };
    let consulted = Sipp::carrier(&sipp, "answered.xml", 1, &[]).await;
    let (Floor { server, olive, sam, .. }, edge) = phone_floor(Some(consulted.address)).await;
    let microphones = tempfile::tempdir().unwrap();
    let desk = working_desk(&driver, &server, &sam, microphones.path(), AGENT_TONE).await;
    let (caller, media) = call_accepted(&sipp, &edge, &desk).await;
    let mut far = FarAudio::on(&caller.audio);

    desk.press("t").await;
    desk.wait_until("#transfer-to", "the choices", |t| t.contains("consulted first")).await;
    desk.select("#transfer-to", "consult").await;
    desk.run("document.getElementById('transfer-number').value = '+447700900009';", vec![]).await;
    desk.click("#transfer-form button[type=submit]").await;
    desk.wait_until("#consult-state", "the consulted party's answer", |t| t.contains("answered")).await;
    assert_accessible(&desk).await;
    let mut party = FarAudio::on(&consulted.audio);
    let party_media = party.first_source(Duration::from_secs(5)).await.expect("the consulted party hears the edge");
    // What the caller heard before the hold is not listened to.
    far.drain().await;
    party.drain().await;
    let (waiting, consulting) = tokio::join!(far.listen(Duration::from_secs(2)), party.listen(Duration::from_secs(2)));
    let others = [CALLER_TONE, PARTY_TONE, 500.0];
    assert!(tone_ratio(&consulting, party_media, AGENT_TONE, &others) > 20.0, "the consulted party hears the agent");
    assert!(tone_ratio(&waiting, media, AGENT_TONE, &others) < 2.0, "the caller on hold does not");

    assert_eq!(desk.run(PROBE, vec![]).await, json!(true));
    desk.click("#consult-conference").await;
    desk.wait_until("#consult-state", "the conference", |t| t.starts_with("In conference")).await;
    assert_accessible(&desk).await;
    // The agent speaks alone: both others hear them. (The browser's echo
    // cancelling quietens a microphone while others talk, so the agent is
    // listened for while nobody else speaks; its noise suppression may
    // quieten a steady tone for a moment, so up to three windows are heard.)
    let mut agent_heard = Vec::new();
    for _ in 0..3 {
        far.drain().await;
        party.drain().await;
        let (caller_hears, party_hears) = tokio::join!(far.listen(Duration::from_secs(2)), party.listen(Duration::from_secs(2)));
        let (caller_hears, party_hears): (Vec<Heard>, Vec<Heard>) =
            (caller_hears.into_iter().skip(25).collect(), party_hears.into_iter().skip(25).collect());
        let heard = [tone_ratio(&caller_hears, media, AGENT_TONE, &others), tone_ratio(&party_hears, party_media, AGENT_TONE, &others)];
        agent_heard.push(heard);
        if heard.iter().all(|ratio| *ratio > 20.0) {
            break;
        }
    }
    assert!(
        agent_heard.last().is_some_and(|heard| heard.iter().all(|ratio| *ratio > 20.0)),
        "in conference, the caller and the party hear the agent: {agent_heard:?}"
    );
    // The caller and the party speak: each hears the other, and the agent hears both.
    far.drain().await;
    party.drain().await;
    let desk_levels = async {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let levels = desk.run(LEVELS, vec![json!([CALLER_TONE, AGENT_TONE, PARTY_TONE])]).await;
        levels.as_array().unwrap().iter().map(|l| l.as_f64().unwrap_or(-200.0)).collect::<Vec<f64>>()
    };
    let (caller_hears, party_hears, desk_hears) =
        tokio::join!(far.speak(media, CALLER_TONE, 100), party.speak(party_media, PARTY_TONE, 100), desk_levels);
    let (caller_hears, party_hears): (Vec<Heard>, Vec<Heard>) =
        (caller_hears.into_iter().skip(25).collect(), party_hears.into_iter().skip(25).collect());
    let each_other =
        [tone_ratio(&caller_hears, media, PARTY_TONE, &[2000.0]), tone_ratio(&party_hears, party_media, CALLER_TONE, &[2000.0])];
    assert!(each_other.iter().all(|ratio| *ratio > 20.0), "in conference, the caller and the party hear each other: {each_other:?}");
    let own_voice = tone_ratio(&caller_hears, media, CALLER_TONE, &[PARTY_TONE]);
    assert!(own_voice < 0.05, "the caller is not played back to themselves ({own_voice:.3} of the party)");
    // Heard: louder than -72 dB; not heard: under -77 (see the monitoring test).
    let [caller_level, agent_level, party_level] = desk_hears[..] else { panic!("{desk_hears:?}") };
    assert!(
        caller_level > -72.0 && party_level > -72.0 && agent_level < -77.0,
        "the agent hears the caller and the party, not themselves: {desk_hears:?}"
    );

    desk.click("#consult-complete").await;
    desk.wait_until("#call-state", "the agent's wrap-up", |t| t == "wrap up").await;
    far.drain().await;
    party.drain().await;
    let (caller_hears, party_hears) = caller_and_party_speak(&mut far, media, &mut party, party_media).await;
    let hears_party = tone_ratio(&caller_hears, media, PARTY_TONE, &[AGENT_TONE, 500.0]);
    let hears_caller = tone_ratio(&party_hears, party_media, CALLER_TONE, &[AGENT_TONE, 500.0]);
    assert!(hears_party > 20.0 && hears_caller > 20.0, "handed over, the two hear each other ({hears_party:.1}, {hears_caller:.1})");
    assert!(tone_ratio(&caller_hears, media, AGENT_TONE, &[PARTY_TONE]) < 2.0, "and no longer the agent");
    drop(caller);
    assert_clean(&server, &olive, &desk, &[]).await;
}

/// The consulted party's voice.
const PARTY_TONE: f64 = 700.0;
