use axum::Json;
use serde_json::Value;
use std::sync::LazyLock;

static DOCUMENT: LazyLock<Value> = LazyLock::new(crate::openapi::document);

/// The OpenAPI document of this server.
pub(crate) async fn document() -> Json<Value> {
    Json(DOCUMENT.clone())
}
