//! What this node places and takes calls through, from `serve`'s flags:
//! the simulated carrier, a SIP trunk, both (the demo: its campaign on the
//! simulated carrier, and a SIP edge anyone on this machine can call), or
//! nothing.

use super::demo_floor;
use anyhow::{Context, bail};
use clap::Args;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use trustline_domain::Clock;
use trustline_sip::{EdgeSettings, SipTelephony, Trunk};
use trustline_telephony::{CarrierProfile, CarrierSet, SimulatedTelephony, Telephony};

#[derive(Args)]
pub struct CarrierArgs {
    /// What the dialer places calls through: `simulated` (the seeded
    /// simulated carrier; nobody is really called), `sip` (the SIP trunk of
    /// --sip-trunk) or `none` (this node does not dial; run the dialer on
    /// one node only).
    #[arg(long, env = "TRUSTLINE_TELEPHONY", default_value = "simulated", value_parser = ["simulated", "sip", "none"])]
    telephony: String,
    /// How much faster than real time simulated calls play out.
    #[arg(long, env = "TRUSTLINE_SIMULATED_SPEED", default_value_t = 1.0, value_parser = speed)]
    simulated_speed: f64,
    /// Take SIP calls on this UDP address (for example 0.0.0.0:5060).
    #[arg(long, env = "TRUSTLINE_SIP_LISTEN")]
    sip_listen: Option<SocketAddr>,
    /// The carrier's SIP address calls are placed through; without it the
    /// trunk only takes calls in.
    #[arg(long, env = "TRUSTLINE_SIP_TRUNK", requires = "sip_listen")]
    sip_trunk: Option<SocketAddr>,
    /// An address the carrier sends calls from; repeat, or separate with
    /// commas. Requests from anywhere else get 403. The demo allows loopback.
    #[arg(long = "sip-trunk-source", env = "TRUSTLINE_SIP_TRUNK_SOURCES", value_delimiter = ',', requires = "sip_listen")]
    sip_trunk_sources: Vec<IpAddr>,
    /// The address calls' audio (RTP) uses; by default the --sip-listen address.
    #[arg(long, env = "TRUSTLINE_MEDIA_IP", requires = "sip_listen")]
    media_ip: Option<IpAddr>,
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

/// Starts the carriers the flags ask for; `None` when this node does not
/// dial. In the demo the simulated carrier also plays the demo's callers.
pub async fn start(args: &CarrierArgs, demo: bool, clock: &dyn Clock) -> anyhow::Result<Option<Carriers>> {
    let sip = match args.sip_listen {
        Some(listen) => Some(Arc::new(sip_edge(args, listen, demo).await?)),
        None => None,
    };
    let telephony: Arc<dyn Telephony> = match (args.telephony.as_str(), &sip) {
        ("none", None) => return Ok(None),
        ("none", Some(_)) => bail!("--sip-listen needs a dialer on this node: --telephony simulated or sip"),
        ("sip", None) => bail!("--telephony sip needs --sip-listen and --sip-trunk"),
        ("sip", Some(_)) if args.sip_trunk.is_none() => bail!("--telephony sip needs --sip-trunk: where calls are placed"),
        ("sip", Some(sip)) => sip.clone(),
        (_, sip) => {
            let seed = u64::try_from(clock.now()).unwrap_or(1);
            let simulated = Arc::new(SimulatedTelephony::new(CarrierProfile::default(), seed, args.simulated_speed));
            if demo {
                simulated.start_inbound(demo_floor::inbound_traffic(), seed.wrapping_add(1));
            }
            match sip {
                Some(sip) => Arc::new(CarrierSet::new(vec![simulated, sip.clone()])),
                None => simulated,
            }
        }
    };
    Ok(Some(Carriers { telephony, sip }))
}

async fn sip_edge(args: &CarrierArgs, listen: SocketAddr, demo: bool) -> anyhow::Result<SipTelephony> {
    let mut sources = args.sip_trunk_sources.clone();
    if sources.is_empty() && demo {
        sources = vec![IpAddr::V4(Ipv4Addr::LOCALHOST), "::1".parse()?];
    }
    if sources.is_empty() {
        bail!("--sip-listen needs --sip-trunk-source: the addresses the carrier calls from (anyone else gets 403)");
    }
    let media_ip = args.media_ip.unwrap_or(listen.ip());
    if media_ip.is_unspecified() {
        bail!("--media-ip is needed when --sip-listen is a wildcard address: the address calls' audio is sent to");
    }
    let trunk = Trunk { proxy: args.sip_trunk, sources };
    SipTelephony::start(EdgeSettings::new(listen, media_ip, trunk)).await.context("cannot start the SIP edge")
}
