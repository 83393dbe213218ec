//! Keeps the SIP edge serving the tenants' trunks as stored: read every
//! few seconds, since any node's API may change them, with their logins
//! opened here, where the keys are.

use std::sync::Arc;
use std::time::Duration;
use trustline_app::{Keys, SystemClock, open_trunk_login};
use trustline_domain::Clock;
use trustline_sip::{RegistrationReport, SipTelephony, TenantTrunk, TrunkLogin};
use trustline_store::{SipTrunk, Store, TrunkRegistration};

/// How soon a trunk added, changed or removed is served.
pub const EVERY: Duration = Duration::from_secs(2);

pub async fn keep_serving(sip: Arc<SipTelephony>, store: Arc<dyn Store>, keys: Arc<Keys>) {
    if let Some(reports) = sip.registration_reports() {
        tokio::spawn(record_registrations(reports, store.clone()));
    }
    let mut ticker = tokio::time::interval(EVERY);
    let mut served: Option<Vec<SipTrunk>> = None;
    loop {
        ticker.tick().await;
        // How registrations go is reported, not served: it changes nothing here.
        let trunks = store.every_trunk().await.map(|trunks| trunks.into_iter().map(|t| SipTrunk { registration: None, ..t }).collect());
        match trunks {
            Ok(trunks) if served.as_ref() != Some(&trunks) => {
                sip.serve_tenant_trunks(trunks.iter().map(|trunk| edge_trunk(trunk, &keys)).collect());
                tracing::info!(trunks = trunks.len(), "serving the tenants' SIP trunks");
                served = Some(trunks);
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the tenants' SIP trunks could not be read; the last ones read are served"),
        }
    }
}

/// Keeps how each trunk's registration went, for the console and the API.
async fn record_registrations(mut reports: tokio::sync::mpsc::Receiver<RegistrationReport>, store: Arc<dyn Store>) {
    while let Some(report) = reports.recv().await {
        let (state, detail) = report.outcome.state_and_detail();
        let registration = TrunkRegistration { state: state.to_owned(), detail: detail.to_owned(), at: SystemClock.now() };
        if let Err(error) = store.record_trunk_registration(report.trunk, registration).await {
            tracing::warn!(%error, trunk = report.trunk, "a trunk's registration could not be recorded");
        }
    }
}

fn edge_trunk(trunk: &SipTrunk, keys: &Keys) -> TenantTrunk {
    let login = trunk.digest.as_ref().and_then(|sealed| match open_trunk_login(keys, trunk.tenant_id, sealed) {
        Ok(password) => Some(TrunkLogin { username: sealed.username.clone(), password, register: sealed.register }),
        Err(_) => {
            // Its calls go out unauthenticated, and a challenging carrier refuses them.
            tracing::error!(tenant = trunk.tenant_id.0, trunk = trunk.id, "a trunk's digest password does not open");
            None
        }
    });
    TenantTrunk {
        id: trunk.id,
        tenant: trunk.tenant_id,
        host: trunk.host.clone(),
        port: trunk.port,
        transport: trunk.transport,
        sources: trunk.sources.clone(),
        caller_id: trunk.caller_id.clone(),
        login,
        srtp: trunk.srtp,
    }
}
