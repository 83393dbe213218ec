//! Calls' audio through the SIP edge: relayed between bridged calls, hold
//! music when alone or held, keys both ways, the callback offer and a
//! transfer, heard and spoken by the test as each call's far end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod peers;

use peers::far_audio::{Heard, purity, samples_from, tone_ratio};
use peers::{FarAudio, Sipp, edge_settings, wait_until_no_calls};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use trustline_domain::{TenantId, UserId};
use trustline_sip::{KeyEvent, SipTelephony};
use trustline_telephony::{Admission, CallLeg, CallProgress, DialRequest, DtmfDigits, Party, Settlement, Telephony, TelephonyError};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// The hold music's notes.
const MUSIC: [f64; 6] = [220.0, 261.63, 329.63, 392.0, 440.0, 523.25];
const SPOKEN: f64 = 1000.0;
const LIMIT: Duration = Duration::from_secs(15);

async fn edge(proxy: SocketAddr) -> SipTelephony {
    SipTelephony::start(edge_settings(Some(proxy), vec![LOOPBACK])).await.expect("the edge starts")
}

/// SIPp answering `calls` calls as `answered.xml`, and an edge whose trunk it is.
async fn carrier_and_edge(calls: u32) -> Option<(Sipp, SipTelephony)> {
    let sipp = peers::sipp()?;
    let carrier = Sipp::carrier(&sipp, "answered.xml", calls, &[]).await;
    let edge = edge(carrier.address).await;
    Some((carrier, edge))
}

/// An answered call, and the edge port its audio comes from (the one new
/// source the far end hears, besides `known`).
async fn answered_call_heard(edge: &SipTelephony, far: &FarAudio<'_>, known: &[SocketAddr]) -> (CallLeg, SocketAddr) {
    let leg = answered_call(edge).await;
    let port = new_source(&far.listen(Duration::from_millis(300)).await, known);
    (leg, port)
}

async fn answered_call(edge: &SipTelephony) -> CallLeg {
    let mut leg = edge
        .dial(DialRequest { tenant: TenantId(1), to: "+447700900001".to_owned(), caller_id: Some("+442079460990".to_owned()) })
        .await
        .unwrap();
    assert_eq!(tokio::time::timeout(LIMIT, leg.settled()).await.unwrap(), Settlement::Answered);
    leg
}

/// The edge port a call's audio comes from: the one source in `heard`
/// that is not among `known`.
fn new_source(heard: &[Heard], known: &[SocketAddr]) -> SocketAddr {
    let sources: BTreeSet<SocketAddr> = heard.iter().map(|h| h.from).filter(|f| !known.contains(f)).collect();
    assert_eq!(sources.len(), 1, "expected one new audio source, heard {sources:?}");
    *sources.first().unwrap()
}

fn music_heard(heard: &[Heard], from: SocketAddr) -> bool {
    samples_from(heard, from).len() >= 800 && purity(heard, from, &MUSIC) > 0.3
}

#[tokio::test]
async fn bridged_calls_hear_each_other_and_music_plays_when_alone_or_held() {
    let Some((carrier, edge)) = carrier_and_edge(2).await else { return };
    let mut far = FarAudio::on(&carrier.audio);

    let a = answered_call(&edge).await;
    let heard = far.listen(Duration::from_millis(300)).await;
    let a_port = new_source(&heard, &[]);
    assert!(music_heard(&heard, a_port), "a call on its own hears hold music");
    let (b, b_port) = answered_call_heard(&edge, &far, &[a_port]).await;

    edge.bridge(a.id, Party::Leg(b.id)).await.unwrap();
    far.drain().await;
    let heard = far.speak(a_port, SPOKEN, 20).await;
    assert!(tone_ratio(&heard, b_port, SPOKEN, &MUSIC) > 10.0, "B's side hears what A's side says");
    assert!(samples_from(&heard, a_port).is_empty(), "B's side said nothing, so A's side hears nothing");

    edge.hold(b.id, true).await.unwrap();
    far.drain().await;
    let heard = far.speak(a_port, SPOKEN, 20).await;
    assert!(music_heard(&heard, b_port), "a held call hears music");
    assert!(tone_ratio(&heard, b_port, SPOKEN, &MUSIC) < 0.1, "and not the other side");
    edge.hold(b.id, false).await.unwrap();

    edge.unbridge(a.id).await.unwrap();
    far.drain().await;
    let heard = far.listen(Duration::from_millis(400)).await;
    assert!(music_heard(&heard, a_port) && music_heard(&heard, b_port), "both parted calls hear music");

    for leg in [a.id, b.id] {
        edge.hang_up(leg).await.unwrap();
    }
    assert!(carrier.finished().await.success());
    assert!(matches!(edge.bridge(a.id, Party::Leg(b.id)).await, Err(TelephonyError::UnknownCall)));
}

