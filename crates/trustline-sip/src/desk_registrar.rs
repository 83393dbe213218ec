//! Agents' desk phones registering with the edge (RFC 3261 §10). A phone
//! is no trunk, so it may come from anywhere; what it gets must teach a
//! scanner nothing. Every REGISTER without a valid answer gets the same
//! challenge, and every answer that does not sign in gets the same 403,
//! whether its login exists or not; the installation (through
//! [`DeskPhoneGate`]) checks the answer, throttles guesses per login and
//! address, and audits attempts. A phone signs in over TLS only. Where
//! each agent's phone is (its Contact) is kept here, for as long as its
//! registration lasts.

use crate::digest_header::DigestCredentials;
use crate::edge::{signalling_of, source_ip};
use crate::locks::lock;
use rsipstack::sip::headers::untyped::{Expires, WwwAuthenticate};
use rsipstack::sip::{Header, HeadersExt, Host, StatusCode, ToTypedHeader, Uri};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::SipAddr;
use rsipstack::transport::connection::SipConnection;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};
use trustline_crypto::{DigestAnswer, ValueMac, hex_decode};
use trustline_domain::trunks::SignallingTransport;
use trustline_domain::{TenantId, UserId};
use zeroize::Zeroizing;

/// How long a challenge's nonce is good for.
const NONCE_LIFETIME: u64 = 300;
/// The registration a phone gets when it asks for none, and the most it gets.
const DEFAULT_EXPIRES: u32 = 600;
const MAX_EXPIRES: u32 = 3600;
/// Shorter registrations are raised to this (phones renew well before).
const MIN_EXPIRES: u32 = 60;

/// What the installation decides about a phone signing in.
#[async_trait::async_trait]
pub trait DeskPhoneGate: Send + Sync {
    /// The digest realm phones answer in.
    fn realm(&self) -> &str;
    /// Whose phone this is, if its answer proves its login's password and
    /// it may sign in now; `None` for every other case alike.
    async fn sign_in(&self, attempt: PhoneAttempt) -> Option<PhoneHolder>;
}

/// A phone's answer to a challenge, and how it came.
pub struct PhoneAttempt {
    pub username: String,
    pub answer: DigestAnswer,
    pub source: IpAddr,
    pub over_tls: bool,
    /// It renews a registration it holds.
    pub renewal: bool,
}

/// Who signed a phone in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhoneHolder {
    pub tenant: TenantId,
    pub user: UserId,
}

/// Where an agent's phone is, while its registration lasts.
#[derive(Clone, Debug)]
pub struct PhoneBinding {
    pub tenant: TenantId,
    pub username: String,
    pub contact: Uri,
    /// Where its REGISTER really came from: the connection it keeps open
    /// (behind NAT, or a phone that takes no TLS connections of its own),
    /// which calls to it ride (RFC 5626's flow, without its headers).
    pub(crate) flow: SipAddr,
    until: Instant,
}

impl PhoneBinding {
    /// A binding from now for `lasting`.
    pub(crate) fn new(tenant: TenantId, username: String, contact: Uri, flow: SipAddr, lasting: Duration) -> Self {
        Self { tenant, username, contact, flow, until: Instant::now() + lasting }
    }
}

pub(crate) struct DeskRegistrar {
    gate: RwLock<Option<Arc<dyn DeskPhoneGate>>>,
    nonce_key: ValueMac,
    /// Nonces name their time in seconds since this, so they need no clock.
    started: Instant,
    bindings: Mutex<HashMap<UserId, PhoneBinding>>,
    /// Until when each address has a phone registered from it (an office's
    /// NAT, say): the stranger throttle gives such an address more room.
    offices: Mutex<HashMap<IpAddr, Instant>>,
}

impl Default for DeskRegistrar {
    fn default() -> Self {
        Self {
            gate: RwLock::default(),
            nonce_key: ValueMac::new(Zeroizing::new(rand::random())),
            started: Instant::now(),
            bindings: Mutex::default(),
            offices: Mutex::default(),
        }
    }
}

impl DeskRegistrar {
    /// Phones may register from now on, signed in by `gate`.
    pub fn serve(&self, gate: Arc<dyn DeskPhoneGate>) {
        *self.gate.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(gate);
    }

    fn gate(&self) -> Option<Arc<dyn DeskPhoneGate>> {
        self.gate.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn bindings(&self) -> MutexGuard<'_, HashMap<UserId, PhoneBinding>> {
        // Every change under this lock is one insert or removal.
        lock(&self.bindings)
    }

    /// Keeps `binding` as `user`'s phone, and its address as one with a
    /// phone registered until the binding ends (addresses whose phones all
    /// ended are forgotten as new ones come).
    pub(crate) fn bind(&self, user: UserId, binding: PhoneBinding) {
        if let Host::IpAddr(address) = binding.flow.addr.host {
            let now = Instant::now();
            let mut offices = lock(&self.offices);
            offices.retain(|_, until| *until > now);
            let until = offices.entry(address.to_canonical()).or_insert(binding.until);
            *until = (*until).max(binding.until);
        }
        self.bindings().insert(user, binding);
    }

    /// Whether a phone is registered from `address` now.
    pub fn has_phone_at(&self, address: IpAddr, now: Instant) -> bool {
        let offices = lock(&self.offices);
        offices.get(&address.to_canonical()).is_some_and(|until| *until > now)
    }

