//! The SIP endpoint itself: one port for UDP and TCP (and a TLS port when
//! the installation has a certificate), the transaction and dialog
//! layers of the SIP stack, and the loop that hands each request that
//! starts no transaction of ours to the right place.

use crate::call_table::{Call, CallTable};
use crate::connection_door::{ConnectionDoor, Doorkeeper};
use crate::desk_line::Desks;
use crate::desk_registrar::DeskRegistrar;
use crate::edge_settings::EdgeSettings;
use crate::error::EdgeError;
use crate::inbound_call;
use crate::media_counters::MediaCounters;
use crate::media_port::MediaPort;
use crate::signalling_targets::{NamesUnderTheRule, TargetsUnderTheRule};
use crate::stranger_throttle::StrangerThrottle;
use crate::trunk_directory::{TrunkDirectory, transport_param};
use crate::trunk_registration::{RegistrationReport, Registrations};
use rsipstack::EndpointBuilder;
use rsipstack::dialog::dialog::Dialog;
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::sip::{HeadersExt, Host, Method, StatusCode, Uri};
use rsipstack::transaction::TransactionReceiver;
use rsipstack::transaction::endpoint::EndpointOption;
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::TransportLayer;
use rsipstack::transport::connection::SipConnection;
use rsipstack::transport::tcp_listener::TcpListenerConnection;
use rsipstack::transport::udp::UdpConnection;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use trustline_domain::trunks::SignallingTransport;
use trustline_softphone::{SoftphoneSettings, Softphones};
use trustline_telephony::{IncomingCall, LegId};

/// What every call of the edge shares.
pub(crate) struct Edge {
    pub layer: Arc<DialogLayer>,
    pub settings: EdgeSettings,
    /// The address SIP actually listens on (the port chosen when 0 was asked).
    pub local: SocketAddr,
    /// The address SIP headers name: the public one behind NAT, else `local`.
    pub advertised: SocketAddr,
    /// Where the search for a free RTP port in the configured range starts.
    next_rtp_port: AtomicU32,
    /// Where the carrier reaches this side, over UDP, TCP and TLS.
    contact: Uri,
    tcp_contact: Uri,
    tls_contact: Option<Uri>,
    /// The TLS port's address, when there is one.
    pub tls_local: Option<SocketAddr>,
    pub calls: CallTable,
    pub desks: Desks,
    /// Agents' desk phones and where each is registered.
    pub desk_phones: Arc<DeskRegistrar>,
    pub trunks: Arc<TrunkDirectory>,
    pub registrations: Registrations,
    /// What every call's audio did.
    pub media_counters: Arc<MediaCounters>,
    /// Agents' softphones, when the edge serves them.
    pub softphones: Option<Softphones>,
    /// Cancelled when the edge stops; every call's audio stops with it.
    pub stop: CancellationToken,
}

/// How many ports are tried when any will do, for one free for both UDP and TCP.
const PORT_TRIES: usize = 20;

/// The SIP port: UDP and TCP (for trunks that signal over it) on one
/// address and port number; with port 0, a port free for both. TCP is bound
/// once here so a port already taken is an error now, not a log line later.
async fn bind_signalling(
    listen: SocketAddr,
    external: Option<SocketAddr>,
    stop: &CancellationToken,
) -> Result<(UdpConnection, ConnectionDoor, TcpListenerConnection, SocketAddr), EdgeError> {
    let tries = if listen.port() == 0 { PORT_TRIES } else { 1 };
    let mut why = EdgeError::Listen { address: listen, why: "no port was free for both UDP and TCP".into() };
    for _ in 0..tries {
        let udp = UdpConnection::create_connection(listen, external, Some(stop.child_token()))
            .await
            .map_err(|e| EdgeError::Listen { address: listen, why: e.to_string() })?;
        let port = udp.get_addr().get_socketaddr().map_err(|e| EdgeError::Stack(e.to_string()))?.port();
        let local = SocketAddr::new(listen.ip(), port);
        match ConnectionDoor::tcp(local, external.unwrap_or(local)).await {
            Ok((door, naming)) => return Ok((udp, door, naming, local)),
            Err(EdgeError::Listen { address, why: e }) => why = EdgeError::Listen { address, why: format!("TCP: {e}") },
            Err(other) => return Err(other),
        }
    }
    Err(why)
}

