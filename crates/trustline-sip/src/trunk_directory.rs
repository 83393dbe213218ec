//! The trunks the edge serves: the installation's own (from the command
//! line) and each tenant's (from storage, replaced whole whenever they
//! change). A request's source address says whose trunk it came on; a
//! tenant's calls go out through its oldest trunk, else through the
//! installation's.

use crate::edge_settings::{Trunk, TrunkProxy};
use rsipstack::sip::Host;
use rsipstack::transport::SipAddr;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use trustline_domain::TenantId;
use trustline_domain::destination::{DestinationPolicy, address_allowed};
use trustline_domain::trunks::SignallingTransport;
use trustline_telephony::{TelephonyError, TrunkOwner};
use zeroize::Zeroizing;

/// A tenant's trunk as the edge uses it.
#[derive(Clone, Debug)]
pub struct TenantTrunk {
    /// The trunk's id in storage, which registration reports name.
    pub id: i64,
    pub tenant: TenantId,
    pub host: String,
    pub port: u16,
    pub transport: SignallingTransport,
    pub sources: Vec<IpAddr>,
    /// Presented when a call names no number of its own.
    pub caller_id: Option<String>,
    pub login: Option<TrunkLogin>,
    /// Calls' audio is SRTP keyed by SDES: offered on every call, and a
    /// call answered without it is ended.
    pub srtp: bool,
}

/// The digest login a carrier challenges for.
#[derive(Clone)]
pub struct TrunkLogin {
    pub username: String,
    pub password: Zeroizing<String>,
    /// The edge registers with the carrier under this login.
    pub register: bool,
}

impl std::fmt::Debug for TrunkLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrunkLogin")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("register", &self.register)
            .finish()
    }
}

/// A carrier a call may go through.
#[derive(Clone, Debug)]
pub(crate) enum Carrier {
    Tenant(TenantTrunk),
    /// The installation's trunk, at its proxy.
    Installation(TrunkProxy),
}

/// Where a call goes and how it is presented.
pub(crate) struct Route {
    /// The host the request URI names.
    pub host: String,
    /// The address the carrier was found at now, which its audio comes from.
    pub destination: SocketAddr,
    /// Where the stack sends the INVITE: see [`next_hop`].
    pub next_hop: SipAddr,
    pub transport: SignallingTransport,
    pub caller_id: Option<String>,
    pub login: Option<TrunkLogin>,
    pub srtp: bool,
}

#[derive(Default)]
struct TenantTable {
    /// Each tenant's trunks, oldest first.
    outbound: HashMap<TenantId, Vec<TenantTrunk>>,
    by_source: HashMap<IpAddr, Vec<TenantId>>,
}

pub(crate) struct TrunkDirectory {
    installation: Trunk,
    /// The addresses the installation's proxy was found at (its own, when
    /// it is named by address): SIP may be sent there within a call.
    proxy_addresses: RwLock<Vec<IpAddr>>,
    /// Where tenants' trunks may send calls (their hosts are theirs to choose).
    policy: DestinationPolicy,
    /// Whether the edge can signal over TLS (it has a certificate).
    tls: bool,
    tenants: RwLock<Arc<TenantTable>>,
}

impl TrunkDirectory {
    pub fn new(installation: Trunk, policy: DestinationPolicy, tls: bool) -> Self {
        let named: Vec<IpAddr> =
            installation.proxy.iter().filter_map(|proxy| proxy.host.parse::<IpAddr>().ok()).map(|ip| ip.to_canonical()).collect();
        Self { installation, proxy_addresses: RwLock::new(named), policy, tls, tenants: RwLock::default() }
    }

    /// Serves `trunks` from now on, in place of those served so far; a
    /// tenant's trunks place its calls in their order.
    pub fn replace(&self, trunks: Vec<TenantTrunk>) {
        let mut table = TenantTable::default();
        for trunk in trunks {
            for source in &trunk.sources {
                let owners = table.by_source.entry(source.to_canonical()).or_default();
                if !owners.contains(&trunk.tenant) {
                    owners.push(trunk.tenant);
                }
            }
            table.outbound.entry(trunk.tenant).or_default().push(trunk);
        }
        *self.tenants.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(table);
    }

