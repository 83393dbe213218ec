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

/// How this document describes itself: an OpenAPI 3.1 document.
pub(crate) struct ApiDocument;

impl schemars::JsonSchema for ApiDocument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ApiDocument".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0).",
            "required": ["openapi", "info", "paths"],
            "properties": { "openapi": { "type": "string", "pattern": "^3\\.1\\." } },
        })
    }
}
