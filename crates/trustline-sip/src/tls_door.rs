//! The TLS port's door. Connections are accepted here rather than by the
//! SIP stack, which waits for a TLS handshake forever: a peer that opens
//! connections and never finishes its handshake would hold a socket each
//! until the process had none left (for its database and HTTP too). Here a
//! handshake must finish within [`HANDSHAKE_WITHIN`], one address has at
//! most [`OPENING_PER_ADDRESS`] handshakes under way and the port at most
//! [`OPENING_AT_ONCE`]; a connection past those is closed at once. A
//! finished handshake's connection is handed to the stack, which serves it
//! like one of its own (and closes it after its idle timeout).
//!
//! The stack still keeps a TLS listener, for the address it names in Via
//! headers: it listens on a loopback port of its own and names this
//! door's address (what the stack calls its external address).

use crate::error::EdgeError;
use crate::locks::lock;
use crate::signalling_tls::SignallingTls;
use rsipstack::sip::Transport;
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transport::SipAddr;
use rsipstack::transport::connection::SipConnection;
use rsipstack::transport::tls::{ReloadableCertResolver, TlsConnection, TlsListenerConnection};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// A handshake not finished by then is dropped.
pub const HANDSHAKE_WITHIN: Duration = Duration::from_secs(5);
/// Handshakes under way from one address at once.
pub const OPENING_PER_ADDRESS: usize = 8;
/// Handshakes under way on the port at once.
pub const OPENING_AT_ONCE: usize = 256;

/// The TLS port, bound, and the address SIP names for it.
pub(crate) struct TlsDoor {
    listener: TcpListener,
    acceptor: TlsAcceptor,
    named: SipAddr,
}

impl TlsDoor {
    /// Binds the TLS port on `ip` (named `public` in SIP behind NAT), and
    /// the stack's listener that only names it.
    pub(crate) async fn bind(tls: &SignallingTls, ip: IpAddr, public: Option<IpAddr>) -> Result<(Self, TlsListenerConnection), EdgeError> {
        let wanted = SocketAddr::new(ip, tls.port);
        let listener = TcpListener::bind(wanted).await.map_err(|e| EdgeError::Listen { address: wanted, why: format!("TLS: {e}") })?;
        let local = listener.local_addr().map_err(|e| EdgeError::Listen { address: wanted, why: format!("TLS: {e}") })?;
        let named = SocketAddr::new(public.unwrap_or(local.ip()), local.port());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let resolver =
            ReloadableCertResolver::new(&tls.certificate, &tls.key, provider.clone()).map_err(|e| EdgeError::Tls(e.to_string()))?;
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| EdgeError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(resolver));
        let loopback = if ip.is_ipv6() { IpAddr::V6(Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
        let hidden = std::net::TcpListener::bind(SocketAddr::new(loopback, 0))
            .and_then(|probe| probe.local_addr())
            .map_err(|e| EdgeError::Listen { address: local, why: format!("TLS: {e}") })?;
        let naming = TlsListenerConnection::new(hidden, Some(named), tls.stack_config())
            .await
            .map_err(|e| EdgeError::Listen { address: local, why: e.to_string() })?;
        let named = SipAddr { r#type: Some(Transport::Tls), addr: named.into() };
        Ok((Self { listener, acceptor: TlsAcceptor::from(Arc::new(config)), named }, naming))
    }

    pub(crate) fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Accepts connections until `stop`, handing each finished one to the stack of `endpoint`.
    pub(crate) fn open(self, endpoint: EndpointInnerRef, stop: CancellationToken) {
        let opening = Arc::new(Opening::default());
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    () = stop.cancelled() => return,
                    accepted = self.listener.accept() => accepted,
                };
                let Ok((stream, remote)) = accepted else { continue };
                let Some(ticket) = Opening::enter(&opening, remote.ip()) else { continue };
                let (acceptor, named, endpoint, stop) = (self.acceptor.clone(), self.named.clone(), endpoint.clone(), stop.child_token());
                tokio::spawn(async move {
                    let Some(connection) = handshake(&acceptor, stream, remote, named, stop).await else { return };
                    drop(ticket);
                    endpoint.transport_layer.add_connection(SipConnection::Tls(connection));
                });
            }
        });
    }
}

async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    remote: SocketAddr,
    named: SipAddr,
    stop: CancellationToken,
) -> Option<TlsConnection> {
    let stream = match tokio::time::timeout(HANDSHAKE_WITHIN, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => {
            tracing::debug!(%remote, %error, "a TLS handshake failed");
            return None;
        }
        Err(_) => {
            tracing::debug!(%remote, "a TLS handshake took too long; the connection is closed");
            return None;
        }
    };
    let remote = SipAddr { r#type: Some(Transport::Tls), addr: remote.into() };
    TlsConnection::from_server_stream(stream, named, remote, Some(stop)).await.ok()
}

/// Handshakes under way, by address.
#[derive(Default)]
struct Opening {
    by_address: Mutex<HashMap<IpAddr, usize>>,
}

/// One handshake under way; it leaves the count when dropped.
struct Ticket {
    opening: Arc<Opening>,
    address: IpAddr,
}

impl Opening {
    /// A ticket for a handshake from `address`, unless it or the port has too many under way.
    fn enter(opening: &Arc<Opening>, address: IpAddr) -> Option<Ticket> {
        let mut counts = lock(&opening.by_address);
        let total: usize = counts.values().sum();
        let mine = counts.entry(address).or_default();
        if *mine >= OPENING_PER_ADDRESS || total >= OPENING_AT_ONCE {
            return None;
        }
        *mine += 1;
        Some(Ticket { opening: opening.clone(), address })
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut counts = lock(&self.opening.by_address);
        if let Some(count) = counts.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_and_the_port_open_a_bounded_number_of_handshakes_at_once() {
        let opening = Arc::new(Opening::default());
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let tickets: Vec<Ticket> = (0..OPENING_PER_ADDRESS).map(|_| Opening::enter(&opening, one).unwrap()).collect();
        assert!(Opening::enter(&opening, one).is_none(), "one address, too many");
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let theirs = Opening::enter(&opening, other).expect("another address still gets in");
        drop(tickets);
        assert!(Opening::enter(&opening, one).is_some(), "finished handshakes leave the count");
        drop(theirs);
        let many: Vec<Ticket> = (0..OPENING_AT_ONCE)
            .map(|i| Opening::enter(&opening, IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + u32::try_from(i).unwrap()))).unwrap())
            .collect();
        assert!(Opening::enter(&opening, "192.0.2.9".parse().unwrap()).is_none(), "the port, too many");
        drop(many);
        assert!(lock(&opening.by_address).is_empty(), "nothing is kept for addresses with none under way");
    }
}
