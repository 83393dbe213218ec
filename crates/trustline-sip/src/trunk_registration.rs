//! Registering with carriers that send calls only to a registered address:
//! one task per registering trunk, renewed before the registration lapses
//! (and retried with backoff when refused), started and stopped as the
//! trunks served change.

use crate::edge::Edge;
use crate::trunk_directory::{TenantTrunk, TrunkLogin, host_port, transport_param};
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::registration::{RefreshOutcome, Registration};
use rsipstack::sip::typed::Contact;
use rsipstack::sip::{Auth, StatusCode, Uri};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use trustline_domain::TenantId;
use trustline_domain::trunks::SignallingTransport;
use zeroize::Zeroizing;

/// The registration lifetime asked for, in seconds; it is renewed at 75 %.
const EXPIRES: u32 = 600;
/// How long the REGISTER that ends a registration may take.
const UNREGISTER_LIMIT: Duration = Duration::from_secs(5);
/// How long to wait before trying again when the host does not resolve.
const RESOLVE_RETRY: Duration = Duration::from_secs(30);
/// What a registration nobody answered reports.
const NO_ANSWER: &str = "no answer (408): the carrier is unreachable, or over TLS its certificate was refused (it must name the trunk's host and chain to a trusted authority)";

/// One registration: the trunk's tenant, host, port and login name.
type Key = (TenantId, String, u16, String);

/// Reports kept for the reader before new ones are dropped.
pub(crate) const REPORT_BACKLOG: usize = 64;

/// How a trunk's registration went, each time it is tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationReport {
    pub trunk: i64,
    pub outcome: RegistrationOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationOutcome {
    Registered,
    /// The carrier's final answer, e.g. `403 Forbidden`.
    Refused(String),
    /// Why the carrier could not be asked.
    Unreachable(String),
}

impl RegistrationOutcome {
    /// `registered`, `refused` or `unreachable`, and the detail in words.
    pub fn state_and_detail(&self) -> (&'static str, &str) {
        match self {
            RegistrationOutcome::Registered => ("registered", ""),
            RegistrationOutcome::Refused(answer) => ("refused", answer),
            RegistrationOutcome::Unreachable(why) => ("unreachable", why),
        }
    }
}

struct Running {
    password: Zeroizing<String>,
    stop: CancellationToken,
}

pub(crate) struct Registrations {
    running: Mutex<HashMap<Key, Running>>,
    reports: mpsc::Sender<RegistrationReport>,
}

impl Registrations {
    pub fn new(reports: mpsc::Sender<RegistrationReport>) -> Self {
        Self { running: Mutex::default(), reports }
    }

