//! The SIP edge against SIPp playing a carrier: each way a call the dialer
//! places can end, and calls the carrier sends in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod peers;

use peers::{LossyLine, Sipp, edge_settings, options_flood, padded_options, wait_until_no_calls};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use trustline_domain::TenantId;
use trustline_domain::destination::DestinationPolicy;
use trustline_domain::trunks::SignallingTransport;
use trustline_sip::{RegistrationOutcome, RegistrationReport, SipTelephony, TenantTrunk, Trunk, TrunkLogin, TrunkProxy};
use trustline_telephony::{Admission, CallFailure, CallLeg, CallProgress, DialRequest, Telephony, TelephonyError, TrunkOwner};
use zeroize::Zeroizing;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Longest wait for one progress event.
const EVENT_LIMIT: Duration = Duration::from_secs(15);

/// An edge whose trunk is the carrier at `proxy`, trusting `sources`, with
/// fast SIP timers (T1 50 ms, so Timer B is 3.2 s).
async fn edge(proxy: SocketAddr, sources: Vec<IpAddr>, ring_timeout: Duration) -> SipTelephony {
    let mut settings = edge_settings(Some(proxy), sources);
    settings.ring_timeout = ring_timeout;
    SipTelephony::start(settings).await.expect("the edge starts")
}

fn call_to(number: &str) -> DialRequest {
    DialRequest { tenant: TenantId(1), to: number.to_owned(), caller_id: Some("+442079460990".to_owned()) }
}

/// Every progress event until the call ends.
async fn events_until_end(leg: &mut CallLeg) -> Vec<CallProgress> {
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout(EVENT_LIMIT, leg.progress.recv()).await {
            Ok(Some(event)) => {
                seen.push(event);
                if matches!(event, CallProgress::Failed(_) | CallProgress::RemoteHangUp) {
                    return seen;
                }
            }
            Ok(None) => return seen,
            Err(_) => panic!("no progress within {EVENT_LIMIT:?} after {seen:?}"),
        }
    }
}

async fn next_event(leg: &mut CallLeg) -> CallProgress {
    tokio::time::timeout(EVENT_LIMIT, leg.progress.recv()).await.expect("progress in time").expect("the call goes on")
}

/// Places one call to a carrier playing `scenario` and returns what the
/// dialer saw and whether SIPp saw its scenario through.
async fn one_call(scenario: &str, ring_timeout: Duration) -> Option<(Vec<CallProgress>, bool)> {
    let sipp = peers::sipp()?;
    let carrier = Sipp::carrier(&sipp, scenario, 1, &[]).await;
    let edge = edge(carrier.address, vec![LOOPBACK], ring_timeout).await;
    let mut leg = edge.dial(call_to("+447700900001")).await.expect("the INVITE goes out");
    let seen = events_until_end(&mut leg).await;
    let passed = carrier.finished().await.success();
    wait_until_no_calls(&edge).await;
    Some((seen, passed))
}

#[tokio::test]
async fn each_refusal_ends_the_attempt_as_the_carrier_meant() {
    let cases = [
        ("busy.xml", CallFailure::Busy),
        ("declined.xml", CallFailure::Busy),
        ("not_found.xml", CallFailure::Rejected),
        ("unavailable.xml", CallFailure::CarrierFailure),
        ("q850_busy.xml", CallFailure::Busy),
    ];
    for (scenario, failure) in cases {
        let Some((seen, passed)) = one_call(scenario, Duration::from_secs(10)).await else { return };
        assert_eq!(seen, vec![CallProgress::Failed(failure)], "{scenario}");
        assert!(passed, "SIPp's {scenario} did not see the exchange it expects");
    }
}

#[tokio::test]
async fn a_call_that_rings_past_the_timeout_is_cancelled_as_no_answer() {
    let Some((seen, passed)) = one_call("rings_forever.xml", Duration::from_millis(800)).await else { return };
    assert_eq!(seen, vec![CallProgress::Ringing, CallProgress::Failed(CallFailure::NoAnswer)]);
    assert!(passed, "the carrier saw no CANCEL, or no ACK for its 487");
}

