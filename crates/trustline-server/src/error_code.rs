//! Every error code the API answers with, and the one HTTP status each
//! carries. Handlers name a code; the status, the response body and the API
//! document all come from this list.

use axum::http::StatusCode;

macro_rules! error_codes {
    ($($variant:ident => ($name:literal, $status:ident)),* $(,)?) => {
        /// A stable, machine-readable error code, ordered by status.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($variant),*
        }

        impl ErrorCode {
            /// Every code, grouped by status.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as clients see it in `error.code`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name),*
                }
            }

            /// The code called `name`, as clients see it.
            pub fn named(name: &str) -> Option<ErrorCode> {
                Self::ALL.iter().copied().find(|code| code.name() == name)
            }

            /// The status every answer with this code has.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status),*
                }
            }
        }
    };
}

error_codes! {
    InvalidIdempotencyKey => ("invalid_idempotency_key", BAD_REQUEST),
    InvalidPath => ("invalid_path", BAD_REQUEST),
    InvalidQuery => ("invalid_query", BAD_REQUEST),
    InvalidReport => ("invalid_report", BAD_REQUEST),
    MalformedJson => ("malformed_json", BAD_REQUEST),
    UnreadableBody => ("unreadable_body", BAD_REQUEST),
    InvalidCode => ("invalid_code", UNAUTHORIZED),
    InvalidCredentials => ("invalid_credentials", UNAUTHORIZED),
    InvalidToken => ("invalid_token", UNAUTHORIZED),
    MalformedAuthorization => ("malformed_authorization", UNAUTHORIZED),
    MfaRequired => ("mfa_required", UNAUTHORIZED),
    SessionExpired => ("session_expired", UNAUTHORIZED),
    Unauthenticated => ("unauthenticated", UNAUTHORIZED),
    CsrfFailed => ("csrf_failed", FORBIDDEN),
    Forbidden => ("forbidden", FORBIDDEN),
    MfaEnrolmentRequired => ("mfa_enrolment_required", FORBIDDEN),
    PasswordChangeRequired => ("password_change_required", FORBIDDEN),
    RoleNotAssignable => ("role_not_assignable", FORBIDDEN),
    ScopeNotGrantable => ("scope_not_grantable", FORBIDDEN),
    SessionRequired => ("session_required", FORBIDDEN),
    TrainingLapsed => ("training_lapsed", FORBIDDEN),
    NotFound => ("not_found", NOT_FOUND),
    MethodNotAllowed => ("method_not_allowed", METHOD_NOT_ALLOWED),
    AlreadyDecided => ("already_decided", CONFLICT),
    AutomatedControl => ("automated_control", CONFLICT),
    CannotChangeSelf => ("cannot_change_self", CONFLICT),
    Conflict => ("conflict", CONFLICT),
    CourseExists => ("course_exists", CONFLICT),
    CustomFields => ("custom_fields", CONFLICT),
    DeskOffline => ("desk_offline", CONFLICT),
    DuplicatePhone => ("duplicate_phone", CONFLICT),
    IdempotencyInProgress => ("idempotency_in_progress", CONFLICT),
    IllegalIncidentChange => ("illegal_incident_change", CONFLICT),
    IllegalTransition => ("illegal_transition", CONFLICT),
    LastOwner => ("last_owner", CONFLICT),
    MfaAlreadyEnrolled => ("mfa_already_enrolled", CONFLICT),
    MfaNotEnrolled => ("mfa_not_enrolled", CONFLICT),
    MfaNotPending => ("mfa_not_pending", CONFLICT),
    NoCallWork => ("no_call_work", CONFLICT),
    NoDeskPhone => ("no_desk_phone", CONFLICT),
    DeskPhoneUnanswered => ("desk_phone_unanswered", CONFLICT),
    NoChange => ("no_change", CONFLICT),
    NoEnrolmentPending => ("no_enrolment_pending", CONFLICT),
    NoSoftphone => ("no_softphone", CONFLICT),
    NotABreach => ("not_a_breach", CONFLICT),
    NotDiallable => ("not_diallable", CONFLICT),
    NumberInUse => ("number_in_use", CONFLICT),
    NumberNotAssigned => ("number_not_assigned", CONFLICT),
    OwnAccess => ("own_access", CONFLICT),
    QueueTaken => ("queue_taken", CONFLICT),
    TransferUnavailable => ("transfer_unavailable", CONFLICT),
    UnknownReference => ("unknown_reference", CONFLICT),
    WrongCallState => ("wrong_call_state", CONFLICT),
    Erased => ("erased", GONE),
    PayloadTooLarge => ("payload_too_large", PAYLOAD_TOO_LARGE),
    TooLarge => ("too_large", PAYLOAD_TOO_LARGE),
    UnsupportedMediaType => ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE),
    EmptyChange => ("empty_change", UNPROCESSABLE_ENTITY),
    IdempotencyKeyReused => ("idempotency_key_reused", UNPROCESSABLE_ENTITY),
    InvalidBody => ("invalid_body", UNPROCESSABLE_ENTITY),
    InvalidCallback => ("invalid_callback", UNPROCESSABLE_ENTITY),
    InvalidCampaign => ("invalid_campaign", UNPROCESSABLE_ENTITY),
    InvalidChange => ("invalid_change", UNPROCESSABLE_ENTITY),
    InvalidCompletion => ("invalid_completion", UNPROCESSABLE_ENTITY),
    InvalidContact => ("invalid_contact", UNPROCESSABLE_ENTITY),
    InvalidCourse => ("invalid_course", UNPROCESSABLE_ENTITY),
    InvalidCustomField => ("invalid_custom_field", UNPROCESSABLE_ENTITY),
    InvalidDisplayName => ("invalid_display_name", UNPROCESSABLE_ENTITY),
    InvalidEmail => ("invalid_email", UNPROCESSABLE_ENTITY),
    InvalidEvidence => ("invalid_evidence", UNPROCESSABLE_ENTITY),
    InvalidExpiry => ("invalid_expiry", UNPROCESSABLE_ENTITY),
    InvalidFile => ("invalid_file", UNPROCESSABLE_ENTITY),
    InvalidForm => ("invalid_form", UNPROCESSABLE_ENTITY),
    InvalidHeader => ("invalid_header", UNPROCESSABLE_ENTITY),
    InvalidIncident => ("invalid_incident", UNPROCESSABLE_ENTITY),
    InvalidKeys => ("invalid_keys", UNPROCESSABLE_ENTITY),
    InvalidMove => ("invalid_move", UNPROCESSABLE_ENTITY),
    InvalidName => ("invalid_name", UNPROCESSABLE_ENTITY),
    InvalidNote => ("invalid_note", UNPROCESSABLE_ENTITY),
    InvalidOffer => ("invalid_offer", UNPROCESSABLE_ENTITY),
    InvalidPeriod => ("invalid_period", UNPROCESSABLE_ENTITY),
    InvalidPhone => ("invalid_phone", UNPROCESSABLE_ENTITY),
    InvalidTransfer => ("invalid_transfer", UNPROCESSABLE_ENTITY),
    InvalidPolicy => ("invalid_policy", UNPROCESSABLE_ENTITY),
    InvalidQueue => ("invalid_queue", UNPROCESSABLE_ENTITY),
    InvalidReason => ("invalid_reason", UNPROCESSABLE_ENTITY),
    InvalidRegion => ("invalid_region", UNPROCESSABLE_ENTITY),
    InvalidReview => ("invalid_review", UNPROCESSABLE_ENTITY),
    InvalidRisk => ("invalid_risk", UNPROCESSABLE_ENTITY),
    InvalidRole => ("invalid_role", UNPROCESSABLE_ENTITY),
    InvalidScope => ("invalid_scope", UNPROCESSABLE_ENTITY),
    InvalidSearch => ("invalid_search", UNPROCESSABLE_ENTITY),
    InvalidSkills => ("invalid_skills", UNPROCESSABLE_ENTITY),
    InvalidStatus => ("invalid_status", UNPROCESSABLE_ENTITY),
    InvalidSupplier => ("invalid_supplier", UNPROCESSABLE_ENTITY),
    InvalidTrunk => ("invalid_trunk", UNPROCESSABLE_ENTITY),
    InvalidUsername => ("invalid_username", UNPROCESSABLE_ENTITY),
    InvalidWebhook => ("invalid_webhook", UNPROCESSABLE_ENTITY),
    NothingToChange => ("nothing_to_change", UNPROCESSABLE_ENTITY),
    PasswordsDiffer => ("passwords_differ", UNPROCESSABLE_ENTITY),
    ReasonRequired => ("reason_required", UNPROCESSABLE_ENTITY),
    SnapshotUnusable => ("snapshot_unusable", UNPROCESSABLE_ENTITY),
    WeakPassword => ("weak_password", UNPROCESSABLE_ENTITY),
    WrongPassword => ("wrong_password", UNPROCESSABLE_ENTITY),
    TooManyAttempts => ("too_many_attempts", TOO_MANY_REQUESTS),
    TooManyReports => ("too_many_reports", TOO_MANY_REQUESTS),
    Internal => ("internal", INTERNAL_SERVER_ERROR),
    MfaSeedUnreadable => ("mfa_seed_unreadable", INTERNAL_SERVER_ERROR),
    Undecryptable => ("undecryptable", INTERNAL_SERVER_ERROR),
    AuditUnavailable => ("audit_unavailable", SERVICE_UNAVAILABLE),
    Busy => ("busy", SERVICE_UNAVAILABLE),
    DatabaseUnavailable => ("database_unavailable", SERVICE_UNAVAILABLE),
    NoTelephony => ("no_telephony", SERVICE_UNAVAILABLE),
    NodeUnreachable => ("node_unreachable", SERVICE_UNAVAILABLE),
    SoftphonesFull => ("softphones_full", SERVICE_UNAVAILABLE),
    StaleMasterKey => ("stale_master_key", SERVICE_UNAVAILABLE),
    NodeUnanswered => ("node_unanswered", GATEWAY_TIMEOUT),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_is_unique_snake_case_and_an_error_status() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(seen.insert(code.name()), "{code} twice");
            assert!(code.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
            assert!(code.status().is_client_error() || code.status().is_server_error(), "{code}");
        }
    }
}
