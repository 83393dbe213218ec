use crate::error_code::ErrorCode;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use trustline_domain::contact::FieldError;
use trustline_store::StoreError;
use trustline_vault::VaultError;

/// The one error type at the edge: a stable machine-readable code (which
/// fixes the HTTP status) and a message for people. Messages never echo
/// secrets or stored data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Which input fields broke which rule, when there are several.
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new() }
    }
    /// Input whose fields broke rules (422), or are well formed but conflict
    /// with what the tenant has set up now (409): every field and reason is
    /// listed.
    pub fn with_fields(code: ErrorCode, fields: Vec<FieldError>) -> Self {
        let message = fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        Self { fields, ..Self::new(code, message) }
    }
    /// Input that names things this tenant does not have (a list, a user,
    /// a queue, a disposition code).
    pub fn unknown_references(fields: Vec<FieldError>) -> Self {
        Self::with_fields(ErrorCode::UnknownReference, fields)
    }
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }
    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "sign in first")
    }
    /// Routes of one's own session refuse API tokens.
    pub fn session_required() -> Self {
        Self::new(ErrorCode::SessionRequired, "API tokens cannot use this route")
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "your role does not allow this action")
    }
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "no such resource")
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    fields: &'a [FieldError],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body { error: Inner { code: self.code.name(), message: &self.message, fields: &self.fields } };
        (self.code.status(), axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(what) => ApiError::new(ErrorCode::Conflict, format!("{what} already exists")),
            // Like any name of something the tenant lacks: 409.
            StoreError::NumberNotAssigned => ApiError::new(
                ErrorCode::NumberNotAssigned,
                "this number is not one of your organisation's inbound numbers; ask the operator to assign it",
            ),
            StoreError::NumberInUse => ApiError::new(ErrorCode::NumberInUse, "a queue answers this number; change the queue first"),
            StoreError::LastOwner => {
                ApiError::new(ErrorCode::LastOwner, "this is the last enabled owner of the organisation; make another owner first")
            }
            StoreError::AuditWrite(source) => {
                tracing::error!(error = %source, "audit write failed; request refused");
                ApiError::new(ErrorCode::AuditUnavailable, "the audit log could not be written; nothing was changed")
            }
            StoreError::Unavailable(source) => {
                tracing::error!(error = %source, "database unavailable");
                ApiError::new(ErrorCode::DatabaseUnavailable, "the database is unavailable; try again")
            }
            StoreError::StaleMasterKey => {
                tracing::error!("this node holds a replaced master key; restart it with the new one");
                ApiError::new(ErrorCode::StaleMasterKey, "this server must be restarted after a master key rotation")
            }
            StoreError::LeaseLost => ApiError::new(
                ErrorCode::NodeUnreachable,
                "the node carrying this step no longer holds the organisation's calls; nothing was done; try again",
            ),
            StoreError::Snapshot(why) => ApiError::new(ErrorCode::SnapshotUnusable, format!("the backup cannot be restored: {why}")),
            StoreError::Corrupt(what) => {
                tracing::error!(%what, "stored data failed to decode");
                ApiError::new(ErrorCode::Internal, "stored data is invalid")
            }
        }
    }
}

impl From<trustline_app::AppError> for ApiError {
    fn from(error: trustline_app::AppError) -> Self {
        use trustline_app::AppError;
        let message = error.to_string();
        let code = match error {
            AppError::Store(e) => return e.into(),
            AppError::UnknownReference(fields) => return ApiError::unknown_references(fields),
            AppError::EmptyChange => ErrorCode::EmptyChange,
            AppError::NoChange => ErrorCode::NoChange,
            AppError::NotABreach => ErrorCode::NotABreach,
            AppError::IllegalIncidentChange(_) => ErrorCode::IllegalIncidentChange,
            AppError::TooManyGuesses | AppError::TooManyCodes => ErrorCode::TooManyAttempts,
            AppError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AppError::InvalidCode => ErrorCode::InvalidCode,
            AppError::WrongPassword => ErrorCode::WrongPassword,
            AppError::WeakPassword(_) => ErrorCode::WeakPassword,
            AppError::MfaNotEnrolled => ErrorCode::MfaNotEnrolled,
            AppError::MfaAlreadyEnrolled => ErrorCode::MfaAlreadyEnrolled,
            AppError::NoEnrolmentPending => ErrorCode::NoEnrolmentPending,
            AppError::MfaSeedUnreadable => ErrorCode::MfaSeedUnreadable,
            AppError::Busy => ErrorCode::Busy,
            AppError::Internal(_) => ErrorCode::Internal,
        };
        ApiError::new(code, message)
    }
}

impl From<trustline_app::EvidenceError> for ApiError {
    fn from(error: trustline_app::EvidenceError) -> Self {
        match error {
            trustline_app::EvidenceError::Period(e) => e.into(),
            trustline_app::EvidenceError::Store(e) => e.into(),
            trustline_app::EvidenceError::Bundle(e) => {
                tracing::error!(error = %e, "the evidence bundle could not be written");
                ApiError::new(ErrorCode::Internal, "the evidence bundle could not be written")
            }
        }
    }
}

impl From<trustline_domain::PeriodError> for ApiError {
    fn from(error: trustline_domain::PeriodError) -> Self {
        ApiError::new(ErrorCode::InvalidPeriod, error.to_string())
    }
}

impl From<VaultError> for ApiError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Store(e) => e.into(),
            VaultError::Erased { .. } => ApiError::new(ErrorCode::Erased, "this contact was erased; its data no longer exists"),
            other => {
                tracing::error!(error = %other, "personal data does not open");
                ApiError::new(ErrorCode::Undecryptable, "stored personal data does not decrypt")
            }
        }
    }
}