#[tokio::test]
async fn an_answer_crossing_our_cancel_is_ended_and_counts_as_no_answer() {
    let Some((seen, passed)) = one_call("cancel_crosses_answer.xml", Duration::from_millis(800)).await else { return };
    assert_eq!(seen, vec![CallProgress::Ringing, CallProgress::Failed(CallFailure::NoAnswer)]);
    assert!(passed, "the carrier's late answer was not ACKed and ended with a BYE");
}

#[tokio::test]
async fn a_carrier_that_never_answers_fails_after_timer_b() {
    let Some((seen, _)) = one_call("silent.xml", Duration::from_secs(20)).await else { return };
    assert_eq!(seen, vec![CallProgress::Failed(CallFailure::CarrierFailure)]);
}

#[tokio::test]
async fn the_called_person_hanging_up_is_reported() {
    let Some((seen, passed)) = one_call("hangs_up.xml", Duration::from_secs(10)).await else { return };
    assert_eq!(seen, vec![CallProgress::Answered, CallProgress::RemoteHangUp]);
    assert!(passed, "the carrier's BYE was not answered");
}

#[tokio::test]
async fn a_carrier_re_invite_moves_the_audio_and_is_answered() {
    let Some((seen, passed)) = one_call("reinvite.xml", Duration::from_secs(10)).await else { return };
    assert_eq!(seen, vec![CallProgress::Answered, CallProgress::RemoteHangUp]);
    assert!(passed, "the re-INVITE's answer was not a mirrored (recvonly) G.711 description");
}

/// Answered calls: ringing or early media first, then the answer; our
/// hang-up reaches the carrier as a BYE.
async fn answered_then_hung_up(scenario: &str, before_answer: CallProgress) {
    let Some(sipp) = peers::sipp() else { return };
    let carrier = Sipp::carrier(&sipp, scenario, 1, &[]).await;
    let edge = edge(carrier.address, vec![LOOPBACK], Duration::from_secs(10)).await;
    let mut leg = edge.dial(call_to("+447700900002")).await.unwrap();
    assert_eq!(next_event(&mut leg).await, before_answer);
    assert_eq!(next_event(&mut leg).await, CallProgress::Answered);
    edge.hang_up(leg.id).await.expect("the BYE is answered");
    assert!(carrier.finished().await.success(), "{scenario}: the carrier saw no BYE");
    assert!(matches!(edge.hang_up(leg.id).await, Err(TelephonyError::UnknownCall)));
    wait_until_no_calls(&edge).await;
}

#[tokio::test]
async fn a_ringing_call_is_answered_and_our_hang_up_reaches_the_carrier() {
    answered_then_hung_up("answered.xml", CallProgress::Ringing).await;
}

#[tokio::test]
async fn early_media_is_reported_before_the_answer() {
    answered_then_hung_up("early_media.xml", CallProgress::EarlyMedia).await;
}

#[tokio::test]
async fn a_reliable_provisional_answer_is_pracked() {
    answered_then_hung_up("prack.xml", CallProgress::Ringing).await;
}

#[tokio::test]
async fn calls_go_through_with_five_percent_of_packets_lost() {
    let Some(sipp) = peers::sipp() else { return };
    const CALLS: u32 = 20;
    let carrier = Sipp::carrier(&sipp, "answered_lossy.xml", CALLS, &[]).await;
    let line = LossyLine::to(carrier.address, 5).await;
    let edge = edge(line.address, vec![LOOPBACK], Duration::from_secs(10)).await;
    for call in 0..CALLS {
        let mut leg = edge.dial(call_to("+447700900003")).await.unwrap();
        let settled = tokio::time::timeout(EVENT_LIMIT, leg.settled()).await.expect("settled in time");
        assert_eq!(settled, trustline_telephony::Settlement::Answered, "call {call}, line {:?}", line.tally());
        edge.hang_up(leg.id).await.unwrap_or_else(|e| panic!("call {call}: {e}"));
    }
    let (dropped, carried) = line.tally();
    assert!(dropped > 0, "the line lost nothing out of {carried} datagrams: the test proves nothing");
    // SIPp's own tally is not asserted: a lost 200 to our BYE leaves it a retransmission it no longer expects.
    let _ = carrier.finished().await;
    wait_until_no_calls(&edge).await;
}

