//! The one authorization point. Every route is registered with an [`Access`];
//! this middleware enforces it with the permission matrix from
//! `trustline-domain` (and, for revealing or exporting personal data, the
//! training gate), checks CSRF on state-changing cookie requests, and
//! records refusals in the audit log.

use crate::auth::{Caller, Credential, Principal};
use crate::csrf_token::{csrf_token, equal};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use trustline_audit::Outcome;
use trustline_domain::{Action, AuditAction, SessionStage};

/// What a route requires of its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone, and the request acts for nobody (a browser's own reports):
    /// whatever cookie comes with it is ignored, so no CSRF token is asked.
    Report,
    /// A session that has passed the password and owes an MFA code.
    MfaPending,
    /// A session past the password step that may set up MFA.
    Enrolment,
    /// Any session, whatever its stage (signing out).
    AnySession,
    /// A browser session that must replace a one-time password, or a
    /// signed-in one changing its own password.
    PasswordChange,
    /// A fully signed-in caller whose role (and token scopes) permit the action.
    Allowed(Action),
}

impl Access {
    /// Open to callers who are not signed in.
    pub fn is_public(self) -> bool {
        matches!(self, Access::Public | Access::Report)
    }

    /// Every code this guard may refuse a `method` request to a route of this
    /// access with (see `admit`, the training gate and `check_csrf`), for the
    /// API document.
    pub fn refusals(self, method: &Method) -> Vec<ErrorCode> {
        use ErrorCode as E;
        if self.is_public() {
            return Vec::new();
        }
        let mut codes = vec![E::Unauthenticated, E::SessionExpired, E::InvalidToken, E::MalformedAuthorization];
        codes.extend_from_slice(match self {
            Access::Public | Access::Report => &[],
            Access::MfaPending => &[E::SessionRequired, E::MfaNotPending],
            Access::Enrolment => &[E::SessionRequired, E::MfaRequired, E::PasswordChangeRequired],
            Access::AnySession => &[E::SessionRequired],
            Access::PasswordChange => &[E::SessionRequired, E::MfaRequired, E::MfaEnrolmentRequired],
            Access::Allowed(_) => &[E::MfaRequired, E::MfaEnrolmentRequired, E::PasswordChangeRequired, E::Forbidden],
        });
        if let Access::Allowed(action) = self
            && action.needs_current_training()
        {
            codes.push(E::TrainingLapsed);
        }
        // A browser's change must carry its session's CSRF token, read from
        // a form body when there is no header.
        if !is_safe(method) {
            codes.extend([E::CsrfFailed, E::PayloadTooLarge]);
        }
        codes
    }
}

/// Whether a refused page request should redirect a browser or answer JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Page,
    Api,
}

pub(crate) async fn guard(State((state, access, surface)): State<(AppState, Access, Surface)>, request: Request, next: Next) -> Response {
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return ApiError::unauthenticated().into_response();
    };
    let target = Target { method: request.method().clone(), path: request.uri().path().to_owned() };
    if let Err(refusal) = admit(&caller, access) {
        return refuse(&state, &caller, &target, refusal, surface).await;
    }
    if let (Access::Allowed(action), Some(principal)) = (access, &caller.principal)
        && action.needs_current_training()
        && let Err(error) = crate::training_gate::check(&state, principal).await
    {
        return refuse(&state, &caller, &target, Refusal::Error(error), surface).await;
    }
    if access == Access::Report {
        return next.run(request).await;
    }
    let request = match check_csrf(&state, &caller, request).await {
        Ok(request) => request,
        Err(error) => return refuse(&state, &caller, &target, Refusal::Error(error), surface).await,
    };
    next.run(request).await
}