    fn table(&self) -> Arc<TenantTable> {
        self.tenants.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Whose trunk a request from `source` comes on, if anyone's.
    pub fn owner_of(&self, source: IpAddr) -> Option<TrunkOwner> {
        let source = source.to_canonical();
        if self.installation.admits(source) {
            return Some(TrunkOwner::Installation);
        }
        self.table().by_source.get(&source).map(|tenants| TrunkOwner::Tenants(tenants.clone()))
    }

    /// The carriers `tenant`'s calls may go through, in the order they are
    /// tried: its own trunks, else the installation's.
    pub fn carriers(&self, tenant: TenantId) -> VecDeque<Carrier> {
        match self.table().outbound.get(&tenant) {
            Some(trunks) => trunks.iter().cloned().map(Carrier::Tenant).collect(),
            None => self.installation.proxy.iter().cloned().map(Carrier::Installation).collect(),
        }
    }

    /// Where a call through `carrier` goes: a tenant's trunk's host is
    /// resolved now and held to the destination rule (a name may have been
    /// pointed elsewhere since it was saved).
    async fn route(&self, carrier: &Carrier) -> Result<Route, TelephonyError> {
        match carrier {
            Carrier::Installation(proxy) => {
                self.may_use(proxy.transport)?;
                // The operator named it: any address it resolves to.
                let destination = self.allowed_address(&proxy.host, proxy.port, |_| true).await?;
                let known = destination.ip().to_canonical();
                let mut addresses = self.proxy_addresses.write().unwrap_or_else(|poisoned| poisoned.into_inner());
                if !addresses.contains(&known) {
                    addresses.push(known);
                }
                Ok(Route {
                    host: host_port(&proxy.host, proxy.port),
                    destination,
                    next_hop: next_hop(&proxy.host, proxy.port, proxy.transport, destination),
                    transport: proxy.transport,
                    caller_id: None,
                    login: None,
                    srtp: false,
                })
            }
            Carrier::Tenant(trunk) => {
                let destination = self.destination(trunk).await?;
                Ok(Route {
                    host: host_port(&trunk.host, trunk.port),
                    destination,
                    next_hop: next_hop(&trunk.host, trunk.port, trunk.transport, destination),
                    transport: trunk.transport,
                    caller_id: trunk.caller_id.clone(),
                    login: trunk.login.clone(),
                    srtp: trunk.srtp,
                })
            }
        }
    }

    /// The first of `carriers` a call can go through now, and the rest;
    /// `NoTrunk` when there is none, else why the last one could not be used.
    pub async fn first_route(&self, mut carriers: VecDeque<Carrier>) -> Result<(Route, VecDeque<Carrier>), TelephonyError> {
        let mut why = TelephonyError::NoTrunk;
        while let Some(carrier) = carriers.pop_front() {
            match self.route(&carrier).await {
                Ok(route) => return Ok((route, carriers)),
                Err(error) => {
                    tracing::warn!(%error, "a trunk cannot take a call now; the next one is tried");
                    why = error;
                }
            }
        }
        Err(why)
    }

    /// Where requests to a tenant's trunk go: its host resolved now, the
    /// first address the destination rule allows.
    pub async fn destination(&self, trunk: &TenantTrunk) -> Result<SocketAddr, TelephonyError> {
        self.may_use(trunk.transport)?;
        self.allowed_address(&trunk.host, trunk.port, |ip| address_allowed(ip, self.policy)).await
    }

    /// Refuses TLS when the edge has no certificate to speak it with.
    fn may_use(&self, transport: SignallingTransport) -> Result<(), TelephonyError> {
        if transport == SignallingTransport::Tls && !self.tls {
            return Err(TelephonyError::Unavailable(
                "the trunk signals over TLS and this installation has no SIP certificate (serve --sip-tls-cert)".into(),
            ));
        }
        Ok(())
    }

    /// `host` resolved now: the first of its addresses `allowed` takes.
    pub async fn allowed_address(&self, host: &str, port: u16, allowed: impl Fn(IpAddr) -> bool) -> Result<SocketAddr, TelephonyError> {
        let found = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| TelephonyError::Unavailable(format!("the trunk's host {host} does not resolve: {e}")))?;
        found
            .into_iter()
            .find(|address| allowed(address.ip()))
            .ok_or_else(|| TelephonyError::Unavailable(format!("the trunk's host {host} resolves to no address calls may go to")))
    }