#[tokio::test]
async fn a_number_that_is_not_e164_is_refused_before_any_invite() {
    let edge = edge("127.0.0.1:9".parse().unwrap(), vec![LOOPBACK], Duration::from_secs(10)).await;
    for bad in ["07700900001", "+44 7700 900001", "+4477009000;x=1", "+44770090000112345"] {
        let refused = edge.dial(call_to(bad)).await;
        assert!(matches!(refused, Err(TelephonyError::BadNumber(_))), "{bad}: {refused:?}");
    }
    let mut bad_caller = call_to("+447700900001");
    bad_caller.caller_id = Some("anonymous>".to_owned());
    assert!(matches!(edge.dial(bad_caller).await, Err(TelephonyError::BadNumber(_))));
    assert_eq!(edge.calls_in_progress(), 0);
}

#[tokio::test]
async fn behind_nat_the_public_address_is_named_and_needs_a_fixed_port() {
    let Some(sipp) = peers::sipp() else { return };
    let public: IpAddr = "192.0.2.1".parse().unwrap();
    let mut settings = edge_settings(None, vec![]);
    settings.public_ip = Some(public);
    assert!(matches!(SipTelephony::start(settings.clone()).await, Err(trustline_sip::EdgeError::PublicNeedsPort)));

    let carrier = Sipp::carrier(&sipp, "names_public_address.xml", 1, &[]).await;
    let listen = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    settings.listen = listen;
    settings.trunk = Trunk { proxy: Some(carrier.address.into()), sources: vec![LOOPBACK] };
    let edge = SipTelephony::start(settings).await.unwrap();
    let mut leg = edge.dial(call_to("+447700900001")).await.unwrap();
    assert_eq!(events_until_end(&mut leg).await, vec![CallProgress::Failed(CallFailure::Busy)]);
    assert!(carrier.finished().await.success(), "the INVITE did not name the public address in Contact and SDP");
}

#[tokio::test]
async fn a_stranger_flooding_the_edge_gets_a_few_403s_then_silence_and_the_trunk_is_still_answered() {
    let trunk_ip: IpAddr = "127.0.0.2".parse().unwrap();
    let settings = edge_settings(None, vec![trunk_ip]);
    let edge = SipTelephony::start(settings).await.unwrap();
    let said = options_flood(edge.local_addr(), LOOPBACK, 60).await;
    assert_eq!(said.len(), 20, "{said:?}");
    assert!(said.iter().all(|line| line == "SIP/2.0 403 Forbidden"), "{said:?}");

    let said = options_flood(edge.local_addr(), trunk_ip, 30).await;
    assert_eq!(said.len(), 30, "the carrier is never held back: {said:?}");
    assert!(said.iter().all(|line| line == "SIP/2.0 200 OK"), "{said:?}");
}

#[tokio::test]
async fn without_a_trunk_to_carry_them_calls_are_refused_before_any_invite() {
    let settings = edge_settings(None, vec![LOOPBACK]);
    let edge = SipTelephony::start(settings).await.unwrap();
    assert!(matches!(edge.dial(call_to("+447700900001")).await, Err(TelephonyError::NoTrunk)));
    assert_eq!(edge.calls_in_progress(), 0);
}