enum Refusal {
    /// No or unusable credential: send a browser to the matching step.
    SignIn(ApiError, &'static str),
    Error(ApiError),
}

fn admit(caller: &Caller, access: Access) -> Result<(), Refusal> {
    if access.is_public() {
        return Ok(());
    }
    let Some(principal) = &caller.principal else {
        let error = match caller.rejected {
            Some("session_expired") => ApiError::new(ErrorCode::SessionExpired, "your session has ended; sign in again"),
            Some("invalid_token") => ApiError::new(ErrorCode::InvalidToken, "the API token is unknown, revoked or expired"),
            Some("malformed_authorization") => {
                ApiError::new(ErrorCode::MalformedAuthorization, "the Authorization header must be `Bearer <token>`")
            }
            _ => ApiError::unauthenticated(),
        };
        return Err(Refusal::SignIn(error, "/login"));
    };
    let stage = match &principal.credential {
        Credential::Session { stage, .. } => Some(*stage),
        Credential::Token { .. } => None,
    };
    let mfa_pending = || Refusal::SignIn(ApiError::new(ErrorCode::MfaRequired, "enter your authenticator code first"), "/login/mfa");
    let enrol = || {
        Refusal::SignIn(
            ApiError::new(ErrorCode::MfaEnrolmentRequired, "your role requires two-factor authentication; set it up first"),
            "/mfa/enrol",
        )
    };
    let session_only = || Refusal::Error(ApiError::session_required());
    let change_password = || {
        Refusal::SignIn(
            ApiError::new(ErrorCode::PasswordChangeRequired, "choose your own password first: this one was set for you"),
            "/password",
        )
    };
    match (access, stage) {
        (Access::Public | Access::Report, _) => Ok(()),
        (Access::AnySession, Some(_)) => Ok(()),
        (Access::MfaPending, Some(SessionStage::MfaPending)) => Ok(()),
        (Access::MfaPending, Some(_)) => Err(Refusal::Error(ApiError::new(ErrorCode::MfaNotPending, "no code is owed"))),
        (Access::Enrolment, Some(SessionStage::MfaEnrolmentRequired | SessionStage::SignedIn)) => Ok(()),
        (Access::Enrolment, Some(SessionStage::MfaPending)) => Err(mfa_pending()),
        (Access::Enrolment, Some(SessionStage::PasswordChangeRequired)) => Err(change_password()),
        (Access::PasswordChange, Some(SessionStage::PasswordChangeRequired | SessionStage::SignedIn)) => Ok(()),
        (Access::PasswordChange, Some(SessionStage::MfaPending)) => Err(mfa_pending()),
        (Access::PasswordChange, Some(SessionStage::MfaEnrolmentRequired)) => Err(enrol()),
        (Access::AnySession | Access::MfaPending | Access::Enrolment | Access::PasswordChange, None) => Err(session_only()),
        (Access::Allowed(_), Some(SessionStage::MfaPending)) => Err(mfa_pending()),
        (Access::Allowed(_), Some(SessionStage::MfaEnrolmentRequired)) => Err(enrol()),
        (Access::Allowed(_), Some(SessionStage::PasswordChangeRequired)) => Err(change_password()),
        (Access::Allowed(action), _) if principal.may(action) => Ok(()),
        (Access::Allowed(_), _) => Err(Refusal::Error(ApiError::forbidden())),
    }
}

/// The method and path of a request, kept for refusals.
struct Target {
    method: Method,
    path: String,
}

async fn refuse(state: &AppState, caller: &Caller, request: &Target, refusal: Refusal, surface: Surface) -> Response {
    let (error, redirect) = match refusal {
        Refusal::SignIn(error, to) => (error, Some(to)),
        Refusal::Error(error) => (error, None),
    };
    // Refusals of signed-in callers are security events; anonymous probes are
    // not attributable to a tenant and go to the service log only.
    if caller.principal.is_some() && error.status() == StatusCode::FORBIDDEN {
        let draft = caller
            .audit(state, AuditAction::AccessDenied, request.path.clone())
            .outcome(Outcome::Denied)
            .detail("method", request.method.as_str())
            .detail("reason", error.code.name());
        if let Err(failure) = state.appender.append(draft).await {
            return ApiError::from(failure).into_response();
        }
    } else {
        tracing::info!(path = request.path, code = error.code.name(), source = caller.source, "request refused");
    }
    match (surface, redirect) {
        (Surface::Page, Some(to)) if request.method == Method::GET => Redirect::to(to).into_response(),
        (Surface::Page, None) if request.method == Method::GET => crate::page_render::refused(error),
        _ => error.into_response(),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Cookie-authenticated state changes must carry the session's CSRF token in
/// `X-CSRF-Token` or, for HTML forms, a `csrf` field. Token-authenticated
/// calls carry no ambient credential and need none.
async fn check_csrf(state: &AppState, caller: &Caller, request: Request) -> Result<Request, ApiError> {
    let digest = match caller.principal.as_ref().map(|p: &Principal| &p.credential) {
        Some(Credential::Session { digest, .. }) => *digest,
        _ => return Ok(request),
    };
    if is_safe(request.method()) {
        return Ok(request);
    }
    let expected = csrf_token(state, &digest);
    let failed = || ApiError::new(ErrorCode::CsrfFailed, "the request lacks a valid CSRF token; reload the page and try again");
    if let Some(presented) = request.headers().get("x-csrf-token") {
        return if equal(presented.as_bytes(), expected.as_bytes()) { Ok(request) } else { Err(failed()) };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(failed());
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => return Err(ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")),
    };
    let presented = bytes.split(|b| *b == b'&').filter_map(|pair| pair.strip_prefix(b"csrf=")).next_back().unwrap_or_default();
    if equal(presented, expected.as_bytes()) { Ok(Request::from_parts(parts, Body::from(bytes.clone()))) } else { Err(failed()) }
}
