//! The one error of the application services that are not a single store
//! call: what went wrong, in the terms of the service. The HTTP edge maps
//! each to a status and a machine-readable code in one place; the command
//! line prints it.

use trustline_domain::contact::FieldError;
use trustline_domain::incidents::StatusChangeError;
use trustline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("too many failed sign-in attempts; wait a few minutes and try again")]
    TooManyGuesses,
    #[error("too many wrong codes for this account; wait a few minutes and try again")]
    TooManyCodes,
    #[error("the organisation, username or password is not correct")]
    InvalidCredentials,
    #[error("the code is not correct or was already used")]
    InvalidCode,
    #[error("the current password is not correct")]
    WrongPassword,
    /// Why the new password was refused (never the password itself).
    #[error("{0}")]
    WeakPassword(String),
    #[error("no authenticator is set up for this account")]
    MfaNotEnrolled,
    #[error("an authenticator is already set up; an administrator can reset it")]
    MfaAlreadyEnrolled,
    #[error("start enrolment first")]
    NoEnrolmentPending,
    #[error("the stored MFA secret cannot be opened; ask an administrator to reset MFA")]
    MfaSeedUnreadable,
    /// Input names things this tenant does not have.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    UnknownReference(Vec<FieldError>),
    #[error("say what changed: status, owner, note, root cause, lessons or the breach")]
    EmptyChange,
    #[error("the incident already is as asked: nothing changed")]
    NoChange,
    #[error("only a declared personal-data breach has a regulator notification")]
    NotABreach,
    #[error(transparent)]
    IllegalIncidentChange(StatusChangeError),
    /// The blocking pool that hashes passwords did not answer.
    #[error("the server is busy; try again")]
    Busy,
    #[error("{0}")]
    Internal(&'static str),
}