/// A tenant's trunk as the edge serves it, at `carrier`, calling from loopback.
fn tenant_trunk(tenant: i64, carrier: SocketAddr) -> TenantTrunk {
    TenantTrunk {
        id: tenant,
        tenant: TenantId(tenant),
        host: carrier.ip().to_string(),
        port: carrier.port(),
        transport: SignallingTransport::Udp,
        sources: vec![LOOPBACK],
        caller_id: Some("+442079460777".into()),
        login: Some(TrunkLogin { username: "acme-42".into(), password: Zeroizing::new("carrier-pass".into()), register: false }),
        srtp: false,
    }
}

/// An edge with no trunk of its own, whose tenants' trunks may be local.
async fn edge_for_tenant_trunks() -> SipTelephony {
    let mut settings = edge_settings(None, Vec::new());
    settings.tenant_trunk_destinations = DestinationPolicy { allow_private: true };
    SipTelephony::start(settings).await.expect("the edge starts")
}

#[tokio::test]
async fn a_tenants_trunk_carries_its_calls_with_its_caller_id_and_login() {
    let Some(sipp) = peers::sipp() else { return };
    let carrier = Sipp::carrier(&sipp, "challenges.xml", 1, &[]).await;
    let edge = edge_for_tenant_trunks().await;
    edge.serve_tenant_trunks(vec![tenant_trunk(7, carrier.address)]);
    let elsewhere = DialRequest { tenant: TenantId(8), to: "+447700900001".into(), caller_id: None };
    assert!(matches!(edge.dial(elsewhere).await, Err(TelephonyError::NoTrunk)), "another tenant's trunk is not lent");
    let mut leg = edge.dial(DialRequest { tenant: TenantId(7), to: "+447700900001".into(), caller_id: None }).await.unwrap();
    let answered = loop {
        match next_event(&mut leg).await {
            CallProgress::Ringing | CallProgress::EarlyMedia => {}
            other => break other,
        }
    };
    assert_eq!(answered, CallProgress::Answered, "the carrier's challenge was not met");
    edge.hang_up(leg.id).await.unwrap();
    assert!(carrier.finished().await.success(), "the carrier saw no login, a wrong one, or not the trunk's caller ID");
    wait_until_no_calls(&edge).await;
}

/// A carrier that fails a call before it rings (503) hands it to the
/// tenant's next trunk, under the same leg; a busy line does not.
#[tokio::test]
async fn a_carrier_failure_before_ringing_moves_the_call_to_the_next_trunk() {
    let Some(sipp) = peers::sipp() else { return };
    let failing = Sipp::carrier(&sipp, "unavailable.xml", 1, &[]).await;
    let answering = Sipp::carrier(&sipp, "answered.xml", 1, &[]).await;
    let edge = edge_for_tenant_trunks().await;
    let plain = |carrier: SocketAddr| TenantTrunk { login: None, ..tenant_trunk(7, carrier) };
    edge.serve_tenant_trunks(vec![plain(failing.address), plain(answering.address)]);
    let mut leg = edge.dial(DialRequest { tenant: TenantId(7), to: "+447700900001".into(), caller_id: None }).await.unwrap();
    assert_eq!(next_event(&mut leg).await, CallProgress::Ringing, "the second carrier rings");
    assert_eq!(next_event(&mut leg).await, CallProgress::Answered);
    edge.hang_up(leg.id).await.unwrap();
    assert!(failing.finished().await.success() && answering.finished().await.success());
    wait_until_no_calls(&edge).await;

    let busy = Sipp::carrier(&sipp, "busy.xml", 1, &[]).await;
    let spare = Sipp::carrier(&sipp, "answered.xml", 1, &["-timeout", "3s"]).await;
    edge.serve_tenant_trunks(vec![plain(busy.address), plain(spare.address)]);
    let mut leg = edge.dial(DialRequest { tenant: TenantId(7), to: "+447700900001".into(), caller_id: None }).await.unwrap();
    assert_eq!(events_until_end(&mut leg).await, vec![CallProgress::Failed(CallFailure::Busy)], "a busy line is the answer");
    assert!(busy.finished().await.success());
    assert!(!spare.finished().await.success(), "the spare trunk was called for a busy line");
}

