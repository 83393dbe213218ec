//! Whether a privileged sign-in comes from a network the account has not
//! used before: the /24 of an IPv4 address, the /48 of an IPv6 one.

use std::net::IpAddr;

/// The network an address belongs to, for comparison.
pub fn network_of(address: &str) -> Option<String> {
    match address.trim().parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}::/48", s.first()?, s.get(1)?, s.get(2)?))
        }
    }
}

/// A sign-in from `current` is from a new network when the account has
/// signed in before and never from that network (no history, no baseline).
pub fn is_new_network(current: &str, earlier: &[String]) -> bool {
    let Some(network) = network_of(current) else { return false };
    !earlier.is_empty() && !earlier.iter().any(|e| network_of(e).as_deref() == Some(network.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_compared_not_addresses() {
        assert_eq!(network_of("203.0.113.9").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(network_of("2001:db8:1:2::5").as_deref(), Some("2001:db8:1::/48"));
        assert_eq!(network_of("not an address"), None);
        let seen = vec!["203.0.113.9".to_owned()];
        assert!(!is_new_network("203.0.113.77", &seen), "same /24");
        assert!(is_new_network("198.51.100.4", &seen));
        assert!(!is_new_network("198.51.100.4", &[]), "a first sign-in has no baseline");
    }
}
