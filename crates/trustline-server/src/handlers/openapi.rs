use crate::openapi::{Installation, document_for};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::Value;
use std::sync::LazyLock;

static DOCUMENT: LazyLock<Value> = LazyLock::new(crate::openapi::document);

/// The OpenAPI document of this server, as this installation applies it.
pub(crate) async fn document(State(state): State<AppState>) -> Json<Value> {
    let installation = Installation { allow_private_webhooks: state.config.allow_private_webhooks, now: state.clock.now() };
    Json(document_for(&DOCUMENT, &installation))
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
