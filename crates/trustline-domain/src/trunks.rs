//! A tenant's SIP trunk as its administrator writes it: where the carrier
//! takes calls (host and port, held to the same destination rule as a
//! webhook), the addresses its calls come from, the number presented when
//! a call names none, and the digest login the carrier may challenge for.

use crate::contact::{E164, FieldError};
use crate::destination::{DestinationPolicy, address_refusal, public_host};
use crate::pattern_rule::PatternRule;
use crate::text::required_text;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

const MAX_NAME: usize = 80;
const MAX_HOST: usize = 253;
/// A carrier names a handful of signalling addresses; more is a mistake.
pub const MAX_SOURCES: usize = 16;

/// A public DNS name, lower case: what the strict destination policy
/// accepts as a trunk's host, and nothing else.
pub const PUBLIC_HOST_NAME: &str = concat!("^", public_host!(), "$");
static PUBLIC_HOST_NAME_RULE: PatternRule = PatternRule::new(PUBLIC_HOST_NAME);

/// Any DNS name (an installation that allows private destinations also
/// takes IP addresses).
const ANY_HOST_NAME: &str = "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
static ANY_HOST_NAME_RULE: PatternRule = PatternRule::new(ANY_HOST_NAME);

/// The user part of a SIP URI as carriers hand out logins.
pub const DIGEST_USERNAME: &str = "^[A-Za-z0-9._~+-]{1,64}$";
static DIGEST_USERNAME_RULE: PatternRule = PatternRule::new(DIGEST_USERNAME);
/// Printable ASCII, as typed from a carrier's portal; never sent, only hashed.
pub const DIGEST_PASSWORD: &str = "^[ -~]{1,128}$";
static DIGEST_PASSWORD_RULE: PatternRule = PatternRule::new(DIGEST_PASSWORD);

#[derive(Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
// SRTP's keys travel in the signalling: `srtp` needs `transport` `tls`.
#[schemars(extend("anyOf" = [
    { "properties": { "srtp": { "const": false } } },
    { "required": ["srtp", "transport"], "properties": { "srtp": { "const": true }, "transport": { "const": "tls" } } },
]))]
pub struct TrunkInput {
    #[schemars(length(min = 1, max = MAX_NAME), pattern(crate::NOT_BLANK))]
    pub name: String,
    /// Where calls are sent: the carrier's proxy or session border controller.
    #[schemars(with = "TrunkHost")]
    pub host: String,
    /// Default 5060, or 5061 over TLS.
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u16>,
    /// How SIP reaches the carrier and the carrier this side. Default `udp`.
    #[serde(default)]
    pub transport: SignallingTransport,
    /// Calls' audio is SRTP keyed by SDES (RFC 4568): offered on every
    /// call, and a call the carrier answers in clear is ended. The keys
    /// travel in the signalling, so this needs `transport` `tls`. Default false.
    #[serde(default)]
    pub srtp: bool,
    /// The addresses the carrier's calls come from; a call from any other
    /// address is refused. Repeated addresses count once.
    #[serde(default)]
    #[schemars(length(max = MAX_SOURCES), with = "Vec<SourceAddress>")]
    pub sources: Vec<String>,
    /// Presented when a campaign or queue names no number of its own.
    #[schemars(pattern(E164::PATTERN))]
    pub caller_id: Option<String>,
    /// The login the carrier challenges outbound calls for, if it does. A
    /// change without one keeps the trunk's stored login.
    pub digest: Option<DigestInput>,
}

impl std::fmt::Debug for TrunkInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrunkInput").field("name", &self.name).field("host", &self.host).finish_non_exhaustive()
    }
}

#[derive(Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestInput {
    #[schemars(pattern(DIGEST_USERNAME))]
    pub username: String,
    /// Write-only: it is sealed, and never shown again.
    #[schemars(pattern(DIGEST_PASSWORD))]
    pub password: String,
    /// Register with the carrier under this login (REGISTER, renewed
    /// before it lapses), for carriers that send calls only to a
    /// registered address. Default false.
    #[serde(default)]
    pub register: bool,
}

