//! A real SIP phone (baresip) calls in through the edge and is bridged to
//! a call placed to the carrier (SIPp): each side hears the other's tone,
//! measured on what baresip recorded and on what reached the carrier.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod peers;

use peers::far_audio::{samples_ratio, tone_ratio};
use peers::{BaresipPhone, FarAudio, Sipp, edge_settings};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use trustline_domain::TenantId;
use trustline_sip::SipTelephony;
use trustline_telephony::{Admission, CallProgress, DialRequest, Party, Settlement, Telephony};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const LIMIT: Duration = Duration::from_secs(15);
/// The hold music's notes.
const MUSIC: [f64; 6] = [220.0, 261.63, 329.63, 392.0, 440.0, 523.25];

#[tokio::test]
async fn a_phone_and_a_carrier_call_bridged_hear_each_others_tones() {
    let (Some(sipp), Some(baresip)) = (peers::sipp(), peers::baresip()) else { return };
    let carrier = Sipp::carrier(&sipp, "answered.xml", 1, &[]).await;
    let edge = SipTelephony::start(edge_settings(Some(carrier.address), vec![LOOPBACK])).await.unwrap();
    let mut incoming = edge.incoming().unwrap();

    let phone = BaresipPhone::call(&baresip, edge.local_addr(), "+442079460990", 1000.0, 6);
    let mut caller = tokio::time::timeout(LIMIT, incoming.recv()).await.expect("the phone's call arrives").unwrap();
    caller.admission.send(Admission::Take).unwrap();
    assert_eq!(caller.to, "+442079460990");

    let mut far = FarAudio::on(&carrier.audio);
    let mut called = edge.dial(DialRequest { tenant: TenantId(1), to: "+447700900001".into(), caller_id: None }).await.unwrap();
    assert_eq!(tokio::time::timeout(LIMIT, called.settled()).await.unwrap(), Settlement::Answered);
    let called_port = far.listen(Duration::from_millis(200)).await.first().expect("the carrier hears music").from;
    edge.bridge(caller.id, Party::Leg(called.id)).await.unwrap();
    far.drain().await;

    // The carrier's side says 600 Hz for two seconds; the phone says 1 kHz throughout.
    let heard = far.speak(called_port, 600.0, 100).await;
    assert!(tone_ratio(&heard, called_port, 1000.0, &[600.0]) > 10.0, "the carrier hears the phone's tone");
    let ended = tokio::time::timeout(LIMIT, caller.progress.recv()).await.expect("the phone hangs up");
    assert_eq!(ended, Some(CallProgress::RemoteHangUp));
    let phone_heard = phone.heard().await;
    assert!(samples_ratio(&phone_heard, 600.0, &[1000.0]) > 10.0, "the phone hears the carrier's tone");
    assert!(samples_ratio(&phone_heard, 600.0, &MUSIC) > 1.0, "mostly the tone, some music before the bridge");

    edge.hang_up(called.id).await.unwrap();
    assert!(carrier.finished().await.success());
}
