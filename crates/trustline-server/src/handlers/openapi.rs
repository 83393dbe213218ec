//! Serves the API document. The document is generated from the route table
//! (the `openapi` module), which lists this handler; the state hands the
//! handler the generator, so neither module imports the other's.

use crate::served_document::Installation;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::Value;

/// The OpenAPI document of this server, as this installation applies it.
pub(crate) async fn document(State(state): State<AppState>) -> Json<Value> {
    let installation = Installation {
        allow_private_webhooks: state.config.allow_private_webhooks,
        allow_private_trunks: state.config.allow_private_trunks,
        sip_tls: state.config.sip_tls,
        now: state.clock.now(),
    };
    Json((state.api_document)(&installation))
}

crate::schema_only::schema_only!(
    /// How this document describes itself: an OpenAPI 3.1 document.
    ApiDocument,
    |_| schemars::json_schema!({
        "type": "object",
        "description": "An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0).",
        "required": ["openapi", "info", "paths"],
        "properties": { "openapi": { "type": "string", "pattern": "^3\\.1\\." } },
    })
);