#[tokio::test]
async fn keys_travel_both_ways_as_telephone_events() {
    let Some((carrier, edge)) = carrier_and_edge(1).await else { return };
    let mut far = FarAudio::on(&carrier.audio);
    let (mut a, a_port) = answered_call_heard(&edge, &far, &[]).await;

    far.press(a_port, '5', 4242).await;
    let key = tokio::time::timeout(LIMIT, a.progress.recv()).await.unwrap();
    assert_eq!(key, Some(CallProgress::Dtmf('5')));

    edge.send_dtmf(a.id, &DtmfDigits::parse("12#").unwrap()).await.unwrap();
    let heard = far.listen(Duration::from_millis(900)).await;
    let mut ends: Vec<(u32, char)> = heard
        .iter()
        .filter(|h| h.from == a_port && h.payload_type == 101)
        .filter_map(|h| KeyEvent::parse(&h.payload).filter(|e| e.end).map(|e| (h.timestamp, e.key)))
        .collect();
    ends.dedup();
    assert_eq!(ends.iter().map(|(_, key)| *key).collect::<String>(), "12#");
    let starts = heard.iter().filter(|h| h.from == a_port && h.payload_type == 101 && h.marker).count();
    assert_eq!(starts, 3, "each key's first packet is marked");

    edge.hang_up(a.id).await.unwrap();
    assert!(matches!(edge.send_dtmf(a.id, &DtmfDigits::parse("1").unwrap()).await, Err(TelephonyError::UnknownCall)));
    assert!(carrier.finished().await.success());
}

#[tokio::test]
async fn a_waiting_caller_takes_the_callback_offer_with_1_and_declines_with_another_key() {
    let Some((carrier, edge)) = carrier_and_edge(1).await else { return };
    let edge = std::sync::Arc::new(edge);
    let mut far = FarAudio::on(&carrier.audio);
    let (a, a_port) = answered_call_heard(&edge, &far, &[]).await;

    for (key, accepted) in [('2', false), ('1', true)] {
        let offer = tokio::spawn({
            let edge = edge.clone();
            async move { edge.offer_callback(a.id).await }
        });
        let heard = far.listen(Duration::from_millis(600)).await;
        assert!(!music_heard(&heard, a_port), "the prompt plays instead of music");
        assert!(samples_from(&heard, a_port).len() >= 2400, "the prompt is heard");
        far.press(a_port, key, u32::from(key)).await;
        let answer = tokio::time::timeout(LIMIT, offer).await.expect("the offer ends on a key").unwrap();
        assert_eq!(answer.unwrap(), accepted, "key {key}");
    }
    edge.hang_up(a.id).await.unwrap();
    assert!(carrier.finished().await.success());
}

#[tokio::test]
async fn a_transfer_joins_the_caller_to_the_new_party_once_it_answers() {
    let Some((carrier, edge)) = carrier_and_edge(2).await else { return };
    let mut far = FarAudio::on(&carrier.audio);
    let (a, a_port) = answered_call_heard(&edge, &far, &[]).await;

    let to = DialRequest { tenant: TenantId(1), to: "+447700900009".to_owned(), caller_id: None };
    let mut t = edge.transfer(a.id, to).await.unwrap();
    assert_eq!(tokio::time::timeout(LIMIT, t.settled()).await.unwrap(), Settlement::Answered);
    far.drain().await;
    let heard = far.speak(a_port, SPOKEN, 20).await;
    let t_port = new_source(&heard, &[a_port]);
    assert!(tone_ratio(&heard, t_port, SPOKEN, &MUSIC) > 10.0, "the new party hears the caller");

    for leg in [a.id, t.id] {
        edge.hang_up(leg).await.unwrap();
    }
    assert!(carrier.finished().await.success());
}

#[tokio::test]
async fn a_call_joined_to_a_seated_virtual_agent_hears_its_greeting_and_an_empty_desk_is_refused() {
    let Some((carrier, edge)) = carrier_and_edge(1).await else { return };
    let far = FarAudio::on(&carrier.audio);
    let (a, a_port) = answered_call_heard(&edge, &far, &[]).await;
    let desk = Party::Desk { tenant: TenantId(7), agent: UserId(70) };

    assert!(matches!(edge.bridge(a.id, desk).await, Err(TelephonyError::DeskOffline)));
    edge.seat_virtual_agent(TenantId(7), UserId(70));
    assert!(matches!(edge.bridge(a.id, Party::Desk { tenant: TenantId(8), agent: UserId(70) }).await, Err(TelephonyError::DeskOffline)));
    edge.bridge(a.id, desk).await.unwrap();
    far.drain().await;
    let heard = far.listen(Duration::from_millis(600)).await;
    assert!(samples_from(&heard, a_port).len() >= 2400, "the caller hears the desk");
    assert!(!music_heard(&heard, a_port), "a greeting, not hold music");

    edge.unseat(TenantId(7), UserId(70));
    assert!(matches!(edge.bridge(a.id, desk).await, Err(TelephonyError::DeskOffline)));
    edge.hang_up(a.id).await.unwrap();
    assert!(carrier.finished().await.success());
}

