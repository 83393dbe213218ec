//! Where a delivery may go. A webhook URL is chosen by a tenant's
//! administrator, so without care it could make the server call its own
//! network (databases, cloud metadata at 169.254.169.254, admin panels):
//! only public unicast addresses are allowed, checked on the URL and again
//! on every address its host resolves to at delivery time.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether private and local destinations are allowed (an on-premises CRM
/// on the company network); off by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DestinationPolicy {
    pub allow_private: bool,
}

fn v4_public(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Carrier-grade NAT (100.64.0.0/10), benchmarking (198.18.0.0/15), reserved (240.0.0.0/4).
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
        // IETF protocol assignments (192.0.0.0/24).
        || (a == 192 && b == 0 && ip.octets()[2] == 0))
}

fn v6_public(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_public(v4);
    }
    let segments = ip.segments();
    let first = segments.first().copied().unwrap_or(0);
    // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address.
    if first == 0x64 && segments.get(1) == Some(&0xff9b) && segments.get(2..6).is_some_and(|s| s.iter().all(|&x| x == 0)) {
        let [.., a, b, c, d] = ip.octets();
        return v4_public(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local (fc00::/7), link-local (fe80::/10), documentation (2001:db8::/32).
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && segments.get(1) == Some(&0x0db8))
        // The deprecated IPv4-compatible form (::a.b.c.d).
        || segments.get(..6).is_some_and(|s| s.iter().all(|&x| x == 0)))
}

/// Whether a delivery may connect to `ip` under `policy`.
pub fn address_allowed(ip: IpAddr, policy: DestinationPolicy) -> bool {
    policy.allow_private
        || match ip {
            IpAddr::V4(v4) => v4_public(v4),
            IpAddr::V6(v6) => v6_public(v6),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STRICT: DestinationPolicy = DestinationPolicy { allow_private: false };

    fn allowed(text: &str) -> bool {
        address_allowed(text.parse().unwrap(), STRICT)
    }

    #[test]
    fn private_local_and_special_addresses_are_refused() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.10",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
        ] {
            assert!(!allowed(refused), "{refused}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::808:808"] {
            assert!(allowed(public), "{public}");
        }
        assert!(address_allowed("10.1.2.3".parse().unwrap(), DestinationPolicy { allow_private: true }));
    }

    proptest! {
        #[test]
        fn a_mapped_address_is_judged_as_its_ipv4_address(a: u8, b: u8, c: u8, d: u8) {
            let v4 = Ipv4Addr::new(a, b, c, d);
            prop_assert_eq!(address_allowed(IpAddr::V4(v4), STRICT), address_allowed(IpAddr::V6(v4.to_ipv6_mapped()), STRICT));
        }
    }
}