/// A trunk that registers: REGISTER answers the carrier's challenge with
/// the trunk's login, and a trunk no longer served unregisters (expires 0);
/// over UDP and over TCP.
#[tokio::test]
async fn a_registering_trunk_registers_with_its_login_and_unregisters_when_removed() {
    let Some(sipp) = peers::sipp() else { return };
    for transport in [SignallingTransport::Udp, SignallingTransport::Tcp] {
        registers_over(&sipp, transport).await;
    }
}

async fn registers_over(sipp: &std::path::PathBuf, transport: SignallingTransport) {
    let registrar = match transport {
        SignallingTransport::Udp => Sipp::carrier(sipp, "registrar.xml", 1, &[]).await,
        SignallingTransport::Tcp => Sipp::carrier_over_tcp(sipp, "registrar.xml", 1).await,
        SignallingTransport::Tls => panic!("Debian's SIPp is built without TLS"),
    };
    let edge = edge_for_tenant_trunks().await;
    let mut trunk = TenantTrunk { transport, ..tenant_trunk(7, registrar.address) };
    if let Some(login) = trunk.login.as_mut() {
        login.register = true;
    }
    let mut reports = edge.registration_reports().expect("the reports' receiver");
    edge.serve_tenant_trunks(vec![trunk]);
    let report = tokio::time::timeout(EVENT_LIMIT, reports.recv()).await.expect("a report in time").unwrap();
    assert_eq!(report, RegistrationReport { trunk: 7, outcome: RegistrationOutcome::Registered });
    edge.serve_tenant_trunks(Vec::new());
    assert!(registrar.finished().await.success(), "{transport:?}: the registrar saw no login, a wrong one, or no unregistration");
}

#[tokio::test]
async fn a_call_on_a_tenants_trunk_says_whose_and_a_removed_trunk_is_a_stranger() {
    let Some(sipp) = peers::sipp() else { return };
    let edge = edge_for_tenant_trunks().await;
    edge.serve_tenant_trunks(vec![tenant_trunk(7, "127.0.0.1:9".parse().unwrap())]);
    let mut incoming = edge.incoming().unwrap();
    let caller = Sipp::caller(&sipp, "caller.xml", edge.local_addr(), "+442079460990");
    let mut call = tokio::time::timeout(EVENT_LIMIT, incoming.recv()).await.expect("a call in time").unwrap();
    assert_eq!(call.trunk, TrunkOwner::Tenants(vec![TenantId(7)]));
    call.admission.send(Admission::Take).unwrap();
    let ended = tokio::time::timeout(EVENT_LIMIT, call.progress.recv()).await.expect("the caller hangs up in time");
    assert_eq!(ended, Some(CallProgress::RemoteHangUp));
    assert!(caller.finished().await.success());
    wait_until_no_calls(&edge).await;

    edge.serve_tenant_trunks(Vec::new());
    let stranger = Sipp::caller(&sipp, "stranger.xml", edge.local_addr(), "+442079460990");
    assert!(stranger.finished().await.success(), "a removed trunk's address did not get 403");
    assert!(incoming.try_recv().is_err(), "a removed trunk's call reached the switchboard");
}

