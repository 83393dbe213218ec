use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use trustline_domain::contact::FieldError;
use trustline_store::StoreError;
use trustline_vault::VaultError;

/// The one error type at the edge: an HTTP status, a stable machine-readable
/// code and a message for people. Messages never echo secrets or stored data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Which input fields broke which rule, when there are several.
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new() }
    }
    /// Input whose fields broke rules: every field and reason is listed.
    pub fn invalid_fields(code: &'static str, fields: Vec<FieldError>) -> Self {
        let message = fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        Self { fields, ..Self::unprocessable(code, message) }
    }
    /// Input whose fields are well formed but conflict with what the tenant
    /// has set up now (409), so a client can tell it from a broken rule the
    /// API document states.
    pub fn conflicting_fields(code: &'static str, fields: Vec<FieldError>) -> Self {
        let message = fields.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        Self { fields, ..Self::new(StatusCode::CONFLICT, code, message) }
    }
    /// Input that names things this tenant does not have (a list, a user,
    /// a queue, a disposition code).
    pub fn unknown_references(fields: Vec<FieldError>) -> Self {
        Self::conflicting_fields("unknown_reference", fields)
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    /// Well-formed input that breaks a rule (422).
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "your role does not allow this action")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
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
        let body = Body { error: Inner { code: self.code, message: &self.message, fields: &self.fields } };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict(what) => ApiError::new(StatusCode::CONFLICT, "conflict", format!("{what} already exists")),
            // Like any name of something the tenant lacks: 409.
            StoreError::NumberNotAssigned => ApiError::new(
                StatusCode::CONFLICT,
                "number_not_assigned",
                "this number is not one of your organisation's inbound numbers; ask the operator to assign it",
            ),
            StoreError::NumberInUse => {
                ApiError::new(StatusCode::CONFLICT, "number_in_use", "a queue answers this number; change the queue first")
            }
            StoreError::LastOwner => ApiError::new(
                StatusCode::CONFLICT,
                "last_owner",
                "this is the last enabled owner of the organisation; make another owner first",
            ),
            StoreError::AuditWrite(source) => {
                tracing::error!(error = %source, "audit write failed; request refused");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "audit_unavailable",
                    "the audit log could not be written; nothing was changed",
                )
            }
            StoreError::Unavailable(source) => {
                tracing::error!(error = %source, "database unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "the database is unavailable; try again")
            }
            StoreError::StaleMasterKey => {
                tracing::error!("this node holds a replaced master key; restart it with the new one");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "stale_master_key",
                    "this server must be restarted after a master key rotation",
                )
            }
            StoreError::Snapshot(why) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "snapshot_unusable", format!("the backup cannot be restored: {why}"))
            }
            StoreError::Corrupt(what) => {
                tracing::error!(%what, "stored data failed to decode");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "stored data is invalid")
            }
        }
    }
}

impl From<trustline_app::EvidenceError> for ApiError {
    fn from(error: trustline_app::EvidenceError) -> Self {
        match error {
            trustline_app::EvidenceError::Period(e) => e.into(),
            trustline_app::EvidenceError::Store(e) => e.into(),
            trustline_app::EvidenceError::Bundle(e) => {
                tracing::error!(error = %e, "the evidence bundle could not be written");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the evidence bundle could not be written")
            }
        }
    }
}

impl From<trustline_domain::PeriodError> for ApiError {
    fn from(error: trustline_domain::PeriodError) -> Self {
        ApiError::unprocessable("invalid_period", error.to_string())
    }
}

impl From<VaultError> for ApiError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Store(e) => e.into(),
            VaultError::Erased { .. } => ApiError::new(StatusCode::GONE, "erased", "this contact was erased; its data no longer exists"),
            other => {
                tracing::error!(error = %other, "personal data does not open");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "undecryptable", "stored personal data does not decrypt")
            }
        }
    }
}
