//! A real SIP phone (baresip) calls in through the edge and is bridged to
//! a call placed to the carrier (SIPp, or baresip over TLS): each side
//! hears the other's tone, measured on what baresip recorded and on what
//! reached the carrier.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod peers;
mod test_authority;

use peers::far_audio::{samples_ratio, tone_ratio};
use peers::{BaresipPhone, FarAudio, KamailioRegistrar, Sipp, edge_settings};
use rustls_pki_types::pem::PemObject as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use test_authority::TestAuthority;
use trustline_domain::TenantId;
use trustline_domain::destination::DestinationPolicy;
use trustline_domain::trunks::SignallingTransport;
use trustline_sip::{RegistrationOutcome, RegistrationReport, SignallingTls, SipTelephony, TenantTrunk, TrunkLogin};
use trustline_telephony::{Admission, CallFailure, CallProgress, DialRequest, Party, Settlement, Telephony};
use zeroize::Zeroizing;

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

/// An edge with a certificate from `authority` that trusts `carriers` for
/// carriers' certificates, and takes calls from loopback.
async fn edge_over_tls(authority: &TestAuthority, carriers: &TestAuthority) -> SipTelephony {
    let identity = authority.issue(&["localhost", "127.0.0.1"]);
    let mut settings = edge_settings(None, vec![LOOPBACK]);
    settings.tenant_trunk_destinations = DestinationPolicy { allow_private: true };
    settings.tls = Some(SignallingTls {
        port: 0,
        certificate: identity.certificate.into_bytes(),
        key: Zeroizing::new(identity.key.into_bytes()),
        carrier_authorities: carriers.pem.clone().into_bytes(),
    });
    SipTelephony::start(settings).await.expect("the edge starts with TLS")
}

fn trunk_over_tls(host: &str, carrier: SocketAddr) -> TenantTrunk {
    TenantTrunk {
        id: 7,
        tenant: TenantId(7),
        host: host.into(),
        port: carrier.port(),
        transport: SignallingTransport::Tls,
        sources: Vec::new(),
        caller_id: Some("+442079460777".into()),
        login: None,
        srtp: true,
    }
}

/// The carrier (baresip) listens for TLS with a certificate for
/// `localhost` only, and takes SRTP only. The edge refuses it where its
/// certificate does not name the trunk's host or chains to no authority the
/// edge trusts: the call fails as the carrier's fault, and nothing is said
/// in clear. Where it does, the call goes out over TLS with SRTP, a phone
/// calls in over TLS offering SRTP only, and the two bridged hear each
/// other's tones: each direction of each leg is encrypted and
/// authenticated, or baresip would have dropped it.
#[tokio::test]
async fn a_trunk_over_tls_checks_the_carriers_certificate_and_carries_srtp_calls_both_ways() {
    let Some(baresip) = peers::baresip() else { return };
    let (installation, carriers, stranger) =
        (TestAuthority::new("Edge CA"), TestAuthority::new("Carrier CA"), TestAuthority::new("Other CA"));
    let (carrier, carrier_tls) = BaresipPhone::answer_over_tls(&baresip, &carriers.issue(&["localhost"]), "+447700900001", 600.0, 14).await;
    let call = || DialRequest { tenant: TenantId(7), to: "+447700900001".into(), caller_id: None };

    let distrustful = edge_over_tls(&installation, &stranger).await;
    distrustful.serve_tenant_trunks(vec![trunk_over_tls("localhost", carrier_tls)]);
    let mut untrusted = distrustful.dial(call()).await.unwrap();
    let settled = tokio::time::timeout(LIMIT, untrusted.settled()).await.expect("an untrusted carrier fails the call in time");
    assert_eq!(settled, Settlement::Failed(CallFailure::CarrierFailure), "a certificate from an unknown authority");

    let edge = edge_over_tls(&installation, &carriers).await;
    edge.serve_tenant_trunks(vec![trunk_over_tls("127.0.0.1", carrier_tls)]);
    let mut misnamed = edge.dial(call()).await.unwrap();
    let settled = tokio::time::timeout(LIMIT, misnamed.settled()).await.expect("a misnamed carrier fails the call in time");
    assert_eq!(settled, Settlement::Failed(CallFailure::CarrierFailure), "a certificate that does not name 127.0.0.1");

    edge.serve_tenant_trunks(vec![trunk_over_tls("localhost", carrier_tls)]);
    let mut called = edge.dial(call()).await.unwrap();
    assert_eq!(tokio::time::timeout(LIMIT, called.settled()).await.unwrap(), Settlement::Answered);
    let mut incoming = edge.incoming().unwrap();
    let edge_tls = edge.tls_addr().expect("the edge listens for TLS");
    let phone = BaresipPhone::call_over_tls(&baresip, edge_tls, &installation.pem, "+442079460990", 1000.0, 6);
    let mut caller = tokio::time::timeout(LIMIT, incoming.recv()).await.expect("the phone's call over TLS arrives").unwrap();
    caller.admission.send(Admission::Take).unwrap();
    edge.bridge(caller.id, Party::Leg(called.id)).await.unwrap();

    let ended = tokio::time::timeout(LIMIT, caller.progress.recv()).await.expect("the phone hangs up");
    assert_eq!(ended, Some(CallProgress::RemoteHangUp));
    edge.hang_up(called.id).await.unwrap();
    let (phone_heard, carrier_heard) = (phone.heard().await, carrier.heard().await);
    assert!(samples_ratio(&phone_heard, 600.0, &[1000.0]) > 10.0, "the phone hears the carrier over TLS");
    assert!(samples_ratio(&carrier_heard, 1000.0, &[600.0]) > 10.0, "the carrier over TLS hears the phone");
}

