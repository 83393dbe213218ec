//! The sign-in throttle as signing in and confirming one's own password
//! share it: which counters a guess counts against, whether they allow
//! another try, and the refusal when they do not.

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use trustline_domain::ThrottleVerdict;

pub(crate) fn throttled() -> ApiError {
    ApiError::new(ErrorCode::TooManyAttempts, "too many failed sign-in attempts; wait a few minutes and try again")
}

/// Throttling keys of a password guess (signing in, or confirming one's
/// current password): the account as typed (whether or not it exists) and
/// the address.
pub(crate) fn throttle_keys(state: &AppState, tenant: &str, username: &str, source: &str) -> [String; 2] {
    let typed = format!("{}\n{}", tenant.trim().to_ascii_lowercase(), username.trim().to_ascii_lowercase());
    [format!("account:{}", state.keys.throttle.mac_hex(typed.as_bytes())), format!("address:{source}")]
}

pub(crate) async fn throttle_verdict(state: &AppState, keys: &[String; 2]) -> Result<ThrottleVerdict, ApiError> {
    let since = state.config.throttle.window_start(state.clock.now());
    let [account, address] = keys;
    let account = state.store.login_failures(account, since).await?;
    let address = state.store.login_failures(address, since).await?;
    Ok(state.config.throttle.verdict(account, address))
}

/// The MAC incident detection groups password guesses by.
pub(crate) fn username_mac(state: &AppState, username: &str) -> String {
    state.keys.audit_values.mac_hex(username.trim().to_ascii_lowercase().as_bytes())
}
