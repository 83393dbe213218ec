//! Signing in, the second factor, MFA enrolment, signing out and passwords:
//! one set of rules the HTML pages and the JSON API both call. The edge
//! authenticates the request and turns an opened session into a cookie and
//! a CSRF token; everything decided about credentials is decided here.

mod desk_phone;
mod passwords;
mod second_factor;
mod sessions;
mod throttle;

pub use desk_phone::{DeskPhoneAttempt, DeskPhoneHolder};
pub use second_factor::EnrolmentSecret;

use crate::{AuditAppender, Keys};
use std::sync::Arc;
use trustline_crypto::{PasswordHasher, SecretToken};
use trustline_domain::{Clock, LoginThrottle, PasswordPolicy, SessionStage};
use trustline_store::Store;

/// The sign-in service and what it works with.
#[derive(Clone)]
pub struct SignIn {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<Keys>,
    pub hasher: Arc<PasswordHasher>,
    pub appender: AuditAppender,
    pub throttle: LoginThrottle,
    pub password: PasswordPolicy,
    /// Shown in authenticator apps next to the account name.
    pub issuer: String,
}

/// A session just opened: its secret goes into the cookie, its stage says
/// what the person must do next.
pub struct OpenedSession {
    pub token: SecretToken,
    pub stage: SessionStage,
}