#[tokio::test]
async fn calls_take_their_audio_ports_from_the_configured_range_until_it_runs_out() {
    let Some(sipp) = peers::sipp() else { return };
    let carrier = Sipp::carrier(&sipp, "answered.xml", 2, &[]).await;
    let mut settings = edge_settings(Some(carrier.address), vec![LOOPBACK]);
    settings.rtp_ports = Some(47_810..=47_811);
    let edge = SipTelephony::start(settings).await.unwrap();
    let far = FarAudio::on(&carrier.audio);
    let (a, b) = (answered_call(&edge).await, answered_call(&edge).await);
    let heard = far.listen(Duration::from_millis(200)).await;
    let ports: BTreeSet<u16> = heard.iter().map(|h| h.from.port()).collect();
    assert_eq!(ports, BTreeSet::from([47_810, 47_811]));
    let refused = edge.dial(DialRequest { tenant: TenantId(1), to: "+447700900002".to_owned(), caller_id: None }).await;
    assert!(matches!(refused, Err(TelephonyError::Unavailable(ref why)) if why.contains("47810")), "{refused:?}");
    for leg in [a.id, b.id] {
        edge.hang_up(leg).await.unwrap();
    }
    assert!(carrier.finished().await.success());
}

#[tokio::test]
async fn audio_from_an_address_neither_the_sdp_nor_the_signalling_names_is_dropped() {
    let Some((carrier, edge)) = carrier_and_edge(1).await else { return };
    let mut far = FarAudio::on(&carrier.audio);
    let (mut a, a_port) = answered_call_heard(&edge, &far, &[]).await;
    let stranger_socket = tokio::net::UdpSocket::bind("127.0.0.2:0").await.expect("127.0.0.2 is loopback too");
    let mut stranger = FarAudio::on(&stranger_socket);

    stranger.press(a_port, '7', 100).await;
    let nothing = tokio::time::timeout(Duration::from_millis(500), a.progress.recv()).await;
    assert!(nothing.is_err(), "a key injected from elsewhere was taken: {nothing:?}");
    far.press(a_port, '8', 200).await;
    let key = tokio::time::timeout(LIMIT, a.progress.recv()).await.unwrap();
    assert_eq!(key, Some(CallProgress::Dtmf('8')), "the far end's own key still is");

    edge.hang_up(a.id).await.unwrap();
    assert!(carrier.finished().await.success());
}

#[tokio::test]
async fn keys_nobody_reads_never_keep_a_call_that_is_over_from_being_let_go() {
    let Some(sipp) = peers::sipp() else { return };
    let carrier = Sipp::carrier(&sipp, "hangs_up_later.xml", 1, &[]).await;
    let edge = edge(carrier.address).await;
    let mut far = FarAudio::on(&carrier.audio);
    // The dialer holds the call's progress but stops reading it after the answer.
    let (a, a_port) = answered_call_heard(&edge, &far, &[]).await;
    for (n, key) in "0123456789*#0123456789".chars().enumerate() {
        far.press(a_port, key, 1000 + n as u32 * 800).await;
    }
    assert!(carrier.finished().await.success(), "the called side hung up");
    wait_until_no_calls(&edge).await;
    drop(a);
}

#[tokio::test]
async fn keys_a_switchboard_never_reads_never_keep_an_incoming_call_from_being_let_go() {
    let Some(sipp) = peers::sipp() else { return };
    let edge = edge("127.0.0.1:9".parse().unwrap()).await;
    let mut incoming = edge.incoming().unwrap();
    let caller = Sipp::caller(&sipp, "caller_stays_briefly.xml", edge.local_addr(), "+442079460990");
    // The switchboard holds the call's progress but never reads it.
    let call = tokio::time::timeout(LIMIT, incoming.recv()).await.unwrap().unwrap();
    let (admission, progress) = (call.admission, call.progress);
    admission.send(Admission::Take).unwrap();
    let mut far = FarAudio::on(&caller.audio);
    let port = new_source(&far.listen(Duration::from_millis(200)).await, &[]);
    for (n, key) in "0123456789*#0123456789".chars().enumerate() {
        far.press(port, key, 1000 + n as u32 * 800).await;
    }
    assert!(caller.finished().await.success(), "the caller hung up");
    wait_until_no_calls(&edge).await;
    drop(progress);
}
