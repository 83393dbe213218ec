//! The TURN relay desks may send their audio through when their network
//! lets no UDP reach the softphone port (a strict corporate firewall, some
//! home routers). Each desk gets its own password, valid for a shift, which
//! the relay checks against the secret it shares with this installation.

use std::fmt;
use std::sync::Arc;
use trustline_crypto::RelaySecret;
use trustline_domain::UnixTime;

/// How long a relay password is good for: a shift, since the desk's
/// connection stays open all through work and the relay checks the
/// password again each time the desk renews its allocation.
pub const RELAY_CREDENTIAL_SECONDS: i64 = 12 * 3_600;

#[derive(Clone, Debug)]
pub struct DeskRelay {
    urls: Vec<RelayUrl>,
    secret: Arc<RelaySecret>,
    relay_only: bool,
}

/// What a desk hands its `RTCPeerConnection` (one `iceServers` entry).
#[derive(Debug, PartialEq, Eq)]
pub struct RelayCredential {
    pub urls: Vec<String>,
    pub username: String,
    pub password: String,
    pub expires_at: UnixTime,
}

impl DeskRelay {
    /// `relay_only`: desks send all audio through the relay, never straight
    /// to the softphone port (their own addresses stay hidden from it).
    pub fn new(urls: Vec<RelayUrl>, secret: RelaySecret, relay_only: bool) -> Self {
        Self { urls, secret: Arc::new(secret), relay_only }
    }

    pub fn relay_only(&self) -> bool {
        self.relay_only
    }

    /// The password of `desk` (the user at it) from `now` for a shift.
    pub fn credential_for(&self, desk: impl fmt::Display, now: UnixTime) -> RelayCredential {
        let expires_at = now.saturating_add(RELAY_CREDENTIAL_SECONDS);
        let username = format!("{expires_at}:{desk}");
        RelayCredential {
            urls: self.urls.iter().map(|url| url.0.clone()).collect(),
            password: self.secret.password_for(&username),
            username,
            expires_at,
        }
    }
}

/// A TURN server's address as browsers take it (RFC 7065):
/// `turn:host[:port][?transport=udp|tcp]`, or `turns:` for TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayUrl(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidRelayUrl {
    #[error("a TURN address starts with turn: or turns: (got {0:?})")]
    Scheme(String),
    #[error("a TURN address needs a host name or address (got {0:?})")]
    Host(String),
    #[error("a TURN address's port is a number from 1 to 65535 (got {0:?})")]
    Port(String),
    #[error("a TURN address's only option is transport=udp or transport=tcp (got {0:?})")]
    Transport(String),
}

impl std::str::FromStr for RelayUrl {
    type Err = InvalidRelayUrl;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let rest =
            text.strip_prefix("turn:").or_else(|| text.strip_prefix("turns:")).ok_or_else(|| InvalidRelayUrl::Scheme(text.to_owned()))?;
        let (place, query) = rest.split_once('?').unwrap_or((rest, ""));
        if !query.is_empty() && query != "transport=udp" && query != "transport=tcp" {
            return Err(InvalidRelayUrl::Transport(query.to_owned()));
        }
        let (host, port) = match place.strip_prefix('[') {
            Some(bracketed) => {
                let (address, after) = bracketed.split_once(']').ok_or_else(|| InvalidRelayUrl::Host(text.to_owned()))?;
                if address.parse::<std::net::Ipv6Addr>().is_err() {
                    return Err(InvalidRelayUrl::Host(text.to_owned()));
                }
                (address, after.strip_prefix(':'))
            }
            None => match place.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (place, None),
            },
        };
        let host_ok = !host.is_empty() && (host.contains(':') || host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
        if !host_ok {
            return Err(InvalidRelayUrl::Host(text.to_owned()));
        }
        if let Some(port) = port
            && !port.parse::<u16>().is_ok_and(|port| port > 0)
        {
            return Err(InvalidRelayUrl::Port(port.to_owned()));
        }
        Ok(Self(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_addresses_are_taken_as_browsers_take_them() {
        for good in [
            "turn:relay.example.com",
            "turn:198.51.100.7:3478?transport=udp",
            "turns:relay.example.com:5349?transport=tcp",
            "turn:[2001:db8::7]:3478",
        ] {
            assert!(good.parse::<RelayUrl>().is_ok(), "{good}");
        }
        let bad = [
            ("stun:relay.example.com", InvalidRelayUrl::Scheme("stun:relay.example.com".into())),
            ("turn:", InvalidRelayUrl::Host("turn:".into())),
            ("turn:relay example", InvalidRelayUrl::Host("turn:relay example".into())),
            ("turn:[relay]:3478", InvalidRelayUrl::Host("turn:[relay]:3478".into())),
            ("turn:relay.example.com:0", InvalidRelayUrl::Port("0".into())),
            ("turn:relay.example.com:99999", InvalidRelayUrl::Port("99999".into())),
            ("turn:relay.example.com?transport=sctp", InvalidRelayUrl::Transport("transport=sctp".into())),
        ];
        for (text, error) in bad {
            assert_eq!(text.parse::<RelayUrl>(), Err(error), "{text}");
        }
    }

    #[test]
    fn a_desk_credential_names_its_expiry_and_is_the_relay_secrets_hmac() {
        let secret = RelaySecret::from_text("north-wind-relay-secret").unwrap();
        let relay = DeskRelay::new(vec!["turn:relay.example.com".parse().unwrap()], secret, false);
        let credential = relay.credential_for("desk-7", 1_796_616_000);
        assert_eq!(credential.expires_at, 1_796_616_000 + RELAY_CREDENTIAL_SECONDS);
        assert_eq!(credential.username, "1796659200:desk-7");
        assert_eq!(credential.password, "YRt1TmA9Mma3Szq0lMftYuDMDJw=");
        assert_eq!(credential.urls, vec!["turn:relay.example.com".to_owned()]);
        assert_ne!(relay.credential_for("desk-8", 1_796_616_000).password, credential.password);
    }
}
