//! The CSRF token of a session: a MAC of the session, so the server keeps
//! nothing more and a token is good for its own session only.

use crate::state::AppState;
use subtle::ConstantTimeEq;

pub(crate) fn csrf_token(state: &AppState, session_digest: &[u8; 32]) -> String {
    state.keys.csrf.mac_hex(session_digest)
}

/// Constant-time, so the token cannot be guessed byte by byte.
pub(crate) fn equal(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}