    /// Whether SIP may be sent to `ip` within a call: an address the
    /// destination rule allows, or one of the installation's own carrier
    /// (its proxy and the addresses it calls from), which the operator named.
    pub fn may_signal_to(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        address_allowed(ip, self.policy)
            || self.installation.admits(ip)
            || self.proxy_addresses.read().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(&ip)
    }
}

/// Where the stack sends requests to a trunk at `host`, found at
/// `resolved`: that address, except over TLS to a named host, where the
/// stack is handed the name so the carrier's certificate is checked against
/// it (and resolves it again through
/// [`crate::signalling_targets::NamesUnderTheRule`]).
pub(crate) fn next_hop(host: &str, port: u16, transport: SignallingTransport, resolved: SocketAddr) -> SipAddr {
    let stack = Some(stack_transport(transport));
    match (transport, host.parse::<IpAddr>()) {
        (SignallingTransport::Tls, Err(_)) => SipAddr {
            r#type: stack,
            addr: rsipstack::sip::HostWithPort { host: Host::Domain(host.to_owned().into()), port: Some(port.into()) },
        },
        _ => SipAddr { r#type: stack, addr: resolved.into() },
    }
}

/// A trunk's host and port as a SIP URI names them.
pub(crate) fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// The URI parameter that sends a request over `transport` (none for UDP,
/// SIP's default).
pub(crate) fn transport_param(transport: SignallingTransport) -> &'static str {
    match transport {
        SignallingTransport::Udp => "",
        SignallingTransport::Tcp => ";transport=tcp",
        SignallingTransport::Tls => ";transport=tls",
    }
}

