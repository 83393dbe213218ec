//! What this node places and takes calls through, from `serve`'s flags:
//! the simulated carrier, a SIP trunk, both (the demo: its campaign on the
//! simulated carrier, and a SIP edge anyone on this machine can call), or
//! nothing.

use super::demo_floor;
use anyhow::{Context, bail};
use clap::Args;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use trustline_domain::Clock;
use trustline_domain::destination::DestinationPolicy;
use trustline_domain::trunks::SignallingTransport;
use trustline_sip::{EdgeSettings, SignallingTls, SipTelephony, SoftphonePlace, Trunk, TrunkProxy};
use trustline_telephony::{CarrierProfile, CarrierSet, SimulatedTelephony, Telephony};
use zeroize::Zeroizing;

#[derive(Args)]
pub struct CarrierArgs {
    /// What the dialer places calls through: `simulated` (the seeded
    /// simulated carrier; nobody is really called), `sip` (each tenant's
    /// own SIP trunk, else the installation's of --sip-trunk) or `none`
    /// (this node serves the API and pages only). Any number of nodes may
    /// dial: each tenant's calls are one node's at a time.
    #[arg(long, env = "TRUSTLINE_TELEPHONY", default_value = "simulated", value_parser = ["simulated", "sip", "none"])]
    telephony: String,
    /// How much faster than real time simulated calls play out.
    #[arg(long, env = "TRUSTLINE_SIMULATED_SPEED", default_value_t = 1.0, value_parser = speed)]
    simulated_speed: f64,
    /// Take SIP calls on this UDP address (for example 0.0.0.0:5060).
    #[arg(long, env = "TRUSTLINE_SIP_LISTEN")]
    sip_listen: Option<SocketAddr>,
    /// The installation's carrier: where calls of tenants without a trunk
    /// of their own are placed, as HOST:PORT (a name, or an address; an IPv6
    /// address in brackets).
    #[arg(long, env = "TRUSTLINE_SIP_TRUNK", requires = "sip_listen", value_parser = host_and_port)]
    sip_trunk: Option<(String, u16)>,
    /// What the installation's carrier signals over: udp or tcp (a carrier
    /// over TLS is set as a tenant's trunk).
    #[arg(long, env = "TRUSTLINE_SIP_TRUNK_TRANSPORT", default_value = "udp", requires = "sip_trunk", value_parser = ["udp", "tcp"])]
    sip_trunk_transport: String,
    /// An address the installation's carrier sends calls from (they may
    /// ring any tenant's numbers); repeat, or separate with commas.
    /// Requests from addresses neither it nor a tenant's trunk names get
    /// 403. The demo allows loopback.
    #[arg(long = "sip-trunk-source", env = "TRUSTLINE_SIP_TRUNK_SOURCES", value_delimiter = ',', requires = "sip_listen")]
    sip_trunk_sources: Vec<IpAddr>,
    /// The address calls' audio (RTP) uses; by default the --sip-listen address.
    #[arg(long, env = "TRUSTLINE_MEDIA_IP", requires = "sip_listen")]
    media_ip: Option<IpAddr>,
    /// Behind NAT: the public address the carrier reaches this host at,
    /// named in SIP headers and SDP (forward the SIP port and the RTP ports
    /// to this host).
    #[arg(long, env = "TRUSTLINE_SIP_PUBLIC_IP", requires = "sip_listen")]
    sip_public_ip: Option<IpAddr>,
    /// The UDP ports calls' audio may use, one per call, e.g. 40000-40999
    /// (open them in the firewall); any free port by default.
    #[arg(long, env = "TRUSTLINE_RTP_PORTS", requires = "sip_listen", value_parser = port_range)]
    rtp_ports: Option<RangeInclusive<u16>>,
    /// The UDP port agents' browsers send their softphone audio to (WebRTC,
    /// on the media address; open it in the firewall); any free port by
    /// default.
    #[arg(long, env = "TRUSTLINE_SOFTPHONE_PORT", default_value_t = 0, requires = "sip_listen")]
    softphone_port: u16,
    /// Softphones open at once, at most (one per agent at work).
    #[arg(long, env = "TRUSTLINE_MAX_SOFTPHONES", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_softphones: u32,
    /// SIP over TLS with carriers: this node's certificate (PEM, then its
    /// chain), presented on the TLS port. Trunks set to TLS need it.
    #[arg(long, env = "TRUSTLINE_SIP_TLS_CERT", requires_all = ["sip_listen", "sip_tls_key"])]
    sip_tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "TRUSTLINE_SIP_TLS_KEY", requires = "sip_tls_cert")]
    sip_tls_key: Option<PathBuf>,
    /// The TCP port SIP over TLS listens on, on the --sip-listen address.
    #[arg(long, env = "TRUSTLINE_SIP_TLS_PORT", default_value_t = 5061)]
    sip_tls_port: u16,
    /// The authorities carriers' certificates must chain to (PEM); by
    /// default those this machine trusts.
    #[arg(long, env = "TRUSTLINE_SIP_TLS_CA", requires = "sip_tls_cert")]
    sip_tls_ca: Option<PathBuf>,
}