/// The installation's side of a desk phone signing in, as the edge sees
/// it: one login, its answer checked for real, every attempt counted.
struct OneLogin {
    secrets: trustline_crypto::DigestSecrets,
    attempts: std::sync::Mutex<Vec<(bool, bool)>>,
}

#[async_trait::async_trait]
impl trustline_sip::DeskPhoneGate for OneLogin {
    fn realm(&self) -> &str {
        "trustline"
    }

    async fn sign_in(&self, attempt: trustline_sip::PhoneAttempt) -> Option<trustline_sip::PhoneHolder> {
        let proved = attempt.username == "dphone" && attempt.answer.proves(&self.secrets);
        self.attempts.lock().unwrap().push((proved, attempt.over_tls));
        (proved && attempt.over_tls).then_some(trustline_sip::PhoneHolder { tenant: TenantId(1), user: trustline_domain::UserId(7) })
    }
}

/// A desk phone (baresip) registers over TLS: challenged, it answers with
/// its login's digest, and the edge keeps where it is; with the wrong
/// password it is refused and nothing is kept. Rung when the agent starts
/// work, it answers and is their desk: a caller bridged to the desk and the
/// phone hear each other. When the phone hangs up, the edge says so.
#[tokio::test]
async fn a_desk_phone_registers_over_tls_and_is_the_agents_desk() {
    let Some(baresip) = peers::baresip() else { return };
    let (installation, carriers) = (TestAuthority::new("Edge CA"), TestAuthority::new("Carrier CA"));
    let edge = edge_over_tls(&installation, &carriers).await;
    let gate = Arc::new(OneLogin {
        secrets: trustline_crypto::DigestSecrets::new("dphone", "trustline", "right-pass"),
        attempts: Default::default(),
    });
    edge.serve_desk_phones(gate.clone());
    let edge_tls = edge.tls_addr().unwrap();
    let agent = trustline_domain::UserId(7);

    let wrong = BaresipPhone::register_over_tls(&baresip, edge_tls, &installation.pem, ("dphone", "wrong-pass"), 1000.0, 3);
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(wrong);
    assert!(edge.desk_phone_of(agent).is_none(), "a wrong password registered");
    assert!(gate.attempts.lock().unwrap().contains(&(false, true)), "the wrong answer reached the installation over TLS");

    let phone = BaresipPhone::register_over_tls(&baresip, edge_tls, &installation.pem, ("dphone", "right-pass"), 600.0, 16);
    let mut binding = None;
    for _ in 0..40 {
        binding = edge.desk_phone_of(agent);
        if binding.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let binding = binding.unwrap_or_else(|| panic!("the phone did not register over TLS: {:?}", gate.attempts.lock().unwrap()));
    assert_eq!((binding.tenant, binding.username.as_str()), (TenantId(1), "dphone"));
    assert!(binding.contact.to_string().to_ascii_lowercase().contains("transport=tls"), "{}", binding.contact);

    // Starting work rings the phone, which answers; a caller bridged to the
    // desk and the agent on the phone hear each other, in SRTP to the phone.
    let mut put_down = edge.ring_desk_phone(TenantId(1), agent).await.expect("the desk phone answers");
    let Some(sipp) = peers::sipp() else { return };
    let mut incoming = edge.incoming().unwrap();
    let caller = Sipp::caller(&sipp, "caller_stays.xml", edge.local_addr(), "+442079460990");
    let call = tokio::time::timeout(LIMIT, incoming.recv()).await.expect("the caller's call arrives").unwrap();
    call.admission.send(Admission::Take).unwrap();
    let mut far = FarAudio::on(&caller.audio);
    let from = far.first_source(Duration::from_secs(5)).await.expect("the caller hears the edge");
    edge.bridge(call.id, Party::Desk { tenant: TenantId(1), agent }).await.unwrap();
    far.drain().await;
    let heard = far.speak(from, 1000.0, 150).await;
    assert!(tone_ratio(&heard, from, 600.0, &[1000.0]) > 10.0, "the caller hears the agent's desk phone");
    edge.hang_up(call.id).await.unwrap();
    assert!(put_down.try_recv().is_err(), "the phone is still up");
    let phone_heard = phone.heard().await;
    assert!(samples_ratio(&phone_heard, 1000.0, &[600.0]) > 10.0, "the desk phone hears the caller");
    // baresip hung up as it quit: the agent's desk is to be told.
    let told = tokio::time::timeout(LIMIT, put_down).await.expect("the line's end is told");
    assert_eq!(told, Ok(()), "the phone put the line down");
    drop(caller);
}

/// A trunk that registers over TLS with a real registrar (Kamailio, as
/// carriers run it): the edge checks the registrar's certificate for the
/// trunk's host, answers its digest challenge with the trunk's login, and
/// binds a Contact saying TLS. A call the carrier's network sends to the
/// registered login reaches the edge through that binding, for the number
/// in its To header, and is answered there. The trunk gone, it
/// unregisters. A wrong password is refused; a registrar whose certificate
/// chains to no authority the edge trusts is not told the login at all.
#[tokio::test]
async fn a_trunk_registers_over_tls_with_a_real_registrar() {
    let Some(kamailio) = peers::kamailio() else { return };
    let (installation, carriers) = (TestAuthority::new("Edge CA"), TestAuthority::new("Carrier CA"));
    let registrar = KamailioRegistrar::over_tls(&kamailio, &carriers.issue(&["localhost"]), "carrier-pass").await;
    let registering = |id: i64, password: &str| TenantTrunk {
        id,
        login: Some(TrunkLogin { username: format!("acme-{id}"), password: Zeroizing::new(password.into()), register: true }),
        srtp: false,
        sources: vec![LOOPBACK],
        ..trunk_over_tls("localhost", registrar.address)
    };
    let distrustful = edge_over_tls(&installation, &installation).await;
    let mut reports = distrustful.registration_reports().unwrap();
    distrustful.serve_tenant_trunks(vec![registering(41, "carrier-pass")]);
    let refused = next_report(&mut reports).await;
    assert!(matches!(refused.outcome, RegistrationOutcome::Unreachable(_)), "an unknown authority's registrar: {refused:?}");
    assert_eq!(registrar.accepted(), Vec::<String>::new(), "nobody registered with it");
    distrustful.serve_tenant_trunks(Vec::new());

    let edge = edge_over_tls(&installation, &carriers).await;
    let mut reports = edge.registration_reports().unwrap();
    edge.serve_tenant_trunks(vec![registering(42, "not-the-password")]);
    let wrong = next_report(&mut reports).await;
    assert!(matches!(&wrong.outcome, RegistrationOutcome::Refused(_)), "a wrong password: {wrong:?}");
    edge.serve_tenant_trunks(vec![registering(43, "carrier-pass")]);
    let mut registered = next_report(&mut reports).await;
    while registered.trunk != 43 {
        registered = next_report(&mut reports).await;
    }
    assert_eq!(registered.outcome, RegistrationOutcome::Registered);
    let accepted = registrar.accepted();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert!(accepted[0].starts_with("user=acme-43 ") && accepted[0].to_ascii_lowercase().contains("transport=tls"), "{accepted:?}");

    // The carrier's network calls the registered login: the call comes to the edge over the TLS binding.
    let Some(sipp) = peers::sipp() else { return };
    let mut incoming = edge.incoming().unwrap();
    let caller = Sipp::caller_with(&sipp, "caller_via_registrar.xml", registrar.calls, "acme-43", &["-key", "number", "+442079460990"]);
    let call = tokio::time::timeout(LIMIT, incoming.recv()).await.expect("the carrier's call arrives over the binding").unwrap();
    assert_eq!(call.to, "+442079460990", "the number comes from the To header (the Request-URI names the login)");
    call.admission.send(Admission::Take).unwrap();
    assert!(caller.finished().await.success(), "the call through the registrar was not answered and ended");

    edge.serve_tenant_trunks(Vec::new());
    let mut unregistered = Vec::new();
    for _ in 0..100 {
        unregistered = registrar.accepted();
        if unregistered.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(unregistered.get(1).is_some_and(|line| line.contains("expires=0")), "the trunk gone, it unregisters: {unregistered:?}");
}

async fn next_report(reports: &mut tokio::sync::mpsc::Receiver<RegistrationReport>) -> RegistrationReport {
    tokio::time::timeout(LIMIT, reports.recv()).await.expect("a registration report in time").expect("the edge reports")
}

/// Whether the peer closed `stream` within `within` (a read ends, rather
/// than waiting for bytes that never come).
async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt as _;
    matches!(tokio::time::timeout(within, stream.read(&mut [0u8; 1])).await, Ok(Ok(0) | Err(_)))
}

/// A connection to `port` from `source`.
async fn connect_from(source: IpAddr, port: SocketAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source, 0)).unwrap();
    socket.connect(port).await.unwrap()
}

