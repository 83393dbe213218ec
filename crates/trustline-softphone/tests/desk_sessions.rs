//! Softphone sessions against a real WebRTC peer: str0m as the browser,
//! on its own UDP socket, with full ICE, DTLS and SRTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use str0m::media::{Direction, MediaKind};
use str0m::{Candidate, RtcConfig};
use tokio::sync::mpsc;
use trustline_softphone::{AgentVoice, BrowserPeer, DeskSession, Law, SoftphoneError, SoftphoneSettings, Softphones};

#[derive(Default)]
struct Heard(Mutex<Vec<(Law, Vec<u8>)>>);

impl AgentVoice for Heard {
    fn spoke(&self, law: Law, payload: &[u8]) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push((law, payload.to_vec()));
    }
}

impl Heard {
    fn packets(&self) -> Vec<(Law, Vec<u8>)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn softphones(max_desks: usize) -> Softphones {
    let settings = SoftphoneSettings { listen: "127.0.0.1:0".parse().unwrap(), announced: None, max_desks };
    Softphones::start(settings).await.unwrap()
}

fn frame(seed: u8) -> Vec<u8> {
    (0..160u32).map(|i| seed.wrapping_add(i as u8)).collect()
}

async fn browser() -> (BrowserPeer, String) {
    BrowserPeer::offer("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

async fn connect(phones: &Softphones, voice: Arc<Heard>) -> (DeskSession, BrowserPeer) {
    let (mut browser, offer) = browser().await;
    let (session, answer) = phones.open(&offer, voice, None).await.unwrap();
    browser.accept(&answer).unwrap();
    (session, browser)
}

#[tokio::test]
async fn the_agent_hears_the_call_and_the_call_hears_the_agent() {
    let phones = softphones(4).await;
    let voice = Arc::new(Heard::default());
    let (session, browser) = connect(&phones, voice.clone()).await;
    assert!(session.takes(Law::Ulaw) && session.takes(Law::Alaw), "a browser takes both G.711 laws");
    let (heard_in, mut heard) = mpsc::unbounded_channel();
    let agent_says = frame(7);
    let running = tokio::spawn(browser.run(agent_says.clone(), heard_in, Duration::from_secs(6)));

    let caller_says = frame(101);
    let mut agent_heard = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while agent_heard.len() < 20 && Instant::now() < deadline {
        session.play(Law::Ulaw, &caller_says);
        tokio::time::sleep(Duration::from_millis(20)).await;
        while let Ok(packet) = heard.try_recv() {
            agent_heard.push(packet);
        }
    }
    assert!(agent_heard.len() >= 20, "the agent heard {} of the caller's packets", agent_heard.len());
    assert!(agent_heard.iter().all(|(law, payload, _)| *law == Law::Ulaw && *payload == caller_says), "the caller's audio arrives as sent");

    let spoken = voice.packets();
    assert!(spoken.len() >= 20, "the call heard {} of the agent's packets", spoken.len());
    assert!(spoken.iter().all(|(law, payload)| *law == Law::Ulaw && *payload == agent_says), "the agent's voice arrives as spoken");
    running.abort();
}

#[tokio::test]
async fn a_session_ends_when_its_browser_goes_silent_or_it_is_dropped() {
    let phones = softphones(4).await;
    let (session, browser) = connect(&phones, Arc::new(Heard::default())).await;
    let (heard_in, _heard) = mpsc::unbounded_channel();
    browser.run(frame(1), heard_in, Duration::from_secs(2)).await;
    assert!(!session.is_ended(), "a connected session is open");
    tokio::time::timeout(Duration::from_secs(30), session.ended()).await.expect("a silent browser's session ends");

    let (session, _browser) = connect(&phones, Arc::new(Heard::default())).await;
    let ended = session.ended();
    drop(session);
    tokio::time::timeout(Duration::from_secs(5), ended).await.expect("a dropped session ends");
}

/// A flood from an address no session knows is dropped unread, and a desk
/// on another address connects and talks meanwhile.
#[tokio::test]
async fn a_flood_from_an_unknown_address_is_dropped_unread_and_keeps_no_desk_out() {
    let phones = softphones(4).await;
    let flood = std::net::UdpSocket::bind("127.0.0.2:0").unwrap();
    // Paced, so the port's receive buffer takes them all.
    for burst in 0..30u32 {
        for n in 0..100u32 {
            let _ = flood.send_to(&(burst * 100 + n).to_be_bytes(), phones.local_addr());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let voice = Arc::new(Heard::default());
    let (session, browser) = connect(&phones, voice.clone()).await;
    let (heard_in, _heard) = mpsc::unbounded_channel();
    let running = tokio::spawn(browser.run(frame(3), heard_in, Duration::from_secs(4)));
    let deadline = Instant::now() + Duration::from_secs(4);
    while voice.packets().len() < 10 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(voice.packets().len() >= 10, "the desk talks through the flood");
    let refused = phones.strangers_refused();
    assert_eq!(refused, 3_000, "3,000 datagrams from an address no check came from, none naming a session");
    assert!(!session.is_ended());
    running.abort();
}

/// Desks are spread over the service's shards: each desk hears its own
/// call and each call hears its own desk, with several talking at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_desks_at_once_each_hear_only_their_own_call() {
    const DESKS: u8 = 6;
    let phones = softphones(DESKS.into()).await;
    let mut desks = Vec::new();
    for desk in 0..DESKS {
        let voice = Arc::new(Heard::default());
        let (session, browser) = connect(&phones, voice.clone()).await;
        let (heard_in, heard) = mpsc::unbounded_channel();
        let running = tokio::spawn(browser.run(frame(desk * 20), heard_in, Duration::from_secs(8)));
        desks.push((session, voice, heard, running));
    }
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut heard: Vec<Vec<Vec<u8>>> = vec![Vec::new(); desks.len()];
    while heard.iter().any(|packets| packets.len() < 10) && Instant::now() < deadline {
        for (desk, (session, _, hearing, _)) in desks.iter_mut().enumerate() {
            session.play(Law::Alaw, &frame(200 - desk as u8));
            while let Ok((_, payload, _)) = hearing.try_recv() {
                heard[desk].push(payload);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for (desk, (_, voice, _, running)) in desks.iter().enumerate() {
        assert!(heard[desk].len() >= 10, "desk {desk} heard {} packets", heard[desk].len());
        assert!(heard[desk].iter().all(|payload| *payload == frame(200 - desk as u8)), "desk {desk} heard another call");
        let spoken = voice.packets();
        assert!(spoken.len() >= 10, "desk {desk}'s call heard {} packets", spoken.len());
        assert!(spoken.iter().all(|(_, payload)| *payload == frame(desk as u8 * 20)), "desk {desk}'s call heard another desk");
        running.abort();
    }
    assert_eq!(phones.strangers_refused(), 0, "every desk's datagram named or came from its session");
}

#[tokio::test]
async fn offers_that_carry_no_usable_audio_are_refused_and_open_nothing() {
    let phones = softphones(1).await;
    let voice: Arc<Heard> = Arc::new(Heard::default());
    for garbage in ["", "hello", "v=0\r\nm=audio"] {
        let refused = phones.open(garbage, voice.clone(), None).await;
        assert!(matches!(refused, Err(SoftphoneError::BadOffer(_))), "{garbage:?} is no offer");
    }
    let oversized = "v=0\r\n".repeat(20_000);
    assert!(matches!(phones.open(&oversized, voice.clone(), None).await, Err(SoftphoneError::BadOffer(_))));

    let mut video_only = RtcConfig::new().set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags())).build(Instant::now());
    video_only.add_local_candidate(Candidate::host("127.0.0.1:9".parse::<SocketAddr>().unwrap(), "udp").unwrap());
    let mut change = video_only.sdp_api();
    change.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
    let (offer, _) = change.apply().unwrap();
    let refused = phones.open(&offer.to_sdp_string(), voice.clone(), None).await;
    assert!(matches!(refused, Err(SoftphoneError::NoAudio)), "video is not a softphone: {:?}", refused.err());

    // The one place is still free: the refusals took none.
    let (session, _browser) = connect(&phones, voice.clone()).await;
    let (_, offer) = browser().await;
    assert!(matches!(phones.open(&offer, voice.clone(), None).await, Err(SoftphoneError::Full(1))), "a second desk finds the service full");
    assert!(
        matches!(phones.open("hello", voice.clone(), None).await, Err(SoftphoneError::BadOffer(_))),
        "a bad offer is told so, full or not"
    );
    // The same desk opening again takes its own place.
    let (replacement, _) = phones.open(&offer, voice, Some(&session)).await.unwrap();
    let ended = session.ended();
    drop(session);
    tokio::time::timeout(Duration::from_secs(5), ended).await.expect("the replaced session ends");
    assert!(!replacement.is_ended());
}
