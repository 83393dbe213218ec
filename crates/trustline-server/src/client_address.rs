//! Which address a request came from. Behind a load balancer the socket peer
//! is the balancer; its `X-Forwarded-For` is believed only when the peer is a
//! configured trusted proxy, and then only up to the first hop that is not.

use std::net::IpAddr;

/// One trusted proxy address or network, e.g. `10.0.0.5` or `10.0.0.0/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyNetwork {
    address: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)")]
pub struct InvalidProxyNetwork(pub String);

impl std::str::FromStr for ProxyNetwork {
    type Err = InvalidProxyNetwork;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidProxyNetwork(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let address: IpAddr = address.parse().map_err(|_| invalid())?;
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= width).ok_or_else(invalid)?,
            None => width,
        };
        Ok(Self { address, prefix })
    }
}

impl ProxyNetwork {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32u32),
            IpAddr::V6(v6) => (u128::from(v6), 128u32),
        };
        let ((net, width), (candidate, candidate_width)) = (bits(self.address), bits(ip));
        if width != candidate_width {
            return false;
        }
        let host_bits = width - u32::from(self.prefix);
        net.checked_shr(host_bits) == candidate.checked_shr(host_bits)
    }
}

/// The client address for a request from `peer` carrying `forwarded_for`.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[ProxyNetwork]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    let mut client = peer;
    for hop in header.rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let net: ProxyNetwork = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.200.1.2")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::1")));
        let one: ProxyNetwork = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let all: ProxyNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")));
        let v6: ProxyNetwork = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")));
        for bad in ["", "10.0.0.0/33", "nope", "10.0.0.1/x", "::/129"] {
            assert!(bad.parse::<ProxyNetwork>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        // Untrusted peer: the header is ignored (it could be forged).
        assert_eq!(client_address(ip("198.51.100.4"), Some("203.0.113.9"), &trusted), ip("198.51.100.4"));
        // Trusted peer: the nearest untrusted hop is the client.
        assert_eq!(client_address(ip("10.0.0.2"), Some("203.0.113.9"), &trusted), ip("203.0.113.9"));
        assert_eq!(client_address(ip("10.0.0.2"), Some("1.2.3.4, 203.0.113.9, 10.0.0.7"), &trusted), ip("203.0.113.9"));
        // Garbage in the header stops the walk at the last good hop.
        assert_eq!(client_address(ip("10.0.0.2"), Some("evil, 10.0.0.9"), &trusted), ip("10.0.0.9"));
        assert_eq!(client_address(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
    }
}