/// A trunk that signals over TCP: the edge connects to the carrier and the
/// call rings, is answered and hung up over that connection; a carrier's
/// call over TCP is answered on its own connection, and a stranger's is
/// refused there as over UDP.
#[tokio::test]
async fn a_trunk_over_tcp_carries_calls_both_ways() {
    let Some(sipp) = peers::sipp() else { return };
    let carrier = Sipp::carrier_over_tcp(&sipp, "answered.xml", 1).await;
    let edge = edge_for_tenant_trunks().await;
    let over_tcp = TenantTrunk { login: None, transport: SignallingTransport::Tcp, ..tenant_trunk(7, carrier.address) };
    edge.serve_tenant_trunks(vec![over_tcp]);
    let mut leg = edge.dial(DialRequest { tenant: TenantId(7), to: "+447700900001".into(), caller_id: None }).await.unwrap();
    assert_eq!(next_event(&mut leg).await, CallProgress::Ringing);
    assert_eq!(next_event(&mut leg).await, CallProgress::Answered);
    edge.hang_up(leg.id).await.unwrap();
    assert!(carrier.finished().await.success(), "the carrier did not see the call through over TCP");
    wait_until_no_calls(&edge).await;

    let mut incoming = edge.incoming().unwrap();
    let caller = Sipp::caller_over_tcp(&sipp, "caller.xml", edge.local_addr(), "+442079460990");
    let mut call = tokio::time::timeout(EVENT_LIMIT, incoming.recv()).await.expect("a call over TCP in time").unwrap();
    assert_eq!(call.trunk, TrunkOwner::Tenants(vec![TenantId(7)]));
    call.admission.send(Admission::Take).unwrap();
    let ended = tokio::time::timeout(EVENT_LIMIT, call.progress.recv()).await.expect("the caller hangs up in time");
    assert_eq!(ended, Some(CallProgress::RemoteHangUp));
    assert!(caller.finished().await.success(), "the caller over TCP was not answered, or its BYE was not");
    wait_until_no_calls(&edge).await;

    edge.serve_tenant_trunks(Vec::new());
    let stranger = Sipp::caller_over_tcp(&sipp, "stranger.xml", edge.local_addr(), "+442079460990");
    assert!(stranger.finished().await.success(), "a stranger over TCP did not get 403");
    assert!(incoming.try_recv().is_err(), "a stranger's call over TCP reached the switchboard");
}

/// The installation's own carrier over TCP, named by `--sip-trunk` and
/// `--sip-trunk-transport tcp`: a tenant without a trunk of its own calls
/// through it, and the call rings, is answered and hung up over TCP.
#[tokio::test]
async fn the_installations_carrier_over_tcp_carries_calls() {
    let Some(sipp) = peers::sipp() else { return };
    let carrier = Sipp::carrier_over_tcp(&sipp, "answered.xml", 1).await;
    let mut settings = edge_settings(None, vec![LOOPBACK]);
    settings.trunk.proxy = Some(TrunkProxy { transport: SignallingTransport::Tcp, ..carrier.address.into() });
    let edge = SipTelephony::start(settings).await.unwrap();
    let mut leg = edge.dial(DialRequest { tenant: TenantId(3), to: "+447700900001".into(), caller_id: None }).await.unwrap();
    assert_eq!(next_event(&mut leg).await, CallProgress::Ringing);
    assert_eq!(next_event(&mut leg).await, CallProgress::Answered);
    edge.hang_up(leg.id).await.unwrap();
    assert!(carrier.finished().await.success(), "the carrier did not see the call through over TCP");
}

#[tokio::test]
async fn a_call_from_the_trunk_reaches_the_switchboard_with_its_numbers() {
    let Some(sipp) = peers::sipp() else { return };
    let edge = edge("127.0.0.1:9".parse().unwrap(), vec![LOOPBACK], Duration::from_secs(10)).await;
    let mut incoming = edge.incoming().expect("the switchboard's receiver");
    assert!(edge.incoming().is_none(), "the receiver is handed out once");
    let caller = Sipp::caller(&sipp, "caller.xml", edge.local_addr(), "+442079460990");
    let mut call = tokio::time::timeout(EVENT_LIMIT, incoming.recv()).await.expect("a call in time").unwrap();
    call.admission.send(Admission::Take).unwrap();
    assert_eq!(call.to, "+442079460990");
    assert_eq!(call.from.as_deref(), Some("+447700900123"));
    assert_eq!(call.trunk, TrunkOwner::Installation, "the installation's trunk may ring any tenant's numbers");
    let ended = tokio::time::timeout(EVENT_LIMIT, call.progress.recv()).await.expect("the caller hangs up in time");
    assert_eq!(ended, Some(CallProgress::RemoteHangUp));
    assert!(caller.finished().await.success(), "the caller was not answered with PCMA, or its BYE was not");
    wait_until_no_calls(&edge).await;
}

