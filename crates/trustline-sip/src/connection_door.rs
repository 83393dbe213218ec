//! The doors of the SIP edge's TCP and TLS ports. Connections are accepted
//! here rather than by the SIP stack, which keeps any connection until it
//! has been silent for minutes and waits for a TLS handshake forever: a
//! peer opening connections and saying nothing would hold a socket and its
//! buffers each, until the process had no socket left for its database and
//! HTTP. Here:
//! - a connection must start (its first bytes over TCP, its whole handshake
//!   over TLS) within [`START_WITHIN`], or it is closed;
//! - an address that is neither a trunk's nor one a desk phone is
//!   registered from may hold [`STRANGER_CONNECTIONS`] at once, and all such
//!   addresses together [`STRANGERS_CONNECTIONS`]; an office's address (a
//!   registered desk phone's) [`OFFICE_CONNECTIONS`]; a trunk's is not
//!   limited here. A connection past its room is closed at once.
//!
//! A connection let in is handed to the stack, which serves it like its own
//! and closes it after its idle timeout; its place is given back then.
//!
//! The stack still keeps a listener of each kind, for the address it names
//! in Via headers: it listens on a loopback port nobody is told of and
//! names this door's address (what the stack calls its external address).

use crate::desk_registrar::DeskRegistrar;
use crate::error::EdgeError;
use crate::locks::lock;
use crate::signalling_tls::SignallingTls;
use crate::source_standing::{Standing, standing};
use crate::trunk_directory::TrunkDirectory;
use rsipstack::sip::Transport;
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transport::SipAddr;
use rsipstack::transport::connection::SipConnection;
use rsipstack::transport::tcp::TcpConnection;
use rsipstack::transport::tcp_listener::TcpListenerConnection;
use rsipstack::transport::tls::{ReloadableCertResolver, TlsConnection, TlsListenerConnection};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// A connection that has not started by then is closed.
pub const START_WITHIN: Duration = Duration::from_secs(5);
/// Connections one stranger's address may hold at once.
pub const STRANGER_CONNECTIONS: usize = 8;
/// Connections all strangers together may hold at once.
pub const STRANGERS_CONNECTIONS: usize = 256;
/// Connections an address desk phones are registered from may hold at once.
pub const OFFICE_CONNECTIONS: usize = 1_000;

/// A port's door: its listener, how a connection starts there, and the
/// address SIP names for it.
pub(crate) struct ConnectionDoor {
    listener: TcpListener,
    start: Start,
    named: SipAddr,
}

#[derive(Clone)]
enum Start {
    /// The first bytes of a SIP message.
    FirstBytes,
    /// A TLS handshake with the edge's certificate.
    Handshake(TlsAcceptor),
}

impl ConnectionDoor {
    /// The TCP port at `local`, named `named` in SIP, and the stack's
    /// listener that only names it.
    pub(crate) async fn tcp(local: SocketAddr, named: SocketAddr) -> Result<(Self, TcpListenerConnection), EdgeError> {
        let listener = bound(local).await?;
        let naming = TcpListenerConnection::new(hidden_port(local), Some(named))
            .await
            .map_err(|e| EdgeError::Listen { address: local, why: e.to_string() })?;
        let named = SipAddr { r#type: Some(Transport::Tcp), addr: named.into() };
        Ok((Self { listener, start: Start::FirstBytes, named }, naming))
    }

    /// The TLS port on `ip` (named `public` in SIP behind NAT), and the
    /// stack's listener that only names it.
    pub(crate) async fn tls(tls: &SignallingTls, ip: IpAddr, public: Option<IpAddr>) -> Result<(Self, TlsListenerConnection), EdgeError> {
        let listener = bound(SocketAddr::new(ip, tls.port)).await?;
        let local = listener.local_addr().map_err(|e| EdgeError::Listen { address: SocketAddr::new(ip, tls.port), why: e.to_string() })?;
        let named = SocketAddr::new(public.unwrap_or(local.ip()), local.port());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let resolver =
            ReloadableCertResolver::new(&tls.certificate, &tls.key, provider.clone()).map_err(|e| EdgeError::Tls(e.to_string()))?;
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| EdgeError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(resolver));
        let naming = TlsListenerConnection::new(hidden_port(local), Some(named), tls.stack_config())
            .await
            .map_err(|e| EdgeError::Listen { address: local, why: e.to_string() })?;
        let named = SipAddr { r#type: Some(Transport::Tls), addr: named.into() };
        Ok((Self { listener, start: Start::Handshake(TlsAcceptor::from(Arc::new(config))), named }, naming))
    }

    pub(crate) fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Accepts connections until `stop`, handing each that starts in time
    /// and has room to the stack of `endpoint`.
    pub(crate) fn open(self, keeper: Arc<Doorkeeper>, endpoint: EndpointInnerRef, stop: CancellationToken) {
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    () = stop.cancelled() => return,
                    accepted = self.listener.accept() => accepted,
                };
                let Ok((stream, remote)) = accepted else { continue };
                let Some(place) = keeper.enter(remote.ip(), Instant::now()) else { continue };
                let (start, named, endpoint, own) = (self.start.clone(), self.named.clone(), endpoint.clone(), stop.child_token());
                tokio::spawn(async move {
                    let Some(connection) = start.connection(stream, remote, named, own.clone()).await else { return };
                    endpoint.transport_layer.add_connection(connection);
                    // The stack cancels a connection's token when it closes it.
                    own.cancelled().await;
                    drop(place);
                });
            }
        });
    }
}

