//! Where the server may be sent by a tenant's administrator: a webhook's
//! URL and a SIP trunk's host are theirs to choose, so without care they
//! could make the server reach its own network (databases, cloud metadata
//! at 169.254.169.254, admin panels): only public unicast addresses are
//! allowed, checked on what is written and again on every address its host
//! resolves to when it is used.
//!
//! The refused blocks are the IANA IPv4 and IPv6 Special-Purpose Address
//! Registries' blocks that are not globally reachable, plus multicast and
//! IPv6 site-local. A few registry blocks that are globally reachable but
//! are anycast services inside a refused block (192.0.0.9/32, 2001:1::1/128
//! and their kin) stay refused with their block: no webhook receiver lives
//! there. Every IPv6 form that carries an IPv4 address (mapped, translated,
//! NAT64, 6to4, Teredo, the deprecated compatible form) is judged by the
//! IPv4 addresses it reaches.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A DNS label, then the top-level label: letters, and never `localhost`
/// (spelled as every other nine-letter word, since the patterns the API
/// document may use have no look-ahead).
macro_rules! public_host_pattern {
    () => {
        concat!(
            "(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+",
            "(?:[a-z]{2,8}|[a-z]{10,63}|[a-km-z][a-z]{8}|l[a-np-z][a-z]{7}|lo[abd-z][a-z]{6}|loc[b-z][a-z]{5}",
            "|loca[a-km-z][a-z]{4}|local[a-gi-z][a-z]{3}|localh[a-np-z][a-z]{2}|localho[a-rt-z][a-z]|localhos[a-su-z])"
        )
    };
}
pub(crate) use public_host_pattern as public_host;

/// Whether private and local destinations are allowed (an on-premises CRM
/// on the company network); off by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DestinationPolicy {
    pub allow_private: bool,
}

/// An IPv4 block no delivery goes to.
struct V4Block {
    prefix: [u8; 4],
    length: u8,
    /// The registry's name for it.
    name: &'static str,
}

const fn v4(prefix: [u8; 4], length: u8, name: &'static str) -> V4Block {
    V4Block { prefix, length, name }
}

/// The IPv4 Special-Purpose Address Registry's blocks that are not globally
/// reachable, the deprecated 6to4 relay anycast, multicast and broadcast.
const V4_REFUSED: [V4Block; 19] = [
    v4([0, 0, 0, 0], 8, "this network (RFC 791)"),
    v4([10, 0, 0, 0], 8, "private use (RFC 1918)"),
    v4([100, 64, 0, 0], 10, "shared address space (RFC 6598)"),
    v4([127, 0, 0, 0], 8, "loopback (RFC 1122)"),
    v4([169, 254, 0, 0], 16, "link local (RFC 3927)"),
    v4([172, 16, 0, 0], 12, "private use (RFC 1918)"),
    v4([192, 0, 0, 0], 24, "IETF protocol assignments (RFC 6890)"),
    v4([192, 0, 2, 0], 24, "documentation, TEST-NET-1 (RFC 5737)"),
    v4([192, 88, 99, 0], 24, "deprecated 6to4 relay anycast (RFC 7526)"),
    v4([192, 168, 0, 0], 16, "private use (RFC 1918)"),
    v4([198, 18, 0, 0], 15, "benchmarking (RFC 2544)"),
    v4([198, 51, 100, 0], 24, "documentation, TEST-NET-2 (RFC 5737)"),
    v4([203, 0, 113, 0], 24, "documentation, TEST-NET-3 (RFC 5737)"),
    v4([224, 0, 0, 0], 4, "multicast (RFC 5771)"),
    v4([240, 0, 0, 0], 4, "reserved (RFC 1112)"),
    v4([255, 255, 255, 255], 32, "limited broadcast (RFC 919)"),
    v4([192, 0, 0, 0], 29, "IPv4 service continuity prefix (RFC 7335)"),
    v4([192, 0, 0, 170], 31, "NAT64/DNS64 discovery (RFC 7050)"),
    v4([0, 0, 0, 0], 32, "this host on this network (RFC 1122)"),
];

fn in_v4_block(ip: Ipv4Addr, block: &V4Block) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(block.length)).unwrap_or(0);
    u32::from(ip) & mask == u32::from_be_bytes(block.prefix) & mask
}

