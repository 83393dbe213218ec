//! Browsers' CSP violation reports: received from anyone, listed for
//! administrators and auditors.

use crate::auth::{Authed, Caller};
use crate::csp_reports::{ANONYMOUS_PER_MINUTE, CspViolation, violations_of};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

/// A signed-in browser's report belongs to its tenant; an anonymous one is
/// logged only, within the per-address limit.
pub(crate) async fn receive(State(state): State<AppState>, caller: Caller, body: Bytes) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    let violations = violations_of(&body, now).map_err(|e| ApiError::new(ErrorCode::InvalidReport, e.to_string()))?;
    match &caller.principal {
        Some(principal) => state.csp_reports.add(principal.tenant.id, &caller.source, violations),
        None if state.csp_reports.add_anonymous(&caller.source, &violations, now) => {}
        None => {
            return Err(ApiError::new(
                ErrorCode::TooManyReports,
                format!("at most {ANONYMOUS_PER_MINUTE} reports a minute are taken from one address without signing in"),
            ));
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The newest reports this node received from the caller's tenant.
pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Json<Vec<CspViolation>> {
    Json(state.csp_reports.newest_first(authed.principal.tenant.id))
}
