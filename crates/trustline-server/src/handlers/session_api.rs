use crate::auth::{Authed, Caller, Credential};
use crate::cookies;
use crate::csrf_token::csrf_token;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::ApiJson;
use crate::new_session::NewSession;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trustline_domain::SessionStage;
use zeroize::Zeroizing;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignIn {
    tenant: String,
    username: String,
    #[schemars(with = "String")]
    password: Zeroizing<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Code {
    #[schemars(with = "String")]
    code: Zeroizing<String>,
}

/// A session just begun or taken a step further: how far it has got, and
/// the token unsafe requests must carry (the cookie holds the session).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SessionStarted {
    stage: SessionStage,
    csrf_token: String,
}

/// A completed enrolment: the session goes on, and the recovery codes are
/// shown this once (borrowed, so secrets are not copied on the way out).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct EnrolmentConfirmed<'a> {
    stage: SessionStage,
    csrf_token: &'a str,
    recovery_codes: Vec<&'a str>,
}

/// The signed-in session.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SessionView {
    stage: SessionStage,
    csrf_token: String,
    /// The organisation's short name.
    tenant: String,
    user: super::views::UserView,
}

/// A second factor to set up: the secret, shown this once, and the same as
/// an `otpauth://` URI for authenticator apps.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct EnrolmentStarted<'a> {
    secret: &'a str,
    otpauth_uri: &'a str,
}

fn with_cookie(state: &AppState, session: &NewSession, body: impl Serialize) -> Response {
    let mut headers = HeaderMap::new();
    headers
        .insert(header::SET_COOKIE, cookies::set(cookies::session_cookie_name(state.config.tls), session.token.expose(), state.config.tls));
    (headers, Json(body)).into_response()
}

fn session_body(session: &NewSession) -> SessionStarted {
    SessionStarted { stage: session.stage, csrf_token: session.csrf.clone() }
}

pub(crate) async fn sign_in(State(state): State<AppState>, caller: Caller, ApiJson(input): ApiJson<SignIn>) -> Result<Response, ApiError> {
    let opened = state.sign_in.sign_in(&caller.requester(), &input.tenant, &input.username, input.password).await?;
    let session = NewSession::issued(&state, opened);
    Ok(with_cookie(&state, &session, session_body(&session)))
}

pub(crate) async fn current(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let Credential::Session { digest, stage } = authed.principal.credential else {
        return Err(ApiError::new(ErrorCode::SessionRequired, "API tokens have no session"));
    };
    Ok(Json(SessionView {
        stage,
        csrf_token: csrf_token(&state, &digest),
        tenant: authed.principal.tenant.slug.clone(),
        user: super::views::UserView::from(&authed.principal.user),
    })
    .into_response())
}

pub(crate) async fn sign_out(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let digest = authed.principal.session_digest()?;
    state.sign_in.sign_out(&authed.caller.requester(), &authed.principal.user, &digest).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookies::clear(cookies::session_cookie_name(state.config.tls), state.config.tls));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

pub(crate) async fn second_factor(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<Code>,
) -> Result<Response, ApiError> {
    let digest = authed.principal.session_digest()?;
    let opened = state.sign_in.second_factor(&authed.caller.requester(), &authed.principal.user, &digest, &input.code).await?;
    let session = NewSession::issued(&state, opened);
    Ok(with_cookie(&state, &session, session_body(&session)))
}

pub(crate) async fn start_enrolment(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    authed.principal.session_digest()?;
    let p = &authed.principal;
    let (secret, uri) = state.sign_in.start_enrolment(&authed.caller.requester(), &p.user, &p.tenant.slug).await?;
    Ok(Json(EnrolmentStarted { secret: secret.as_str(), otpauth_uri: uri.as_str() }).into_response())
}

pub(crate) async fn confirm_enrolment(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<Code>,
) -> Result<Response, ApiError> {
    let digest = authed.principal.session_digest()?;
    let (opened, codes) = state.sign_in.confirm_enrolment(&authed.caller.requester(), &authed.principal.user, &digest, &input.code).await?;
    let session = NewSession::issued(&state, opened);
    let recovery_codes = codes.iter().map(|c| c.as_str()).collect();
    let body = EnrolmentConfirmed { stage: session.stage, csrf_token: &session.csrf, recovery_codes };
    Ok(with_cookie(&state, &session, body))
}
