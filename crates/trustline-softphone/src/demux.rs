//! Which session, on which shard, a datagram arriving on the port is for.
//! A source address is learned from the first connectivity check that
//! names a session's ufrag; DTLS and SRTP then follow the address. A
//! datagram that neither names a session nor comes from a learned address
//! is dropped unread.

use crate::ice_name::addressed_ufrag;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

/// A session's place: the shard driving it and its number there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub shard: usize,
    pub id: u64,
}

/// Source addresses one session may be reached from: a browser checks a
/// few candidate pairs, so a handful is plenty, and a peer that knows its
/// ufrag cannot grow the table without bound.
const ADDRESSES_PER_SESSION: usize = 8;

#[derive(Default)]
pub(crate) struct Demux {
    tables: Mutex<Tables>,
}

#[derive(Default)]
struct Tables {
    ufrags: HashMap<String, Place>,
    routes: HashMap<SocketAddr, Place>,
}

impl Demux {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        // The tables are consistent between statements; a panic elsewhere leaves them usable.
        self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn add(&self, ufrag: String, place: Place) {
        self.lock().ufrags.insert(ufrag, place);
    }

    pub fn remove(&self, id: u64) {
        let mut tables = self.lock();
        tables.ufrags.retain(|_, place| place.id != id);
        tables.routes.retain(|_, place| place.id != id);
    }

    /// Where `datagram` from `source` goes, if anywhere.
    pub fn place_of(&self, datagram: &[u8], source: SocketAddr) -> Option<Place> {
        let mut tables = self.lock();
        let named = addressed_ufrag(datagram).and_then(|ufrag| tables.ufrags.get(ufrag).copied());
        match named {
            // A check names its session even from a known address: a desk that reconnects keeps its address.
            Some(place) => {
                if tables.routes.get(&source) != Some(&place)
                    && tables.routes.values().filter(|other| **other == place).count() < ADDRESSES_PER_SESSION
                {
                    tables.routes.insert(source, place);
                }
                Some(place)
            }
            None => tables.routes.get(&source).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Demux, Place};
    use std::net::SocketAddr;

    fn check(ufrag: &str) -> Vec<u8> {
        let name = format!("{ufrag}:browser");
        let mut message = vec![0x00, 0x01, 0x00, (4 + name.len()).div_ceil(4) as u8 * 4, 0x21, 0x12, 0xa4, 0x42];
        message.extend_from_slice(&[1; 12]);
        message.extend_from_slice(&[0x00, 0x06, 0x00, name.len() as u8]);
        message.extend_from_slice(name.as_bytes());
        message.resize(message.len().div_ceil(4) * 4, 0);
        message
    }

    fn address(port: u16) -> SocketAddr {
        SocketAddr::from(([198, 51, 100, 7], port))
    }

    #[test]
    fn a_check_naming_a_session_routes_its_address_there() {
        let demux = Demux::default();
        let one = Place { shard: 0, id: 1 };
        let two = Place { shard: 1, id: 2 };
        demux.add("one1".into(), one);
        demux.add("two2".into(), two);
        let srtp = [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(demux.place_of(&srtp, address(5000)), None, "an address no check came from");
        assert_eq!(demux.place_of(&check("nobody"), address(5000)), None, "a check naming no session");
        assert_eq!(demux.place_of(&check("two2"), address(5000)), Some(two));
        assert_eq!(demux.place_of(&srtp, address(5000)), Some(two), "media follows the address");
        assert_eq!(demux.place_of(&check("one1"), address(5001)), Some(one));
        demux.remove(2);
        assert_eq!(demux.place_of(&srtp, address(5000)), None, "a closed session's address is forgotten");
        assert_eq!(demux.place_of(&check("two2"), address(5000)), None, "and its ufrag");
        assert_eq!(demux.place_of(&srtp, address(5001)), Some(one));
    }

    #[test]
    fn one_session_learns_a_bounded_number_of_addresses() {
        let demux = Demux::default();
        let one = Place { shard: 0, id: 1 };
        demux.add("one1".into(), one);
        for port in 0..100 {
            assert_eq!(demux.place_of(&check("one1"), address(6000 + port)), Some(one), "checks still reach the session");
        }
        let srtp = [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        let learned = (0..100).filter(|port| demux.place_of(&srtp, address(6000 + port)).is_some()).count();
        assert_eq!(learned, super::ADDRESSES_PER_SESSION);
    }
}