    /// Where `user`'s phone is registered now, if it is.
    pub fn binding_of(&self, user: UserId) -> Option<PhoneBinding> {
        let mut bindings = self.bindings();
        match bindings.get(&user) {
            Some(binding) if binding.until > Instant::now() => Some(binding.clone()),
            Some(_) => {
                bindings.remove(&user);
                None
            }
            None => None,
        }
    }

    /// Answers a REGISTER from an address that is no trunk: `false` when
    /// the edge takes no phones, and the caller answers as to any stranger.
    pub async fn answer(&self, tx: &mut Transaction) -> bool {
        let Some(gate) = self.gate() else { return false };
        let status = self.decide(gate.as_ref(), tx).await;
        let reply = match status {
            Decision::Challenge { stale } => {
                let challenge = format!(
                    "Digest realm=\"{}\", nonce=\"{}\", algorithm=MD5, qop=\"auth\"{}",
                    gate.realm(),
                    self.nonce(self.now()),
                    if stale { ", stale=true" } else { "" }
                );
                tx.reply_with(StatusCode::Unauthorized, vec![Header::WwwAuthenticate(WwwAuthenticate::new(challenge))], None).await
            }
            Decision::Registered { contact, expires } => {
                let headers =
                    vec![Header::Contact(format!("<{contact}>;expires={expires}").into()), Header::Expires(Expires::from(expires))];
                tx.reply_with(StatusCode::OK, headers, None).await
            }
            Decision::Refused => tx.reply(StatusCode::Forbidden).await,
        };
        if let Err(error) = reply {
            tracing::debug!(%error, "a desk phone's REGISTER could not be answered");
        }
        true
    }

    async fn decide(&self, gate: &dyn DeskPhoneGate, tx: &Transaction) -> Decision {
        let request = &tx.original;
        let authorization = request.headers.iter().find_map(|header| match header {
            Header::Authorization(value) => Some(value.value().to_owned()),
            _ => None,
        });
        let Some(credentials) = authorization.and_then(|value| DigestCredentials::parse(&value).ok()) else {
            return Decision::Challenge { stale: false };
        };
        match self.nonce_age(&credentials.nonce, self.now()) {
            None => return Decision::Challenge { stale: false },
            Some(age) if age > NONCE_LIFETIME || credentials.realm != gate.realm() => return Decision::Challenge { stale: true },
            Some(_) => {}
        }
        let Some(source) = source_ip(tx) else { return Decision::Refused };
        let flow = request.via_header().ok().and_then(|via| SipConnection::parse_target_from_via(via).ok());
        let Some((transport, flow)) = flow else { return Decision::Refused };
        let flow = SipAddr { r#type: Some(transport), addr: flow };
        let contact = request.contact_header().ok().and_then(|contact| contact.typed().ok()).map(|contact| contact.uri);
        let asked = request.expires_header().and_then(|expires| expires.value().trim().parse::<u32>().ok());
        let renewal = self.bindings().values().any(|binding| binding.username == credentials.username);
        let attempt = PhoneAttempt {
            username: credentials.username.clone(),
            answer: DigestAnswer {
                algorithm: credentials.algorithm,
                method: "REGISTER".into(),
                uri: credentials.uri,
                nonce: credentials.nonce,
                quality: credentials.quality,
                response: credentials.response,
            },
            source,
            over_tls: signalling_of(tx) == SignallingTransport::Tls,
            renewal,
        };
        let Some(holder) = gate.sign_in(attempt).await else { return Decision::Refused };
        let Some(contact) = contact else { return Decision::Refused };
        match asked {
            Some(0) => {
                self.bindings().remove(&holder.user);
                Decision::Registered { contact, expires: 0 }
            }
            asked => {
                let expires = asked.unwrap_or(DEFAULT_EXPIRES).clamp(MIN_EXPIRES, MAX_EXPIRES);
                let lasting = Duration::from_secs(u64::from(expires));
                self.bind(holder.user, PhoneBinding::new(holder.tenant, credentials.username, contact.clone(), flow, lasting));
                Decision::Registered { contact, expires }
            }
        }
    }

    fn now(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// A nonce naming when it was made, with this edge's MAC of that time.
    fn nonce(&self, at: u64) -> String {
        format!("{at}.{}", self.nonce_key.mac_hex(&at.to_be_bytes()))
    }

    /// How old a nonce this edge made is; `None` for one it did not make.
    fn nonce_age(&self, nonce: &str, now: u64) -> Option<u64> {
        let (at, mac) = nonce.split_once('.')?;
        let at = at.parse::<u64>().ok()?;
        let mac = hex_decode(mac)?;
        self.nonce_key.verify(&at.to_be_bytes(), &mac).then(|| now.saturating_sub(at))
    }
}

enum Decision {
    Challenge { stale: bool },
    Registered { contact: Uri, expires: u32 },
    Refused,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_this_edges_and_says_its_age() {
        let registrar = DeskRegistrar::default();
        let nonce = registrar.nonce(1_000);
        assert_eq!(registrar.nonce_age(&nonce, 1_100), Some(100));
        assert_eq!(DeskRegistrar::default().nonce_age(&nonce, 1_100), None, "another edge's key");
        assert_eq!(registrar.nonce_age(&nonce.replace("1000.", "999."), 1_100), None, "a changed time");
        for forged in ["", "1000", "x.y", "1000.", &format!("{nonce}0")] {
            assert_eq!(registrar.nonce_age(forged, 1_100), None, "{forged}");
        }
    }
}
