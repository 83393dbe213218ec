//! Password hashing and checking for the edge. Argon2id takes tens of
//! milliseconds of CPU, so it runs on the blocking pool, off the async workers.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::StatusCode;
use zeroize::Zeroizing;

fn busy() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the server is busy; try again")
}

pub(crate) async fn hash_password(state: &AppState, password: Zeroizing<String>) -> Result<String, ApiError> {
    let hasher = state.hasher.clone();
    tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(|_| busy())?
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "password hashing failed"))
}

/// `stored` is `None` for an unknown account: the same work is done and the
/// answer is `false`, so timing does not reveal which accounts exist.
pub(crate) async fn verify_password(state: &AppState, password: Zeroizing<String>, stored: Option<String>) -> Result<bool, ApiError> {
    let hasher = state.hasher.clone();
    tokio::task::spawn_blocking(move || hasher.verify(&password, stored.as_deref())).await.map_err(|_| busy())
}

pub(crate) fn check_new_password(state: &AppState, password: &str, context: &[&str]) -> Result<(), ApiError> {
    state.config.password.check(password, context).map_err(|e| ApiError::unprocessable("weak_password", e.to_string()))
}
