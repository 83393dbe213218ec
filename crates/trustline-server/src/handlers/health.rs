use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// What the liveness probe answers.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Live {
    #[schemars(extend("const" = "ok"))]
    status: &'static str,
}

/// Liveness: the process answers.
pub(crate) async fn live() -> Json<Live> {
    Json(Live { status: "ok" })
}

/// What the readiness probe answers.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Ready {
    #[schemars(extend("const" = "ready"))]
    status: &'static str,
    /// `sqlite` or `postgres`.
    engine: &'static str,
}

/// Readiness: the database accepts a write transaction on the audit log.
pub(crate) async fn ready(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    state.store.check_ready().await?;
    Ok(Json(Ready { status: "ready", engine: state.store.engine() }))
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found()
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "this method is not supported on this path")
}
