//! Keeps the SIP edge serving the tenants' trunks as stored: read every
//! few seconds, since any node's API may change them, with their logins
//! opened here, where the keys are.

use std::sync::Arc;
use std::time::Duration;
use trustline_app::{Keys, open_trunk_login};
use trustline_sip::{SipTelephony, TenantTrunk, TrunkLogin};
use trustline_store::{SipTrunk, Store};

/// How soon a trunk added, changed or removed is served.
pub const EVERY: Duration = Duration::from_secs(2);

pub async fn keep_serving(sip: Arc<SipTelephony>, store: Arc<dyn Store>, keys: Arc<Keys>) {
    let mut ticker = tokio::time::interval(EVERY);
    let mut served: Option<Vec<SipTrunk>> = None;
    loop {
        ticker.tick().await;
        match store.every_trunk().await {
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
        tenant: trunk.tenant_id,
        host: trunk.host.clone(),
        port: trunk.port,
        sources: trunk.sources.clone(),
        caller_id: trunk.caller_id.clone(),
        login,
    }
}