/// On both the TCP and the TLS port: connections that never start (no
/// bytes, no handshake) are closed within seconds; a stranger's address
/// holds at most eight at once (the ninth is closed at once), a trunk's
/// more; a stranger that does speak SIP over TCP is answered on its
/// connection, and a client that speaks TLS finishes its handshake.
#[tokio::test]
async fn connections_that_never_start_are_closed_and_a_stranger_holds_few() {
    let authority = TestAuthority::new("Edge CA");
    let (stranger, trunk) = (LOOPBACK, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    let identity = authority.issue(&["localhost"]);
    let mut settings = edge_settings(None, vec![trunk]);
    settings.tls = Some(SignallingTls {
        port: 0,
        certificate: identity.certificate.into_bytes(),
        key: Zeroizing::new(identity.key.into_bytes()),
        carrier_authorities: authority.pem.clone().into_bytes(),
    });
    let edge = SipTelephony::start(settings).await.expect("the edge starts with TLS");
    for port in [edge.local_addr(), edge.tls_addr().expect("a TLS port")] {
        let mut silent = Vec::new();
        for _ in 0..8 {
            silent.push(connect_from(stranger, port).await);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut ninth = connect_from(stranger, port).await;
        assert!(closed_within(&mut ninth, Duration::from_secs(2)).await, "{port}: one stranger, too many connections: closed at once");
        for _ in 0..12 {
            silent.push(connect_from(trunk, port).await);
        }
        let last = silent.last_mut().unwrap();
        assert!(!closed_within(last, Duration::from_secs(1)).await, "{port}: a trunk's address holds more than a stranger's");
        for stream in &mut silent {
            assert!(closed_within(stream, Duration::from_secs(9)).await, "{port}: a connection that never starts is closed within seconds");
        }
    }

    let mut speaking = connect_from(stranger, edge.local_addr()).await;
    let options = format!(
        "OPTIONS sip:probe@{edge} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-door-1\r\nMax-Forwards: 70\r\n\
         From: <sip:probe@127.0.0.1>;tag=door\r\nTo: <sip:probe@{edge}>\r\nCall-ID: door-1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n",
        edge = edge.local_addr()
    );
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    speaking.write_all(options.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 2048];
    let read = tokio::time::timeout(LIMIT, speaking.read(&mut answer)).await.expect("an answer in time").unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("SIP/2.0 403"), "a stranger speaking SIP over TCP is answered 403: {answer}");

    let mut roots = rustls::RootCertStore::empty();
    for certificate in rustls_pki_types::CertificateDer::pem_slice_iter(authority.pem.as_bytes()) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let stream = connect_from(stranger, edge.tls_addr().unwrap()).await;
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let handshake = tokio::time::timeout(LIMIT, connector.connect(name, stream)).await.expect("the handshake finishes in time");
    assert!(handshake.is_ok(), "a client speaking TLS is let in: {:?}", handshake.err());
}
