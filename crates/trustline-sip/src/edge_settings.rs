//! Where the SIP edge listens, where its audio goes, and the carrier trunk
//! it places calls through and accepts calls from.

use crate::signalling_tls::SignallingTls;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::time::Duration;
use trustline_domain::destination::DestinationPolicy;
use trustline_domain::trunks::SignallingTransport;

#[derive(Clone, Debug)]
pub struct EdgeSettings {
    /// The UDP address SIP listens on.
    pub listen: SocketAddr,
    /// The address each call's RTP socket binds to and SDP announces.
    pub media_ip: IpAddr,
    /// The installation's trunk: it carries the calls of tenants without
    /// a trunk of their own, and its calls may ring any tenant's numbers.
    pub trunk: Trunk,
    /// Where tenants' own trunks may send calls: public addresses only,
    /// unless the operator allows private ones.
    pub tenant_trunk_destinations: DestinationPolicy,
    /// How long an outbound call may ring before this side cancels it.
    pub ring_timeout: Duration,
    /// The address the carrier reaches this host at, when it is behind
    /// NAT: SIP headers and SDP name it instead of the local addresses.
    pub public_ip: Option<IpAddr>,
    /// The UDP ports calls' audio may use (one per call), for firewalls;
    /// any free port when unset.
    pub rtp_ports: Option<RangeInclusive<u16>>,
    /// SIP's round-trip estimate T1 (RFC 3261 §17). Timer B, how long an
    /// INVITE waits for any answer before the carrier counts as failed, is
    /// 64 × T1: 32 s with the standard 500 ms.
    pub t1: Duration,
    /// Where agents' softphones connect, if they may: a UDP port on
    /// `media_ip` (announced as `public_ip` behind NAT).
    pub softphones: Option<SoftphonePlace>,
    /// SIP over TLS with carriers, when the installation has a certificate.
    pub tls: Option<SignallingTls>,
}

/// The softphone port and how many desks it serves at once.
#[derive(Clone, Copy, Debug)]
pub struct SoftphonePlace {
    /// 0 for any free port.
    pub port: u16,
    pub max_desks: usize,
}

impl EdgeSettings {
    /// The standard timers (T1 500 ms) and a 30-second ring timeout.
    pub fn new(listen: SocketAddr, media_ip: IpAddr, trunk: Trunk) -> Self {
        Self {
            listen,
            media_ip,
            trunk,
            tenant_trunk_destinations: DestinationPolicy::default(),
            ring_timeout: Duration::from_secs(30),
            public_ip: None,
            rtp_ports: None,
            t1: Duration::from_millis(500),
            softphones: None,
            tls: None,
        }
    }
}

/// A carrier trunk authenticated by address: calls go to `proxy`, and only
/// requests from one of `sources` are taken as the carrier's. A trunk with
/// no proxy only takes calls in.
#[derive(Clone, Debug)]
pub struct Trunk {
    pub proxy: Option<TrunkProxy>,
    pub sources: Vec<IpAddr>,
}

/// Where the installation's carrier takes calls: its host (a name, or an
/// address), port, and the transport it signals over. Over TLS its
/// certificate must name the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrunkProxy {
    pub host: String,
    pub port: u16,
    pub transport: SignallingTransport,
}

/// A carrier at an address, over UDP.
impl From<SocketAddr> for TrunkProxy {
    fn from(address: SocketAddr) -> Self {
        Self { host: address.ip().to_string(), port: address.port(), transport: SignallingTransport::Udp }
    }
}

impl Trunk {
    /// Whether a request from `source` comes from this carrier.
    pub fn admits(&self, source: IpAddr) -> bool {
        self.sources.contains(&source.to_canonical())
    }
}
