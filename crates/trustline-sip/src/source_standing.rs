//! How the edge sees the address a request or a connection comes from: a
//! trunk's (the carrier's, never held back), an office's (one agents' desk
//! phones are registered from, given more room: a hundred phones may sit
//! behind its NAT) or a stranger's. One rule for the datagram throttle and
//! the connection door.

use crate::desk_registrar::DeskRegistrar;
use crate::trunk_directory::TrunkDirectory;
use std::net::IpAddr;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    Trunk,
    Office,
    Stranger,
}

/// The standing of `source` at `now`.
pub(crate) fn standing(trunks: &TrunkDirectory, phones: &DeskRegistrar, source: IpAddr, now: Instant) -> Standing {
    let source = source.to_canonical();
    if trunks.owner_of(source).is_some() {
        Standing::Trunk
    } else if phones.has_phone_at(source, now) {
        Standing::Office
    } else {
        Standing::Stranger
    }
}
