//! How much the edge says to addresses that are not a trunk's. A scanner
//! or a flood gets a few 403s, then silence until it slows down; the
//! carrier's own addresses are never throttled. Every datagram is checked
//! before the SIP stack builds a transaction for it, so a flood costs a
//! map lookup, not a transaction each.

use crate::trunk_directory::TrunkDirectory;
use async_trait::async_trait;
use rsipstack::transaction::endpoint::TransportEventInspector;
use rsipstack::transport::connection::TransportEvent;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use trustline_domain::source_windows::SourceWindows;

/// Requests a stranger may send per window before it is ignored.
const LIMIT: u32 = 20;
const WINDOW: Duration = Duration::from_secs(10);
/// Strangers remembered at once; past this (spoofed sources), new ones are
/// ignored until old windows expire.
const MAX_STRANGERS: usize = 65_536;

pub(crate) struct StrangerThrottle {
    trunks: Arc<TrunkDirectory>,
    strangers: Mutex<SourceWindows>,
}

impl StrangerThrottle {
    pub fn new(trunks: Arc<TrunkDirectory>) -> Self {
        Self { trunks, strangers: Mutex::new(SourceWindows::new(LIMIT, WINDOW, MAX_STRANGERS)) }
    }

    /// Whether a datagram from `source` at `now` is taken.
    fn admits(&self, source: IpAddr, now: Instant) -> bool {
        if self.trunks.owner_of(source.to_canonical()).is_some() {
            return true;
        }
        self.lock().admits(source, now)
    }

    fn lock(&self) -> MutexGuard<'_, SourceWindows> {
        self.strangers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        StrangerThrottle::new(trunks)
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
}