/// How SIP travels between this side and a trunk's carrier. Over TCP the
/// edge opens the connection for its calls and takes the carrier's own on
/// its SIP port (the same number as UDP). Over TLS the carrier's
/// certificate must name the trunk's host and chain to a trusted
/// authority, and the carrier's own connections come to the edge's TLS
/// port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignallingTransport {
    #[default]
    Udp,
    Tcp,
    Tls,
}

impl SignallingTransport {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Tls => "tls",
        }
    }

    /// The port a carrier listens on when its trunk names none (RFC 3261 §19.1.2).
    pub fn default_port(self) -> u16 {
        match self {
            Self::Udp | Self::Tcp => 5060,
            Self::Tls => 5061,
        }
    }

    /// The stored name back; `None` for a name this version does not know.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "udp" => Some(Self::Udp),
            "tcp" => Some(Self::Tcp),
            "tls" => Some(Self::Tls),
            _ => None,
        }
    }
}

/// How the API document describes a trunk's host under the strict
/// destination policy; an installation that allows private destinations
/// serves the document without the pattern.
pub struct TrunkHost;

impl schemars::JsonSchema for TrunkHost {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TrunkHost".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "maxLength": MAX_HOST,
            "pattern": PUBLIC_HOST_NAME,
            "description": "The carrier's public DNS name, in lower case (not an address, not localhost).",
        })
    }
}

/// An IPv4 or IPv6 address, as the API document describes one.
pub struct SourceAddress;

impl schemars::JsonSchema for SourceAddress {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SourceAddress".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "anyOf": [{ "type": "string", "format": "ipv4" }, { "type": "string", "format": "ipv6" }] })
    }
}

/// A checked trunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrunkSettings {
    pub name: String,
    /// Lower case.
    pub host: String,
    pub port: u16,
    pub transport: SignallingTransport,
    pub srtp: bool,
    /// Each once, in the order given.
    pub sources: Vec<IpAddr>,
    pub caller_id: Option<E164>,
    pub digest: Option<DigestLogin>,
}

/// A carrier login. The password leaves this type only to be sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestLogin {
    pub username: String,
    pub password: String,
    pub register: bool,
}

impl std::fmt::Debug for DigestLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestLogin")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("register", &self.register)
            .finish()
    }
}

/// A trunk's host, lower case, if `policy` allows it; otherwise why not.
/// An address a name resolves to is checked again when a call is placed.
pub fn trunk_host(text: &str, policy: DestinationPolicy) -> Result<String, String> {
    if text.len() > MAX_HOST {
        return Err(format!("must be at most {MAX_HOST} characters"));
    }
    if !policy.allow_private {
        return if PUBLIC_HOST_NAME_RULE.accepts(text) {
            Ok(text.to_owned())
        } else {
            Err("must be a public DNS name in lower case (not an address, not localhost)".into())
        };
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return match address_refusal(ip, policy) {
            Some(block) => Err(format!("must not be a private, local or reserved address ({block})")),
            None => Ok(ip.to_string()),
        };
    }
    if ANY_HOST_NAME_RULE.accepts(text) { Ok(text.to_ascii_lowercase()) } else { Err("must be a DNS name or an IP address".into()) }
}

/// What this installation's SIP edge gives tenants' trunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrunkEdge {
    /// Where a trunk's host may be.
    pub destinations: DestinationPolicy,
    /// The edge has a TLS certificate of its own, so a trunk may use `tls`.
    pub tls: bool,
}