/// `address`, bound for listening.
async fn bound(address: SocketAddr) -> Result<TcpListener, EdgeError> {
    TcpListener::bind(address).await.map_err(|e| EdgeError::Listen { address, why: e.to_string() })
}

/// Where the stack's naming listener listens: any free loopback port of
/// `local`'s family, which the system picks when the stack binds it (a
/// port probed now could be taken by another start before then).
fn hidden_port(local: SocketAddr) -> SocketAddr {
    let loopback = if local.is_ipv6() { IpAddr::V6(Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    SocketAddr::new(loopback, 0)
}

impl Start {
    /// The connection, once started within [`START_WITHIN`].
    async fn connection(&self, stream: TcpStream, remote: SocketAddr, named: SipAddr, own: CancellationToken) -> Option<SipConnection> {
        let started = match self {
            // Peeked, not read: the stack reads the message from the start.
            Start::FirstBytes => match tokio::time::timeout(START_WITHIN, stream.peek(&mut [0u8; 1])).await {
                Ok(Ok(1..)) => TcpConnection::from_stream(stream, named, Some(own)).ok().map(SipConnection::Tcp),
                _ => None,
            },
            Start::Handshake(acceptor) => match tokio::time::timeout(START_WITHIN, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    let remote = SipAddr { r#type: Some(Transport::Tls), addr: remote.into() };
                    TlsConnection::from_server_stream(stream, named, remote, Some(own)).await.ok().map(SipConnection::Tls)
                }
                _ => None,
            },
        };
        if started.is_none() {
            tracing::debug!(%remote, "a SIP connection did not start in time; it is closed");
        }
        started
    }
}

/// Who holds how many connections on the doors of one edge.
pub(crate) struct Doorkeeper {
    trunks: Arc<TrunkDirectory>,
    phones: Arc<DeskRegistrar>,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    by_address: HashMap<IpAddr, usize>,
    strangers: usize,
}

/// A connection's place; given back when dropped.
pub(crate) struct Place {
    keeper: Arc<Doorkeeper>,
    address: IpAddr,
    stranger: bool,
}

impl Doorkeeper {
    pub(crate) fn new(trunks: Arc<TrunkDirectory>, phones: Arc<DeskRegistrar>) -> Arc<Self> {
        Arc::new(Self { trunks, phones, open: Mutex::default() })
    }

    /// A place for a connection from `address` at `now`, if it has room.
    fn enter(self: &Arc<Self>, address: IpAddr, now: Instant) -> Option<Place> {
        let address = address.to_canonical();
        let standing = standing(&self.trunks, &self.phones, address, now);
        let room = match standing {
            Standing::Trunk => None,
            Standing::Office => Some(OFFICE_CONNECTIONS),
            Standing::Stranger => Some(STRANGER_CONNECTIONS),
        };
        let stranger = standing == Standing::Stranger;
        let mut open = lock(&self.open);
        let held = open.by_address.get(&address).copied().unwrap_or(0);
        if room.is_some_and(|room| held >= room) || (stranger && open.strangers >= STRANGERS_CONNECTIONS) {
            return None;
        }
        *open.by_address.entry(address).or_default() += 1;
        open.strangers += usize::from(stranger);
        Some(Place { keeper: self.clone(), address, stranger })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = lock(&self.keeper.open);
        if let Some(held) = open.by_address.get_mut(&self.address) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                open.by_address.remove(&self.address);
            }
        }
        open.strangers = open.strangers.saturating_sub(usize::from(self.stranger));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Trunk;

    fn keeper(trunk_source: &str) -> Arc<Doorkeeper> {
        let trunk = Trunk { proxy: None, sources: vec![trunk_source.parse().unwrap()] };
        Doorkeeper::new(Arc::new(TrunkDirectory::new(trunk, Default::default(), false)), Arc::new(DeskRegistrar::default()))
    }

    fn address(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
    }

    #[test]
    fn strangers_hold_a_few_connections_each_and_a_bounded_number_in_all_trunks_are_not_held_back() {
        let keeper = keeper("192.0.2.1");
        let now = Instant::now();
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        let held: Vec<Place> = (0..STRANGER_CONNECTIONS).map(|_| keeper.enter(stranger, now).unwrap()).collect();
        assert!(keeper.enter(stranger, now).is_none(), "one stranger, too many");
        let trunk: Vec<Place> = (0..STRANGER_CONNECTIONS * 4).map(|_| keeper.enter("192.0.2.1".parse().unwrap(), now).unwrap()).collect();
        drop(held);
        assert!(keeper.enter(stranger, now).is_some(), "closed connections give their places back");
        let many: Vec<Place> = (0..STRANGERS_CONNECTIONS).filter_map(|n| keeper.enter(address(u32::try_from(n).unwrap()), now)).collect();
        assert_eq!(many.len(), STRANGERS_CONNECTIONS);
        assert!(keeper.enter("198.51.100.8".parse().unwrap(), now).is_none(), "strangers together, too many");
        assert!(keeper.enter("192.0.2.1".parse().unwrap(), now).is_some(), "a trunk still gets in");
        drop((many, trunk));
        let open = lock(&keeper.open);
        assert_eq!((open.by_address.len(), open.strangers), (0, 0), "nothing is kept for addresses holding nothing");
    }
}