fn port_range(text: &str) -> Result<RangeInclusive<u16>, String> {
    let ports = text.split_once('-').and_then(|(low, high)| Some((low.trim().parse::<u16>().ok()?, high.trim().parse::<u16>().ok()?)));
    match ports {
        Some((low, high)) if low >= 1024 && low <= high => Ok(low..=high),
        _ => Err("two ports from 1024 to 65535, low-high (e.g. 40000-40999)".into()),
    }
}

fn host_and_port(text: &str) -> Result<(String, u16), String> {
    let wanted = || "HOST:PORT, e.g. sbc.example.net:5060, 198.51.100.20:5061 or [2001:db8::1]:5060".to_owned();
    let (host, port) = text.rsplit_once(':').ok_or_else(wanted)?;
    let port = port.parse::<u16>().ok().filter(|port| *port > 0).ok_or_else(wanted)?;
    let host = host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host);
    let named = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if host.parse::<IpAddr>().is_err() && !named {
        return Err(wanted());
    }
    Ok((host.to_owned(), port))
}

fn speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if (1.0..=1000.0).contains(&speed) => Ok(speed),
        _ => Err("a number from 1 to 1000".into()),
    }
}

/// The carriers this node runs.
pub struct Carriers {
    /// What the dialer uses.
    pub telephony: Arc<dyn Telephony>,
    pub sip: Option<Arc<SipTelephony>>,
}

/// What the flags ask for, checked before anything starts or changes.
pub enum CarrierPlan {
    /// This node does not dial.
    None,
    /// The simulated carrier places calls; a SIP edge, if any, takes calls in beside it.
    Simulated { speed: f64, sip: Option<EdgeSettings> },
    /// The SIP trunk places calls and takes them.
    Sip(EdgeSettings),
}

impl CarrierPlan {
    /// Whether the SIP edge will speak TLS (it was given a certificate).
    pub fn signals_over_tls(&self) -> bool {
        match self {
            CarrierPlan::Sip(settings) | CarrierPlan::Simulated { sip: Some(settings), .. } => settings.tls.is_some(),
            CarrierPlan::None | CarrierPlan::Simulated { sip: None, .. } => false,
        }
    }
}

/// `private_trunks`: tenants' trunks may send calls to private addresses.
pub fn plan(args: &CarrierArgs, demo: bool, private_trunks: bool) -> anyhow::Result<CarrierPlan> {
    let sip = args.sip_listen.map(|listen| sip_settings(args, listen, demo, private_trunks)).transpose()?;
    Ok(match (args.telephony.as_str(), sip) {
        ("none", None) => CarrierPlan::None,
        ("none", Some(_)) => bail!("--sip-listen needs a dialer on this node: --telephony simulated or sip"),
        ("sip", None) => bail!("--telephony sip needs --sip-listen"),
        ("sip", Some(settings)) => CarrierPlan::Sip(settings),
        (_, sip) => CarrierPlan::Simulated { speed: args.simulated_speed, sip },
    })
}

