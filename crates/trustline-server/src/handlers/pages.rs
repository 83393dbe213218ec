//! Server-rendered pages: sign-in, second factor, MFA enrolment and the
//! signed-in landing page. Forms post back here; no inline script or style.

use super::page_chrome::Chrome;
use crate::auth::{Authed, Caller, Credential};
use crate::cookies;
use crate::csrf_token::{csrf_token, equal};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::ApiForm;
use crate::new_session::NewSession;
use crate::page_render::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trustline_crypto::SecretToken;
use trustline_domain::SessionStage;
use zeroize::Zeroizing;

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    chrome: Chrome,
    tenant: &'a str,
    username: &'a str,
    mfa: bool,
    recovery_left: u32,
}

pub(crate) async fn home(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let chrome = Chrome::of(&state, &authed, "/")?;
    let p = &authed.principal;
    let recovery_left = state.store.unused_recovery_codes(p.tenant.id, p.user.id).await?;
    let page = Home { chrome, tenant: &p.tenant.name, username: &p.user.username, mfa: p.user.has_mfa(), recovery_left };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    csrf: String,
    error: Option<String>,
    tenant: String,
    username: String,
}

/// The sign-in form carries a MAC of a random cookie, so a form posted from
/// another site (which cannot read or set that cookie) is refused.
fn login_csrf(state: &AppState, cookie: &str) -> String {
    state.keys.csrf.mac_hex(format!("login:{cookie}").as_bytes())
}

fn login_page(state: &AppState, cookie: &str, error: Option<String>, tenant: String, username: String, status: StatusCode) -> Response {
    let page = Login { csrf: login_csrf(state, cookie), error, tenant, username };
    let mut response = render(&page, status);
    response.headers_mut().append(header::SET_COOKIE, cookies::set(cookies::login_cookie_name(state.config.tls), cookie, state.config.tls));
    response
}

pub(crate) async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = cookies::read(&headers, cookies::login_cookie_name(state.config.tls))
        .filter(|c| c.len() == 43)
        .unwrap_or_else(|| SecretToken::generate("").expose().to_owned());
    login_page(&state, &cookie, None, String::new(), String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
pub(crate) struct LoginInput {
    #[serde(default)]
    csrf: String,
    tenant: String,
    username: String,
    password: Zeroizing<String>,
}

fn with_session(state: &AppState, session: &NewSession, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookies::set(cookies::session_cookie_name(state.config.tls), session.token.expose(), state.config.tls));
    response
}

fn next_page(stage: SessionStage) -> &'static str {
    match stage {
        SessionStage::MfaPending => "/login/mfa",
        SessionStage::MfaEnrolmentRequired => "/mfa/enrol",
        SessionStage::PasswordChangeRequired => "/password",
        SessionStage::SignedIn => "/",
    }
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiForm(input): ApiForm<LoginInput>,
) -> Response {
    let cookie = cookies::read(&headers, cookies::login_cookie_name(state.config.tls)).unwrap_or_default();
    let expected = login_csrf(&state, &cookie);
    if cookie.is_empty() || !equal(input.csrf.as_bytes(), expected.as_bytes()) {
        let fresh = SecretToken::generate("").expose().to_owned();
        let message = "The form expired. Please sign in again.".to_owned();
        return login_page(&state, &fresh, Some(message), input.tenant, input.username, StatusCode::FORBIDDEN);
    }
    match state.sign_in.sign_in(&caller.requester(), &input.tenant, &input.username, input.password).await.map_err(ApiError::from) {
        Ok(opened) => {
            let session = NewSession::issued(&state, opened);
            with_session(&state, &session, next_page(session.stage))
        }
        Err(error) => login_page(&state, &cookie, Some(error.message), input.tenant, input.username, error.code.status()),
    }
}

#[derive(Template)]
#[template(path = "mfa.html")]
struct Mfa {
    csrf: String,
    error: Option<String>,
}

fn session_csrf(state: &AppState, authed: &Authed) -> String {
    match authed.principal.credential {
        Credential::Session { digest, .. } => csrf_token(state, &digest),
        Credential::Token { .. } => String::new(),
    }
}

pub(crate) async fn mfa_form(State(state): State<AppState>, authed: Authed) -> Response {
    render(&Mfa { csrf: session_csrf(&state, &authed), error: None }, StatusCode::OK)
}

#[derive(Deserialize)]
pub(crate) struct CodeInput {
    #[serde(default)]
    #[allow(dead_code)]
    csrf: String,
    code: Zeroizing<String>,
}

