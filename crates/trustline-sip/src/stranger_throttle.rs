//! How much the edge says to addresses that are not a trunk's. A scanner
//! or a flood gets a few 403s, then silence until it slows down; the
//! carrier's own addresses are never throttled. An address agents' desk
//! phones registered from (an office's NAT, where a hundred phones
//! register at once in the morning) gets ten times a stranger's room, still
//! bounded. Every datagram is checked before the SIP stack builds a
//! transaction for it, so a flood costs a map lookup, not a transaction
//! each.

use crate::desk_registrar::DeskRegistrar;
use crate::locks::lock;
use crate::source_standing::{Standing, standing};
use crate::trunk_directory::TrunkDirectory;
use async_trait::async_trait;
use rsipstack::transaction::endpoint::TransportEventInspector;
use rsipstack::transport::connection::TransportEvent;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use trustline_domain::source_windows::SourceWindows;

/// Requests a stranger may send per window before it is ignored.
const LIMIT: u32 = 20;
/// Requests an address with a registered desk phone may send per window.
const OFFICE_LIMIT: u32 = 200;
const WINDOW: Duration = Duration::from_secs(10);
/// Strangers remembered at once; past this (spoofed sources), new ones are
/// ignored until old windows expire.
const MAX_STRANGERS: usize = 65_536;

pub(crate) struct StrangerThrottle {
    trunks: Arc<TrunkDirectory>,
    phones: Arc<DeskRegistrar>,
    strangers: Mutex<SourceWindows>,
    offices: Mutex<SourceWindows>,
}

impl StrangerThrottle {
    pub fn new(trunks: Arc<TrunkDirectory>, phones: Arc<DeskRegistrar>) -> Self {
        Self {
            trunks,
            phones,
            strangers: Mutex::new(SourceWindows::new(LIMIT, WINDOW, MAX_STRANGERS)),
            offices: Mutex::new(SourceWindows::new(OFFICE_LIMIT, WINDOW, MAX_STRANGERS)),
        }
    }

    /// Whether a datagram from `source` at `now` is taken.
    fn admits(&self, source: IpAddr, now: Instant) -> bool {
        let windows = match standing(&self.trunks, &self.phones, source, now) {
            Standing::Trunk => return true,
            Standing::Office => &self.offices,
            Standing::Stranger => &self.strangers,
        };
        lock(windows).admits(source, now)
    }
}

#[async_trait]
impl TransportEventInspector for StrangerThrottle {
    async fn handle(&self, event: TransportEvent) -> Option<TransportEvent> {
        if let TransportEvent::Incoming(_, _, from) = &event {
            let source = from.get_socketaddr().ok()?.ip();
            if !self.admits(source, Instant::now()) {
                return None;
            }
        }
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk_registrar::PhoneBinding;
    use rsipstack::transport::SipAddr;
    use std::net::SocketAddr;
    use trustline_domain::{TenantId, UserId};

    /// The installation's trunk calls from 192.0.2.1, a tenant's from 192.0.2.2.
    fn throttle() -> StrangerThrottle {
        let installation = crate::Trunk { proxy: None, sources: vec!["192.0.2.1".parse().unwrap()] };
        let trunks = Arc::new(TrunkDirectory::new(installation, Default::default(), false));
        let tenant = crate::TenantTrunk {
            id: 1,
            tenant: trustline_domain::TenantId(1),
            host: "sip.carrier.example".into(),
            port: 5060,
            transport: Default::default(),
            sources: vec!["192.0.2.2".parse().unwrap()],
            caller_id: None,
            login: None,
            srtp: false,
        };
        trunks.replace(vec![tenant]);
        StrangerThrottle::new(trunks, Arc::default())
    }

    #[test]
    fn a_stranger_gets_its_share_per_window_and_the_trunk_is_never_held_back() {
        let throttle = throttle();
        let start = Instant::now();
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        let taken = (0..50).filter(|_| throttle.admits(stranger, start)).count();
        assert_eq!(taken, LIMIT as usize);
        assert!(!throttle.admits(stranger, start + WINDOW / 2), "still the same window");
        assert!(throttle.admits(stranger, start + WINDOW), "a new window");
        let other: IpAddr = "198.51.100.8".parse().unwrap();
        assert!(throttle.admits(other, start), "each stranger is counted apart");
        for trunk in ["192.0.2.1", "192.0.2.2"] {
            let trunk: IpAddr = trunk.parse().unwrap();
            assert!((0..1000).all(|_| throttle.admits(trunk, start)), "{trunk}");
        }
        let third: IpAddr = "198.51.100.9".parse().unwrap();
        for _ in 0..LIMIT {
            throttle.admits(third, start);
        }
        let mapped: IpAddr = "::ffff:198.51.100.9".parse().unwrap();
        assert!(!throttle.admits(mapped, start), "an IPv4 address written as IPv6 is the same stranger");
    }

    #[test]
    fn an_address_with_a_registered_desk_phone_gets_an_offices_room_while_it_lasts() {
        let phones = Arc::new(DeskRegistrar::default());
        let trunks = Arc::new(TrunkDirectory::new(crate::Trunk { proxy: None, sources: Vec::new() }, Default::default(), false));
        let throttle = StrangerThrottle::new(trunks, phones.clone());
        let office: IpAddr = "198.51.100.20".parse().unwrap();
        let flow = SipAddr { r#type: Some(rsipstack::sip::Transport::Tls), addr: SocketAddr::new(office, 40_000).into() };
        let contact = rsipstack::sip::Uri::try_from("sip:dphone@198.51.100.20:5061;transport=tls").unwrap();
        let lasting = Duration::from_secs(60);
        phones.bind(UserId(7), PhoneBinding::new(TenantId(1), "dphone".into(), contact, flow, lasting));
        let start = Instant::now();
        let taken = (0..500).filter(|_| throttle.admits(office, start)).count();
        assert_eq!(taken, OFFICE_LIMIT as usize, "the office's phones register together");
        let mapped: IpAddr = "::ffff:198.51.100.20".parse().unwrap();
        assert!(phones.has_phone_at(mapped, start), "an IPv4 address written as IPv6 is the same office");
        let stranger: IpAddr = "198.51.100.21".parse().unwrap();
        assert_eq!((0..500).filter(|_| throttle.admits(stranger, start)).count(), LIMIT as usize, "its neighbour is a stranger");
        let later = start + lasting + WINDOW;
        assert!(!phones.has_phone_at(office, later), "the phone's registration ended");
        assert_eq!((0..500).filter(|_| throttle.admits(office, later)).count(), LIMIT as usize, "then a stranger's room again");
    }
}
