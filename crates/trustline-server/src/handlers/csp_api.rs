//! Browsers' CSP violation reports: received from anyone, listed for
//! administrators and auditors.

use crate::auth::Authed;
use crate::csp_reports::{CspViolation, violations_of};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

pub(crate) async fn receive(State(state): State<AppState>, body: Bytes) -> Result<StatusCode, ApiError> {
    let violations =
        violations_of(&body, state.clock.now()).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_report", e.to_string()))?;
    state.csp_reports.add(violations);
    Ok(StatusCode::NO_CONTENT)
}

/// The newest reports this node received.
pub(crate) async fn list(State(state): State<AppState>, _authed: Authed) -> Json<Vec<CspViolation>> {
    Json(state.csp_reports.newest_first())
}