pub(crate) async fn mfa_submit(State(state): State<AppState>, authed: Authed, ApiForm(input): ApiForm<CodeInput>) -> Response {
    let opened = async {
        let digest = authed.principal.session_digest()?;
        Ok::<_, ApiError>(state.sign_in.second_factor(&authed.caller.requester(), &authed.principal.user, &digest, &input.code).await?)
    };
    let opened = opened.await;
    match opened {
        Ok(opened) => {
            let session = NewSession::issued(&state, opened);
            with_session(&state, &session, next_page(session.stage))
        }
        Err(error) => render(&Mfa { csrf: session_csrf(&state, &authed), error: Some(error.message) }, error.code.status()),
    }
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct Enrol {
    csrf: String,
    required: bool,
    secret: Option<String>,
    error: Option<String>,
}

fn enrol_page(state: &AppState, authed: &Authed, error: Option<ApiError>) -> Response {
    let p = &authed.principal;
    let secret = state.sign_in.pending_enrolment(&p.user, &p.tenant.slug).ok().flatten().map(|(secret, _)| secret.as_str().to_owned());
    let required = matches!(p.credential, Credential::Session { stage: SessionStage::MfaEnrolmentRequired, .. });
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status());
    render(&Enrol { csrf: session_csrf(state, authed), required, secret, error: error.map(|e| e.message) }, status)
}

pub(crate) async fn enrol_form(State(state): State<AppState>, authed: Authed) -> Response {
    if authed.principal.user.has_mfa() {
        return Redirect::to("/").into_response();
    }
    enrol_page(&state, &authed, None)
}

pub(crate) async fn enrol_start(State(state): State<AppState>, authed: Authed) -> Response {
    let p = &authed.principal;
    let started = async {
        p.session_digest()?;
        Ok::<_, ApiError>(state.sign_in.start_enrolment(&authed.caller.requester(), &p.user, &p.tenant.slug).await?)
    };
    let started = started.await;
    match started {
        Ok(_) => Redirect::to("/mfa/enrol").into_response(),
        Err(error) => enrol_page(&state, &authed, Some(error)),
    }
}

#[derive(Template)]
#[template(path = "recovery.html")]
struct Recovery {
    codes: Vec<String>,
}

pub(crate) async fn enrol_submit(State(state): State<AppState>, authed: Authed, ApiForm(input): ApiForm<CodeInput>) -> Response {
    let confirmed = async {
        let digest = authed.principal.session_digest()?;
        Ok::<_, ApiError>(state.sign_in.confirm_enrolment(&authed.caller.requester(), &authed.principal.user, &digest, &input.code).await?)
    };
    let confirmed = confirmed.await;
    match confirmed {
        Ok((session, codes)) => {
            let page = Recovery { codes: codes.iter().map(|c| c.as_str().to_owned()).collect() };
            let mut response = render(&page, StatusCode::OK);
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(cookies::session_cookie_name(state.config.tls), session.token.expose(), state.config.tls),
            );
            response
        }
        Err(error) => enrol_page(&state, &authed, Some(error)),
    }
}

pub(crate) async fn enrol_qr(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let p = &authed.principal;
    let (_, uri) = state.sign_in.pending_enrolment(&p.user, &p.tenant.slug)?.ok_or_else(ApiError::not_found)?;
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|_| ApiError::new(ErrorCode::Internal, "QR encoding failed"))?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).build();
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"))], svg).into_response())
}

pub(crate) async fn logout(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let digest = authed.principal.session_digest()?;
    state.sign_in.sign_out(&authed.caller.requester(), &authed.principal.user, &digest).await?;
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::session_cookie_name(state.config.tls), state.config.tls));
    Ok(response)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordForm {
    csrf: String,
    required: bool,
    error: Option<String>,
}

fn password_page(state: &AppState, authed: &Authed, error: Option<ApiError>) -> Response {
    let required = matches!(authed.principal.credential, Credential::Session { stage: SessionStage::PasswordChangeRequired, .. });
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status());
    render(&PasswordForm { csrf: session_csrf(state, authed), required, error: error.map(|e| e.message) }, status)
}

pub(crate) async fn password_form(State(state): State<AppState>, authed: Authed) -> Response {
    password_page(&state, &authed, None)
}

#[derive(Deserialize)]
pub(crate) struct PasswordInput {
    #[serde(default)]
    #[allow(dead_code)]
    csrf: String,
    current_password: Zeroizing<String>,
    new_password: Zeroizing<String>,
    repeat_password: Zeroizing<String>,
}

#[derive(Template)]
#[template(path = "password_changed.html")]
struct PasswordChanged;

/// Every session ends with the change, so the person signs in again.
pub(crate) async fn password_submit(State(state): State<AppState>, authed: Authed, ApiForm(input): ApiForm<PasswordInput>) -> Response {
    if input.new_password.as_str() != input.repeat_password.as_str() {
        let error = ApiError::new(ErrorCode::PasswordsDiffer, "the two new passwords are not the same");
        return password_page(&state, &authed, Some(error));
    }
    let p = &authed.principal;
    let requester = authed.caller.requester();
    let changed = state.sign_in.change_own_password(&requester, &p.user, &p.tenant.slug, input.current_password, input.new_password);
    match changed.await.map_err(ApiError::from) {
        Ok(()) => {
            let mut response = render(&PasswordChanged, StatusCode::OK);
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookies::clear(cookies::session_cookie_name(state.config.tls), state.config.tls));
            response
        }
        Err(error) => password_page(&state, &authed, Some(error)),
    }
}