/// A call the switchboard refuses is never answered: the caller hears
/// 404 for a number no queue answers, 480 for a closed queue.
#[tokio::test]
async fn a_call_the_switchboard_refuses_is_never_answered() {
    let Some(sipp) = peers::sipp() else { return };
    let edge = edge("127.0.0.1:9".parse().unwrap(), vec![LOOPBACK], Duration::from_secs(10)).await;
    let mut incoming = edge.incoming().unwrap();
    for (refusal, scenario) in [(Admission::NoSuchNumber, "caller_not_found.xml"), (Admission::Closed, "caller_closed.xml")] {
        let caller = Sipp::caller(&sipp, scenario, edge.local_addr(), "+442079460990");
        let mut call = tokio::time::timeout(EVENT_LIMIT, incoming.recv()).await.expect("a call in time").unwrap();
        call.admission.send(refusal).unwrap();
        assert!(caller.finished().await.success(), "{refusal:?}: the caller was answered, or not told why");
        let said = tokio::time::timeout(EVENT_LIMIT, call.progress.recv()).await.expect("the call ends in time");
        assert!(matches!(said, None | Some(CallProgress::RemoteHangUp)), "{said:?}");
    }
    wait_until_no_calls(&edge).await;
}

/// A caller who hangs up while the call rings, before the switchboard
/// decides, is reported gone and the call let go.
#[tokio::test]
async fn a_caller_who_gives_up_while_it_rings_is_reported_gone() {
    let Some(sipp) = peers::sipp() else { return };
    let edge = edge("127.0.0.1:9".parse().unwrap(), vec![LOOPBACK], Duration::from_secs(10)).await;
    let mut incoming = edge.incoming().unwrap();
    let caller = Sipp::caller(&sipp, "caller_gives_up.xml", edge.local_addr(), "+442079460990");
    let mut call = tokio::time::timeout(EVENT_LIMIT, incoming.recv()).await.expect("a call in time").unwrap();
    // The switchboard has not decided when the caller leaves.
    let said = tokio::time::timeout(EVENT_LIMIT, call.progress.recv()).await.expect("the caller's leaving in time");
    assert_eq!(said, Some(CallProgress::RemoteHangUp));
    assert!(caller.finished().await.success(), "the CANCEL was not answered with 200 and 487");
    assert!(call.admission.send(Admission::Take).is_err(), "a decision after the caller left reaches nobody");
    wait_until_no_calls(&edge).await;
}

#[tokio::test]
async fn a_call_from_an_address_that_is_no_trunk_gets_403_and_no_dialog() {
    let Some(sipp) = peers::sipp() else { return };
    let elsewhere: IpAddr = "192.0.2.10".parse().unwrap();
    let edge = edge("192.0.2.10:5060".parse().unwrap(), vec![elsewhere], Duration::from_secs(10)).await;
    let mut incoming = edge.incoming().unwrap();
    let caller = Sipp::caller(&sipp, "stranger.xml", edge.local_addr(), "+442079460990");
    assert!(caller.finished().await.success(), "the stranger did not get 403");
    assert!(incoming.try_recv().is_err(), "a stranger's call reached the switchboard");
    assert_eq!(edge.calls_in_progress(), 0);
}