fn sip_settings(args: &CarrierArgs, listen: SocketAddr, demo: bool, private_trunks: bool) -> anyhow::Result<EdgeSettings> {
    let mut sources = args.sip_trunk_sources.clone();
    if sources.is_empty() && demo {
        sources = vec![IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)];
    }
    let media_ip = args.media_ip.unwrap_or(listen.ip());
    if media_ip.is_unspecified() {
        bail!("--media-ip is needed when --sip-listen is a wildcard address: the address calls' audio is sent to");
    }
    let transport = SignallingTransport::parse(&args.sip_trunk_transport).unwrap_or_default();
    let proxy = args.sip_trunk.clone().map(|(host, port)| TrunkProxy { host, port, transport });
    let mut settings = EdgeSettings::new(listen, media_ip, Trunk { proxy, sources });
    settings.public_ip = args.sip_public_ip;
    settings.tenant_trunk_destinations = DestinationPolicy { allow_private: private_trunks };
    settings.rtp_ports = args.rtp_ports.clone();
    settings.softphones = Some(SoftphonePlace { port: args.softphone_port, max_desks: args.max_softphones as usize });
    settings.tls = signalling_tls(args)?;
    Ok(settings)
}

/// The TLS settings the flags name, read and checked now.
fn signalling_tls(args: &CarrierArgs) -> anyhow::Result<Option<SignallingTls>> {
    let (Some(certificate), Some(key)) = (&args.sip_tls_cert, &args.sip_tls_key) else { return Ok(None) };
    let read =
        |path: &Path, what: &str| std::fs::read(path).with_context(|| format!("cannot read the SIP TLS {what} file {}", path.display()));
    let carrier_authorities = match &args.sip_tls_ca {
        Some(path) => read(path, "authorities")?,
        None => SignallingTls::system_authorities()?,
    };
    let tls = SignallingTls {
        port: args.sip_tls_port,
        certificate: read(certificate, "certificate")?,
        key: Zeroizing::new(read(key, "key")?),
        carrier_authorities,
    };
    tls.check()?;
    Ok(Some(tls))
}

/// Starts the planned carriers; `None` when this node does not dial. In
/// the demo the simulated carrier also plays the demo's callers.
pub async fn start(plan: CarrierPlan, demo: bool, clock: &dyn Clock) -> anyhow::Result<Option<Carriers>> {
    Ok(Some(match plan {
        CarrierPlan::None => return Ok(None),
        CarrierPlan::Sip(settings) => {
            let sip = sip_edge(settings).await?;
            Carriers { telephony: sip.clone(), sip: Some(sip) }
        }
        CarrierPlan::Simulated { speed, sip } => {
            let seed = u64::try_from(clock.now()).unwrap_or(1);
            let simulated = Arc::new(SimulatedTelephony::new(CarrierProfile::default(), seed, speed));
            if demo {
                simulated.start_inbound(demo_floor::inbound_traffic(), seed.wrapping_add(1));
            }
            match sip {
                Some(settings) => {
                    let sip = sip_edge(settings).await?;
                    Carriers { telephony: Arc::new(CarrierSet::new(vec![simulated, sip.clone()])), sip: Some(sip) }
                }
                None => Carriers { telephony: simulated, sip: None },
            }
        }
    }))
}

async fn sip_edge(settings: EdgeSettings) -> anyhow::Result<Arc<SipTelephony>> {
    Ok(Arc::new(SipTelephony::start(settings).await.context("cannot start the SIP edge")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_installations_carrier_is_a_host_and_a_port() {
        let taken = |text: &str| host_and_port(text).ok();
        assert_eq!(taken("sbc.example.net:5060"), Some(("sbc.example.net".into(), 5060)));
        assert_eq!(taken("198.51.100.20:5061"), Some(("198.51.100.20".into(), 5061)));
        assert_eq!(taken("[2001:db8::1]:5060"), Some(("2001:db8::1".into(), 5060)));
        for refused in
            ["sbc.example.net", "sbc.example.net:0", "sbc.example.net:70000", ":5060", "sbc..example:5060", "sb c:5060", "x/y:5060"]
        {
            assert_eq!(taken(refused), None, "{refused}");
        }
    }
}