    /// Registers the trunks of `trunks` that ask for it and are not
    /// registering yet, and stops those no longer asked for (or whose
    /// password changed, to start again with the new one).
    pub fn follow(&self, edge: &Arc<Edge>, trunks: &[TenantTrunk]) {
        let wanted: Vec<(Key, &TenantTrunk, &TrunkLogin)> = trunks
            .iter()
            .filter_map(|trunk| trunk.login.as_ref().filter(|login| login.register).map(|login| (trunk, login)))
            .map(|(trunk, login)| ((trunk.tenant, trunk.host.clone(), trunk.port, login.username.clone()), trunk, login))
            .collect();
        let mut running = self.lock();
        running.retain(|key, registration| {
            let kept = wanted.iter().any(|(wanted, _, login)| wanted == key && *login.password == *registration.password);
            if !kept {
                registration.stop.cancel();
            }
            kept
        });
        for (key, trunk, login) in wanted {
            if running.contains_key(&key) {
                continue;
            }
            let stop = edge.stop.child_token();
            running.insert(key, Running { password: login.password.clone(), stop: stop.clone() });
            tokio::spawn(keep_registered(edge.clone(), trunk.clone(), login.clone(), stop, self.reports.clone()));
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Running>> {
        crate::locks::lock(&self.running)
    }
}

async fn keep_registered(
    edge: Arc<Edge>,
    trunk: TenantTrunk,
    login: TrunkLogin,
    stop: CancellationToken,
    reports: mpsc::Sender<RegistrationReport>,
) {
    let tenant = trunk.tenant.0;
    // A reader that falls behind loses reports, never holds up the registration.
    let report = |outcome| {
        let _ = reports.try_send(RegistrationReport { trunk: trunk.id, outcome });
    };
    let Ok(server) = Uri::try_from(format!("sip:{}{}", host_port(&trunk.host, trunk.port), transport_param(trunk.transport)).as_str())
    else {
        tracing::warn!(tenant, host = %trunk.host, "a trunk's host is not a SIP address; it does not register");
        return;
    };
    let destination = loop {
        match edge.trunks.destination(&trunk).await {
            Ok(destination) => break destination,
            Err(error) => {
                tracing::warn!(tenant, %error, "a trunk cannot register yet");
                report(RegistrationOutcome::Unreachable(error.to_string()));
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(RESOLVE_RETRY) => {}
        }
    };
    let credential = Credential { username: login.username.clone(), password: login.password.as_str().to_owned(), ..Credential::default() };
    let mut registration = Registration::new(edge.layer.endpoint.clone(), Some(credential));
    // Over TLS the stack is handed the host's name, which the carrier's
    // certificate must carry; it resolves it under the same rule.
    registration.outbound_proxy = (trunk.transport != SignallingTransport::Tls).then_some(destination);
    registration.contact = Some(binding(&edge, &trunk, &login.username));
    registration
        .keep_alive(server.clone(), EXPIRES, stop, |outcome| match outcome {
            RefreshOutcome::Registered(_) => {
                tracing::info!(tenant, host = %trunk.host, "registered with the carrier");
                report(RegistrationOutcome::Registered);
            }
            // 408 is what the stack makes of no answer at all (RFC 3261 §8.1.3.1):
            // a connection that failed (over TLS, a certificate refused) or a silent carrier.
            RefreshOutcome::Rejected(answer) if answer.status_code == StatusCode::RequestTimeout => {
                tracing::warn!(tenant, host = %trunk.host, "the carrier did not answer the registration");
                report(RegistrationOutcome::Unreachable(NO_ANSWER.to_owned()));
            }
            RefreshOutcome::Rejected(answer) => {
                tracing::warn!(tenant, host = %trunk.host, status = %answer.status_code, "the carrier refused the registration");
                report(RegistrationOutcome::Refused(answer.status_code.to_string()));
            }
            RefreshOutcome::Failed(error) => {
                tracing::warn!(tenant, host = %trunk.host, %error, "the registration failed");
                report(RegistrationOutcome::Unreachable(error.to_string()));
            }
        })
        .await;
    // The trunk was removed or changed: the carrier is told the address is gone.
    if edge.stop.is_cancelled() {
        return;
    }
    match tokio::time::timeout(UNREGISTER_LIMIT, registration.register(server, Some(0))).await {
        Ok(Ok(_)) => tracing::info!(tenant, host = %trunk.host, "unregistered from the carrier"),
        Ok(Err(error)) => tracing::debug!(tenant, %error, "unregistering from the carrier failed"),
        Err(_) => tracing::debug!(tenant, "the carrier did not answer the unregistration in time"),
    }
}

/// The address the carrier is to send the trunk's calls to: the login at
/// the edge's own address for the trunk's transport, saying which (the
/// stack's default names neither, so a carrier would answer a TCP or TLS
/// registration over UDP, where nothing listens for it). Behind NAT the
/// stack puts the address the carrier saw in its place, keeping the rest.
fn binding(edge: &Edge, trunk: &TenantTrunk, username: &str) -> Contact {
    let mut uri = edge.contact_for(trunk.transport);
    uri.auth = Some(Auth { user: username.to_owned(), password: None });
    Contact { display_name: None, uri, params: Vec::new() }
}