/// SIP over UDP is read 8 KiB at a time: a larger datagram, even from the
/// trunk, is dropped unread, and the edge answers the next one.
#[tokio::test]
async fn an_oversized_message_is_dropped_and_the_edge_keeps_answering() {
    let edge = edge("127.0.0.1:9".parse().unwrap(), vec![LOOPBACK], Duration::from_secs(10)).await;
    let address = edge.local_addr();
    assert_eq!(padded_options(address, LOOPBACK, 1, 7_000).await, ["SIP/2.0 200 OK"], "7 KB is within the limit");
    assert!(padded_options(address, LOOPBACK, 1, 9_000).await.is_empty(), "9 KB was read");
    assert_eq!(options_flood(address, LOOPBACK, 1).await, ["SIP/2.0 200 OK"]);
    assert_eq!(edge.calls_in_progress(), 0);
}

/// A trunk set to SRTP offers an SDES key (SIPp checks the offer); a
/// carrier answering in clear is hung up on and the call fails as the
/// carrier's fault, so no audio goes out unencrypted.
#[tokio::test]
async fn an_answer_in_clear_to_an_srtp_offer_ends_the_call() {
    let Some(sipp) = peers::sipp() else { return };
    let carrier = Sipp::carrier(&sipp, "answered_in_clear.xml", 1, &[]).await;
    let edge = edge_for_tenant_trunks().await;
    edge.serve_tenant_trunks(vec![TenantTrunk { login: None, srtp: true, ..tenant_trunk(7, carrier.address) }]);
    let mut leg = edge.dial(DialRequest { tenant: TenantId(7), to: "+447700900001".into(), caller_id: None }).await.unwrap();
    assert_eq!(next_event(&mut leg).await, CallProgress::Ringing);
    assert_eq!(next_event(&mut leg).await, CallProgress::Failed(CallFailure::CarrierFailure));
    assert!(carrier.finished().await.success(), "the carrier saw no SRTP offer, or no BYE");
    wait_until_no_calls(&edge).await;
}

/// A carrier that names, for the rest of a call, an address no call may
/// signal to (another loopback address, under the strict rule, that is not
/// the installation's carrier) is sent nothing there: an answer naming it
/// ends the call as the carrier's fault without an ACK or BYE to it, and a
/// call in naming it gets 403 and reaches no switchboard.
#[tokio::test]
async fn nothing_is_sent_where_a_carrier_names_an_address_no_call_may_go() {
    let Some(sipp) = peers::sipp() else { return };
    let elsewhere = tokio::net::UdpSocket::bind("127.0.0.2:0").await.unwrap();
    let target = elsewhere.local_addr().unwrap().to_string();
    let carrier = Sipp::carrier(&sipp, "answers_naming_elsewhere.xml", 1, &["-key", "elsewhere", &target]).await;
    let edge = edge(carrier.address, vec![LOOPBACK], Duration::from_secs(10)).await;
    let mut leg = edge.dial(call_to("+447700900001")).await.unwrap();
    assert_eq!(next_event(&mut leg).await, CallProgress::Ringing);
    assert_eq!(next_event(&mut leg).await, CallProgress::Failed(CallFailure::CarrierFailure));
    assert!(carrier.finished().await.success());
    wait_until_no_calls(&edge).await;

    let mut incoming = edge.incoming().unwrap();
    let caller =
        Sipp::caller_with(&sipp, "caller_naming_elsewhere.xml", edge.local_addr(), "+442079460990", &["-key", "elsewhere", &target]);
    assert!(caller.finished().await.success(), "a call in naming a refused address did not get 403");
    assert!(incoming.try_recv().is_err(), "it reached the switchboard");
    let mut buffer = [0u8; 2048];
    let heard = tokio::time::timeout(Duration::from_millis(500), elsewhere.recv_from(&mut buffer)).await;
    assert!(
        heard.is_err(),
        "the edge sent SIP to the refused address: {:?}",
        heard.map(|r| r.map(|(n, _)| String::from_utf8_lossy(&buffer[..n]).into_owned()))
    );
}