/// The refused block `ip` is in, if any.
fn v4_refusal(ip: Ipv4Addr) -> Option<&'static str> {
    V4_REFUSED.iter().find(|block| in_v4_block(ip, block)).map(|block| block.name)
}

/// Where an IPv6 form keeps the IPv4 addresses it reaches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Carrier {
    /// In the last 32 bits (mapped, translated, NAT64, compatible).
    Last32Bits,
    /// 6to4 (2002:AABB:CCDD::/48) reaches AA.BB.CC.DD.
    SixToFour,
    /// Teredo carries its server's address and, inverted, its client's.
    Teredo,
}

fn v4_of(high: u16, low: u16) -> Ipv4Addr {
    Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))
}

impl Carrier {
    fn carried(self, ip: Ipv6Addr) -> [Ipv4Addr; 2] {
        let [_, a, b, c, _, _, y, z] = ip.segments();
        match self {
            Carrier::Last32Bits => [v4_of(y, z); 2],
            Carrier::SixToFour => [v4_of(a, b); 2],
            Carrier::Teredo => [v4_of(b, c), v4_of(!y, !z)],
        }
    }
}

/// What an IPv6 block means for a delivery.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum V6Rule {
    Refused,
    /// Reaches the IPv4 addresses it carries: allowed when they all are.
    CarriesIpv4(Carrier),
}

struct V6Block {
    prefix: [u16; 8],
    length: u8,
    name: &'static str,
    rule: V6Rule,
}

const fn v6(prefix: [u16; 8], length: u8, name: &'static str, rule: V6Rule) -> V6Block {
    V6Block { prefix, length, name, rule }
}

use Carrier::{Last32Bits, SixToFour, Teredo};
use V6Rule::{CarriesIpv4, Refused};

/// The IPv6 Special-Purpose Address Registry's blocks, most specific
/// first (the first block that holds an address decides), then the
/// address space registry's multicast and deprecated site-local blocks.
const V6_BLOCKS: [V6Block; 20] = [
    v6([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified (RFC 4291)", Refused),
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback (RFC 4291)", Refused),
    v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96, "IPv4-mapped (RFC 4291)", CarriesIpv4(Last32Bits)),
    v6([0, 0, 0, 0, 0xffff, 0, 0, 0], 96, "IPv4-translated (RFC 2765)", CarriesIpv4(Last32Bits)),
    v6([0, 0, 0, 0, 0, 0, 0, 0], 96, "deprecated IPv4-compatible (RFC 4291)", CarriesIpv4(Last32Bits)),
    v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96, "IPv4/IPv6 translation (RFC 6052)", CarriesIpv4(Last32Bits)),
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "local-use IPv4/IPv6 translation (RFC 8215)", Refused),
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only (RFC 6666)", Refused),
    v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64, "dummy IPv6 prefix (RFC 9780)", Refused),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "Teredo (RFC 4380)", CarriesIpv4(Teredo)),
    v6([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48, "benchmarking (RFC 5180)", Refused),
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation (RFC 3849)", Refused),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "IETF protocol assignments (RFC 2928)", Refused),
    v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16, "6to4 (RFC 3056)", CarriesIpv4(SixToFour)),
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, "documentation (RFC 9637)", Refused),
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, "segment routing SIDs (RFC 9602)", Refused),
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique local (RFC 4193)", Refused),
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local unicast (RFC 4291)", Refused),
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "deprecated site-local (RFC 3879)", Refused),
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast (RFC 4291)", Refused),
];

fn in_v6_block(ip: Ipv6Addr, block: &V6Block) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(block.length)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(block.prefix)) & mask
}

/// The refused block `ip` is in, or that an IPv4 address it carries is in.
fn v6_refusal(ip: Ipv6Addr) -> Option<&'static str> {
    match V6_BLOCKS.iter().find(|block| in_v6_block(ip, block)).map(|block| (block.rule, block.name)) {
        None => None,
        Some((Refused, name)) => Some(name),
        Some((CarriesIpv4(carrier), _)) => carrier.carried(ip).into_iter().find_map(v4_refusal),
    }
}