impl Edge {
    /// Starts the endpoint; calls coming in from the trunk go to
    /// `switchboard`. Everything stops when `stop` is cancelled.
    pub async fn start(
        settings: EdgeSettings,
        stop: CancellationToken,
        switchboard: mpsc::Sender<IncomingCall>,
        registration_reports: mpsc::Sender<RegistrationReport>,
    ) -> Result<Arc<Self>, EdgeError> {
        let listen = settings.listen;
        let trunks = Arc::new(TrunkDirectory::new(settings.trunk.clone(), settings.tenant_trunk_destinations, settings.tls.is_some()));
        let transport = TransportLayer::new_with_domain_resolver(stop.child_token(), Box::new(NamesUnderTheRule(trunks.clone())));
        let external = match settings.public_ip {
            Some(_) if listen.port() == 0 => return Err(EdgeError::PublicNeedsPort),
            Some(ip) => Some(SocketAddr::new(ip, listen.port())),
            None => None,
        };
        let (udp, tcp_door, tcp_naming, local) = bind_signalling(listen, external, &stop).await?;
        let advertised = external.unwrap_or(local);
        transport.add_transport(udp.into());
        transport.add_transport(tcp_naming.into());
        let tls_door = match &settings.tls {
            Some(tls) => {
                tls.check()?;
                let (door, naming) = ConnectionDoor::tls(tls, listen.ip(), settings.public_ip).await?;
                transport.set_tls_config(tls.stack_config());
                transport.add_transport(naming.into());
                Some(door)
            }
            None => None,
        };
        let tls_local = tls_door.as_ref().and_then(ConnectionDoor::local_addr);
        let option = EndpointOption { t1: settings.t1, t1x64: settings.t1 * 64, ..EndpointOption::default() };
        let desk_phones = Arc::new(DeskRegistrar::default());
        let endpoint = EndpointBuilder::new()
            .with_cancel_token(stop.clone())
            .with_transport_layer(transport)
            .with_transport_inspector(Box::new(StrangerThrottle::new(trunks.clone(), desk_phones.clone())))
            .with_target_locator(Box::new(TargetsUnderTheRule(trunks.clone())))
            .with_user_agent("Trustline")
            .with_option(option)
            .build();
        let softphones = match settings.softphones {
            Some(place) => {
                let listen = SocketAddr::new(settings.media_ip, place.port);
                let softphone_settings = SoftphoneSettings { listen, announced: settings.public_ip, max_desks: place.max_desks };
                Some(Softphones::start(softphone_settings).await.map_err(|e| EdgeError::Listen { address: listen, why: e.to_string() })?)
            }
            None => None,
        };
        let requests = endpoint.incoming_transactions().map_err(|e| EdgeError::Stack(e.to_string()))?;
        let layer = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let keeper = Doorkeeper::new(trunks.clone(), desk_phones.clone());
        tcp_door.open(keeper.clone(), endpoint.inner.clone(), stop.child_token());
        if let Some(door) = tls_door {
            door.open(keeper, endpoint.inner.clone(), stop.child_token());
        }
        let contact_over = |transport, at: SocketAddr| {
            Uri::try_from(format!("sip:trustline@{at}{}", transport_param(transport)).as_str()).map_err(|e| EdgeError::Stack(e.to_string()))
        };
        let (contact, tcp_contact) =
            (contact_over(SignallingTransport::Udp, advertised)?, contact_over(SignallingTransport::Tcp, advertised)?);
        let tls_contact = tls_local
            .map(|tls_local| contact_over(SignallingTransport::Tls, SocketAddr::new(advertised.ip(), tls_local.port())))
            .transpose()?;
        let edge = Arc::new(Self {
            layer,
            settings,
            local,
            advertised,
            next_rtp_port: AtomicU32::new(0),
            contact,
            tcp_contact,
            tls_contact,
            tls_local,
            calls: CallTable::default(),
            desks: Desks::default(),
            desk_phones,
            trunks,
            registrations: Registrations::new(registration_reports),
            softphones,
            media_counters: Arc::default(),
            stop: stop.clone(),
        });
        tokio::spawn(async move { endpoint.serve().await });
        tokio::spawn(answer_requests(edge.clone(), requests, switchboard));
        Ok(edge)
    }

    /// The Contact of a dialog whose SIP travels over `transport`. No
    /// dialog travels over TLS without a TLS port: the trunk directory
    /// sends no call over it, and nothing arrives on it.
    pub fn contact_for(&self, transport: SignallingTransport) -> Uri {
        match (transport, &self.tls_contact) {
            (SignallingTransport::Tls, Some(contact)) => contact.clone(),
            (SignallingTransport::Tcp, _) => self.tcp_contact.clone(),
            _ => self.contact.clone(),
        }
    }

    /// A Call-ID for a call this side places: random, at this side's
    /// address (the stack's default names its own domain).
    pub fn new_call_id(&self) -> String {
        format!("{:032x}@{}", rand::random::<u128>(), self.advertised.ip())
    }

