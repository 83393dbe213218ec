use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::verify_tenant;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use trustline_audit::StoredEvent;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    100
}

/// Reading the audit trail is itself recorded.
pub(crate) async fn events(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let events = state.store.audit_events(tenant, page.after.max(0), page.limit.clamp(1, 1000)).await?;
    state
        .appender
        .append(authed.caller.audit(&state, "audit.read", format!("tenant:{tenant}")).detail("after", page.after.to_string()))
        .await?;
    Ok(Json(events))
}

pub(crate) async fn verify(State(state): State<AppState>, authed: Authed) -> Result<Json<Value>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let public_key = state.keys.checkpoint_signer.public_key();
    let verdict = verify_tenant(&state.store, &state.keys.chain, &public_key, tenant).await?;
    // The key evidence bundles and checkpoints verify with, for auditors to keep.
    let signing_key = trustline_crypto::hex(&public_key);
    let body = match verdict {
        Ok(chain) => json!({ "intact": true, "events": chain.events, "checkpoints": chain.checkpoints, "signing_key": signing_key }),
        Err(broken) => {
            json!({ "intact": false, "first_broken_event": broken.seq, "reason": broken.kind.to_string(), "signing_key": signing_key })
        }
    };
    Ok(Json(body))
}