/// The stack's name for `transport`.
pub(crate) fn stack_transport(transport: SignallingTransport) -> rsipstack::sip::Transport {
    match transport {
        SignallingTransport::Udp => rsipstack::sip::Transport::Udp,
        SignallingTransport::Tcp => rsipstack::sip::Transport::Tcp,
        SignallingTransport::Tls => rsipstack::sip::Transport::Tls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trunk(tenant: i64, host: &str, sources: &[&str]) -> TenantTrunk {
        TenantTrunk {
            id: tenant,
            tenant: TenantId(tenant),
            host: host.into(),
            port: 5070,
            transport: SignallingTransport::Udp,
            sources: sources.iter().map(|s| s.parse().unwrap()).collect(),
            caller_id: None,
            login: None,
            srtp: false,
        }
    }

    fn directory(proxy: Option<&str>, policy: DestinationPolicy) -> TrunkDirectory {
        let installation =
            Trunk { proxy: proxy.map(|p| p.parse::<SocketAddr>().unwrap().into()), sources: vec!["192.0.2.1".parse().unwrap()] };
        TrunkDirectory::new(installation, policy, false)
    }

    #[test]
    fn a_source_names_the_tenants_whose_trunks_list_it() {
        let edge = directory(None, DestinationPolicy::default());
        edge.replace(vec![trunk(1, "a.example", &["203.0.113.7"]), trunk(2, "b.example", &["203.0.113.7", "2001:db8::9"])]);
        assert_eq!(edge.owner_of("192.0.2.1".parse().unwrap()), Some(TrunkOwner::Installation));
        assert_eq!(edge.owner_of("203.0.113.7".parse().unwrap()), Some(TrunkOwner::Tenants(vec![TenantId(1), TenantId(2)])));
        assert_eq!(edge.owner_of("::ffff:203.0.113.7".parse().unwrap()), Some(TrunkOwner::Tenants(vec![TenantId(1), TenantId(2)])));
        assert_eq!(edge.owner_of("2001:db8::9".parse().unwrap()), Some(TrunkOwner::Tenants(vec![TenantId(2)])));
        assert_eq!(edge.owner_of("198.51.100.1".parse().unwrap()), None);
        edge.replace(Vec::new());
        assert_eq!(edge.owner_of("203.0.113.7".parse().unwrap()), None, "a removed trunk's addresses are strangers again");
    }

    #[tokio::test]
    async fn a_tenant_calls_through_its_oldest_trunk_else_the_installations() {
        let open = DestinationPolicy { allow_private: true };
        let edge = directory(Some("192.0.2.50:5060"), open);
        edge.replace(vec![trunk(1, "127.0.0.1", &[]), trunk(1, "127.0.0.2", &[])]);
        let edge = &edge;
        let first = |tenant| async move { edge.first_route(edge.carriers(TenantId(tenant))).await };
        let (own, rest) = first(1).await.unwrap();
        assert_eq!((own.host.as_str(), own.destination), ("127.0.0.1:5070", "127.0.0.1:5070".parse().unwrap()));
        assert_eq!(rest.len(), 1, "the second trunk is left for failover");
        let (shared, rest) = first(2).await.unwrap();
        assert_eq!((shared.destination, rest.len()), ("192.0.2.50:5060".parse().unwrap(), 0));
        let nowhere = directory(None, open);
        assert!(matches!(nowhere.first_route(nowhere.carriers(TenantId(2))).await, Err(TelephonyError::NoTrunk)));
    }

    #[tokio::test]
    async fn a_host_is_held_to_the_destination_rule_when_the_call_is_placed() {
        let strict = directory(None, DestinationPolicy::default());
        strict.replace(vec![trunk(1, "127.0.0.1", &[]), trunk(2, "localhost", &[])]);
        for tenant in [1, 2] {
            let refused = strict.first_route(strict.carriers(TenantId(tenant))).await.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(refused.contains("no address calls may go to"), "{tenant}: {refused}");
        }
    }

    #[tokio::test]
    async fn the_installations_carrier_is_found_by_name_over_its_transport_and_may_be_signalled_to() {
        let proxy = TrunkProxy { host: "localhost".into(), port: 5080, transport: SignallingTransport::Tcp };
        let installation = Trunk { proxy: Some(proxy), sources: Vec::new() };
        // A strict rule for tenants' trunks: the operator's own carrier is not held to it.
        let edge = TrunkDirectory::new(installation, DestinationPolicy::default(), false);
        let found: Vec<IpAddr> = tokio::net::lookup_host(("localhost", 5080)).await.unwrap().map(|a| a.ip().to_canonical()).collect();
        assert!(found.iter().all(|ip| !edge.may_signal_to(*ip)), "before a call, a name's addresses are unknown");
        let (route, _) = edge.first_route(edge.carriers(TenantId(3))).await.unwrap();
        assert_eq!(route.host, "localhost:5080");
        assert_eq!((route.transport, route.next_hop.r#type), (SignallingTransport::Tcp, Some(rsipstack::sip::Transport::Tcp)));
        assert_eq!(route.next_hop.addr.to_string(), route.destination.to_string(), "over TCP the stack is handed the address");
        assert!(edge.may_signal_to(route.destination.ip()), "where the carrier was found, SIP may go within its calls");
        let secure = Trunk { proxy: Some(TrunkProxy { transport: SignallingTransport::Tls, ..route_proxy() }), sources: Vec::new() };
        let without = TrunkDirectory::new(secure, DestinationPolicy::default(), false);
        let refused = without.first_route(without.carriers(TenantId(3))).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("no SIP certificate"), "{refused}");
    }

    fn route_proxy() -> TrunkProxy {
        TrunkProxy { host: "127.0.0.1".into(), port: 5061, transport: SignallingTransport::Udp }
    }

    #[tokio::test]
    async fn a_tls_trunk_is_reached_by_its_name_and_only_with_a_certificate() {
        let open = DestinationPolicy { allow_private: true };
        let secure = |host: &str| TenantTrunk { transport: SignallingTransport::Tls, ..trunk(1, host, &[]) };
        let installation = Trunk { proxy: None, sources: Vec::new() };
        let without = TrunkDirectory::new(installation.clone(), open, false);
        without.replace(vec![secure("localhost")]);
        let refused = without.first_route(without.carriers(TenantId(1))).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("no SIP certificate"), "{refused}");

        let with = TrunkDirectory::new(installation, open, true);
        with.replace(vec![secure("localhost"), secure("127.0.0.1")]);
        let (named, rest) = with.first_route(with.carriers(TenantId(1))).await.unwrap();
        assert_eq!(named.next_hop.addr.to_string(), "localhost:5070", "the certificate is checked against the name");
        assert_eq!(named.next_hop.r#type, Some(rsipstack::sip::Transport::Tls));
        assert_eq!(named.destination, "127.0.0.1:5070".parse().unwrap());
        let (addressed, _) = with.first_route(rest).await.unwrap();
        assert_eq!(addressed.next_hop.addr.to_string(), "127.0.0.1:5070");
    }
}