    /// A new call's audio port, for a peer signalling from `peer`, offering
    /// SRTP if `offers_srtp`, stopping with the edge at the latest.
    pub async fn open_media(&self, peer: IpAddr, offers_srtp: bool) -> std::io::Result<(Arc<MediaPort>, CancellationToken)> {
        let socket = self.rtp_socket().await?;
        let announced = self.settings.public_ip.unwrap_or(self.settings.media_ip);
        let over = self.stop.child_token();
        let media = MediaPort::open(socket, peer, announced, offers_srtp, self.media_counters.clone(), over.clone())?;
        Ok((media, over))
    }

    /// A UDP socket for a call's audio: the next free port of the
    /// configured range (searched from where the last search stopped), or
    /// any free port.
    async fn rtp_socket(&self) -> std::io::Result<UdpSocket> {
        let ip = self.settings.media_ip;
        let Some(range) = self.settings.rtp_ports.clone() else {
            return UdpSocket::bind(SocketAddr::new(ip, 0)).await;
        };
        let (first, size) = (u32::from(*range.start()), u32::from(*range.end()).saturating_sub(u32::from(*range.start())) + 1);
        for _ in 0..size {
            let offset = self.next_rtp_port.fetch_add(1, Ordering::Relaxed) % size;
            let port = u16::try_from(first + offset).unwrap_or(u16::MAX);
            if let Ok(socket) = UdpSocket::bind(SocketAddr::new(ip, port)).await {
                return Ok(socket);
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            format!("every RTP port from {} to {} is in use", range.start(), range.end()),
        ))
    }

    /// Forgets a call that is over and stops its audio.
    pub fn forget(&self, id: LegId, call: &Call) {
        self.calls.remove(id);
        self.layer.remove_dialog(&call.dialog.id());
        call.over.cancel();
    }
}

/// Requests that open no transaction of ours: in-dialog requests go to
/// their dialog, INVITEs become calls (from the trunk only), OPTIONS are
/// answered, anything else is refused.
async fn answer_requests(edge: Arc<Edge>, mut requests: TransactionReceiver, switchboard: mpsc::Sender<IncomingCall>) {
    while let Some(mut tx) = requests.recv().await {
        if let Some(Dialog::Invite(mut dialog)) = edge.layer.match_dialog(&tx) {
            tokio::spawn(async move {
                if let Err(error) = dialog.handle(&mut tx).await {
                    tracing::debug!(%error, "an in-dialog request failed");
                }
            });
            continue;
        }
        let owner = source_ip(&tx).and_then(|ip| edge.trunks.owner_of(ip));
        let answer = match (tx.original.method, owner) {
            (Method::Ack, _) => continue,
            // A desk phone (from anywhere, a trunk's network too) or anyone:
            // challenged alike, refused alike.
            (Method::Register, _) => {
                let edge = edge.clone();
                tokio::spawn(async move {
                    if !edge.desk_phones.answer(&mut tx).await
                        && let Err(error) = tx.reply(StatusCode::Forbidden).await
                    {
                        tracing::debug!(%error, "a SIP answer could not be sent");
                    }
                });
                continue;
            }
            // Nothing is said to anyone but a carrier, so nothing can be learnt.
            (_, None) => StatusCode::Forbidden,
            (Method::Invite, Some(owner)) => {
                tokio::spawn(inbound_call::admit(edge.clone(), tx, owner, switchboard.clone()));
                continue;
            }
            (Method::Options, _) => StatusCode::OK,
            (Method::Bye | Method::Cancel, _) => StatusCode::CallTransactionDoesNotExist,
            _ => StatusCode::MethodNotAllowed,
        };
        tokio::spawn(async move {
            if let Err(error) = tx.reply(answer).await {
                tracing::debug!(%error, "a SIP answer could not be sent");
            }
        });
    }
}

/// How a request travelled: the transport its top Via names (what the
/// transport layer received it on). Anything but TCP or TLS is answered as UDP.
pub(crate) fn signalling_of(tx: &Transaction) -> SignallingTransport {
    let transport =
        tx.original.via_header().ok().and_then(|via| rsipstack::sip::headers::ToTypedHeader::typed(via).ok()).map(|via| via.transport);
    match transport {
        Some(rsipstack::sip::Transport::Tcp) => SignallingTransport::Tcp,
        Some(rsipstack::sip::Transport::Tls) => SignallingTransport::Tls,
        _ => SignallingTransport::Udp,
    }
}

/// The address a request really came from: the top Via as the transport
/// layer corrected it (`received`, RFC 3261 §18.2.1), so a forged Via host
/// does not pass for the carrier's.
pub(crate) fn source_ip(tx: &Transaction) -> Option<IpAddr> {
    let via = tx.original.via_header().ok()?;
    let (_, target) = SipConnection::parse_target_from_via(via).ok()?;
    match target.host {
        Host::IpAddr(ip) => Some(ip),
        Host::Domain(_) => None,
    }
}