impl TrunkInput {
    /// Every problem at once, each with its field.
    pub fn validate(self, edge: TrunkEdge) -> Result<TrunkSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required_text("name", &self.name, MAX_NAME, &mut errors);
        let host = trunk_host(&self.host, edge.destinations).map_err(|reason| errors.push(FieldError::new("host", reason))).ok();
        if self.transport == SignallingTransport::Tls && !edge.tls {
            // Its calls could never connect: refused now rather than at the first call.
            errors.push(FieldError::new(
                "transport",
                "tls needs this installation's SIP edge to have a TLS certificate (serve --sip-tls-cert and --sip-tls-key)",
            ));
        }
        let port = self.port.unwrap_or(self.transport.default_port());
        if port == 0 {
            errors.push(FieldError::new("port", "must be 1 to 65535"));
        }
        if self.srtp && self.transport != SignallingTransport::Tls {
            errors.push(FieldError::new("srtp", "needs transport tls: SDES carries the audio's keys in the signalling"));
        }
        if self.sources.len() > MAX_SOURCES {
            errors.push(FieldError::new("sources", format!("name at most {MAX_SOURCES} addresses")));
        }
        let mut sources = Vec::new();
        for (i, text) in self.sources.iter().enumerate() {
            match text.parse::<IpAddr>() {
                Ok(ip) if !sources.contains(&ip) => sources.push(ip),
                Ok(_) => {}
                Err(_) => errors.push(FieldError::new(format!("sources[{i}]"), "is not an IPv4 or IPv6 address")),
            }
        }
        let caller_id = match self.caller_id.as_deref().map(E164::parse).transpose() {
            Ok(number) => number,
            Err(e) => {
                errors.push(FieldError::new("caller_id", e.to_string()));
                None
            }
        };
        let digest = self.digest.map(|d| {
            if !DIGEST_USERNAME_RULE.accepts(&d.username) {
                errors.push(FieldError::new("digest.username", "must be 1 to 64 letters, digits or . _ ~ + -"));
            }
            if !DIGEST_PASSWORD_RULE.accepts(&d.password) {
                errors.push(FieldError::new("digest.password", "must be 1 to 128 printable ASCII characters"));
            }
            DigestLogin { username: d.username, password: d.password, register: d.register }
        });
        match host {
            Some(host) if errors.is_empty() => {
                Ok(TrunkSettings { name, host, port, transport: self.transport, srtp: self.srtp, sources, caller_id, digest })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema_pattern::assert_agrees;

    const STRICT: TrunkEdge = TrunkEdge { destinations: DestinationPolicy { allow_private: false }, tls: true };
    const OPEN: TrunkEdge = TrunkEdge { destinations: DestinationPolicy { allow_private: true }, tls: true };

    fn input(host: &str) -> TrunkInput {
        TrunkInput { name: "Carrier".into(), host: host.into(), ..TrunkInput::default() }
    }

    fn fields(input: TrunkInput, policy: TrunkEdge) -> Vec<String> {
        input.validate(policy).err().unwrap_or_default().into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_full_trunk_is_read_and_its_sources_counted_once() {
        let trunk = TrunkInput {
            name: "  Main carrier ".into(),
            host: "sip.carrier.example".into(),
            port: Some(5080),
            transport: SignallingTransport::Tcp,
            srtp: false,
            sources: vec!["203.0.113.7".into(), "2001:db8::7".into(), "203.0.113.7".into()],
            caller_id: Some("+442079460990".into()),
            digest: Some(DigestInput { username: "acme-42".into(), password: "s3cret pass".into(), register: true }),
        }
        .validate(STRICT)
        .unwrap();
        assert_eq!((trunk.name.as_str(), trunk.host.as_str(), trunk.port), ("Main carrier", "sip.carrier.example", 5080));
        assert_eq!((trunk.sources.len(), trunk.transport), (2, SignallingTransport::Tcp));
        assert_eq!(trunk.caller_id.unwrap().as_str(), "+442079460990");
        assert!(!format!("{:?}", trunk.digest).contains("s3cret"), "the password stays out of debug output");
        let plain = input("sip.carrier.example").validate(STRICT).unwrap();
        assert_eq!((plain.port, plain.transport), (5060, SignallingTransport::Udp));
        let secure =
            TrunkInput { transport: SignallingTransport::Tls, srtp: true, ..input("sip.carrier.example") }.validate(STRICT).unwrap();
        assert_eq!((secure.port, secure.srtp), (5061, true), "TLS's own port when none is named");
        let no_certificate = TrunkEdge { tls: false, ..STRICT };
        let tls = TrunkInput { transport: SignallingTransport::Tls, ..input("sip.carrier.example") };
        assert_eq!(fields(tls, no_certificate), ["transport"], "an edge without a certificate cannot carry it");
        assert!(input("sip.carrier.example").validate(no_certificate).is_ok(), "UDP needs none");
        for transport in [SignallingTransport::Udp, SignallingTransport::Tcp, SignallingTransport::Tls] {
            assert_eq!(SignallingTransport::parse(transport.as_str()), Some(transport));
        }
        assert_eq!(SignallingTransport::parse("sctp"), None);
    }

    #[test]
    fn the_strict_policy_takes_public_names_only() {
        for refused in ["127.0.0.1", "10.0.0.1", "localhost", "sip.localhost", "SIP.carrier.example", "carrier", "sip..example", ""] {
            assert_eq!(fields(input(refused), STRICT), ["host"], "{refused:?}");
        }
        assert_eq!(fields(input("sip.carrier.example"), STRICT), Vec::<String>::new());
    }

    #[test]
    fn an_open_installation_takes_addresses_and_local_names() {
        assert_eq!(input("127.0.0.1").validate(OPEN).unwrap().host, "127.0.0.1");
        assert_eq!(input("SBC-1").validate(OPEN).unwrap().host, "sbc-1");
        assert_eq!(input("::1").validate(OPEN).unwrap().host, "::1");
        assert_eq!(fields(input("sbc_1"), OPEN), ["host"]);
        assert_eq!(fields(input("http://sbc"), OPEN), ["host"]);
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let bad = TrunkInput {
            name: "   ".into(),
            host: "127.0.0.1".into(),
            port: Some(0),
            transport: SignallingTransport::Udp,
            srtp: true,
            sources: vec!["1.2.3.4".into(), "not-an-address".into()],
            caller_id: Some("0207946".into()),
            digest: Some(DigestInput { username: "a b".into(), password: "tab\there".into(), register: false }),
        };
        assert_eq!(fields(bad, STRICT), ["name", "host", "port", "srtp", "sources[1]", "caller_id", "digest.username", "digest.password"]);
        let many = TrunkInput { sources: (0..17).map(|i| format!("192.0.2.{i}")).collect(), ..input("sip.carrier.example") };
        assert_eq!(fields(many, STRICT), ["sources"]);
    }

    #[test]
    fn the_documented_patterns_are_the_rules() {
        for text in ["sip.carrier.example", "a.bc", "localhost", "x.localhost", "x.localhosts", "Sip.example.com", "1.2.3.4", "-a.com"] {
            assert_agrees(PUBLIC_HOST_NAME, text, trunk_host(text, STRICT.destinations).is_ok());
        }
    }

    #[test]
    fn logins_are_what_carriers_hand_out() {
        let digest_errors = |username: &str, password: &str| {
            let digest = Some(DigestInput { username: username.into(), password: password.into(), register: false });
            fields(TrunkInput { digest, ..input("sip.carrier.example") }, STRICT)
        };
        assert!(digest_errors("acme.42_x~+-", "pass word!~").is_empty());
        for username in ["a b", "", &"x".repeat(65), "ü", "a@b"] {
            assert_eq!(digest_errors(username, "p"), ["digest.username"], "{username:?}");
        }
        for password in ["", "tab\t", &"x".repeat(129), "é"] {
            assert_eq!(digest_errors("acme", password), ["digest.password"], "{password:?}");
        }
    }

    proptest::proptest! {
        /// Whatever the strict rule accepts is a name the open rule accepts
        /// unchanged: a trunk saved under either policy reads back the same.
        #[test]
        fn strict_hosts_are_open_hosts(host in "(?:[a-z0-9]{1,5}\\.){1,3}[a-z]{2,10}") {
            if let Ok(strict) = trunk_host(&host, STRICT.destinations) {
                proptest::prop_assert_eq!(trunk_host(&host, OPEN.destinations), Ok(strict));
            }
        }
    }
}