/// Why a delivery may not connect to `ip` under `policy` (the registry
/// block it falls in), or `None` when it may.
pub fn address_refusal(ip: IpAddr, policy: DestinationPolicy) -> Option<&'static str> {
    if policy.allow_private {
        return None;
    }
    match ip {
        IpAddr::V4(v4) => v4_refusal(v4),
        IpAddr::V6(v6) => v6_refusal(v6),
    }
}

/// Whether a delivery may connect to `ip` under `policy`.
pub fn address_allowed(ip: IpAddr, policy: DestinationPolicy) -> bool {
    address_refusal(ip, policy).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STRICT: DestinationPolicy = DestinationPolicy { allow_private: false };

    fn allowed(text: &str) -> bool {
        address_allowed(text.parse().unwrap(), STRICT)
    }

    /// The first and last address of a block.
    fn v4_ends(block: &V4Block) -> [Ipv4Addr; 2] {
        let first = u32::from_be_bytes(block.prefix);
        let size = 1u64 << (32 - block.length);
        [Ipv4Addr::from(first), Ipv4Addr::from(u32::try_from(u64::from(first) + size - 1).unwrap())]
    }

    #[test]
    fn every_ipv4_row_is_refused_end_to_end() {
        for block in &V4_REFUSED {
            for ip in v4_ends(block) {
                assert!(!allowed(&ip.to_string()), "{ip} in {}", block.name);
            }
        }
    }

    /// An address of `block` carrying `v4` where the block carries one.
    fn v6_in(block: &V6Block, v4: Ipv4Addr) -> Ipv6Addr {
        let mut segments = block.prefix;
        let [high, low] = [(u32::from(v4) >> 16) as u16, u32::from(v4) as u16];
        match block.rule {
            CarriesIpv4(SixToFour) => [segments[1], segments[2]] = [high, low],
            CarriesIpv4(Teredo) => [segments[2], segments[3], segments[6], segments[7]] = [high, low, !high, !low],
            CarriesIpv4(Last32Bits) => [segments[6], segments[7]] = [high, low],
            Refused if block.length <= 96 => segments[7] = 1,
            Refused => {}
        }
        Ipv6Addr::from(segments)
    }

    #[test]
    fn every_ipv6_row_is_refused_or_judged_by_the_ipv4_it_carries() {
        let public = Ipv4Addr::new(93, 184, 216, 34);
        for block in &V6_BLOCKS {
            let loopback = v6_in(block, Ipv4Addr::LOCALHOST);
            assert!(in_v6_block(loopback, block), "{loopback} is not in {}", block.name);
            assert!(!address_allowed(IpAddr::V6(loopback), STRICT), "{loopback} in {}", block.name);
            if matches!(block.rule, CarriesIpv4(_)) {
                let reachable = v6_in(block, public);
                assert!(address_allowed(IpAddr::V6(reachable), STRICT), "{reachable} in {}", block.name);
            }
        }
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
            // Found from outside: each once passed as public.
            "::ffff:0:7f00:1",
            "2002:7f00:1::1",
            "2001:0:7f00:1::1",
            "fec0::1",
            "64:ff9b:1::7f00:1",
            // A Teredo address whose client (inverted in the last 32 bits) is 127.0.0.1.
            "2001:0:5db8:d822::80ff:fffe",
        ] {
            assert!(!allowed(refused), "{refused}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "::ffff:93.184.216.34",
            "64:ff9b::808:808",
            "2002:5db8:d822::1",
            "2a00:1450:4001:80b::200e",
        ] {
            assert!(allowed(public), "{public}");
        }
        assert!(address_allowed("10.1.2.3".parse().unwrap(), DestinationPolicy { allow_private: true }));
    }

    proptest! {
        #[test]
        fn a_mapped_address_is_judged_as_its_ipv4_address(a: u8, b: u8, c: u8, d: u8) {
            let v4 = Ipv4Addr::new(a, b, c, d);
            let judged = address_allowed(IpAddr::V4(v4), STRICT);
            prop_assert_eq!(judged, address_allowed(IpAddr::V6(v4.to_ipv6_mapped()), STRICT));
            let six_to_four = Ipv6Addr::new(0x2002, (u32::from(v4) >> 16) as u16, u32::from(v4) as u16, 0, 0, 0, 0, 1);
            prop_assert_eq!(judged, address_allowed(IpAddr::V6(six_to_four), STRICT));
        }
    }
}
