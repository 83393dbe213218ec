//! Authentication: who is calling, from a session cookie or an API token.
//! The tenant always comes from the credential, never from the request.

use crate::cookies;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use trustline_audit::AuditDraft;
use trustline_crypto::SecretToken;
use trustline_domain::{Action, AuditAction, Role, SessionStage, TokenId, permits};
use trustline_store::{Session, StoreError, Tenant, User};

#[derive(Clone, Debug)]
pub(crate) enum Credential {
    Session { digest: [u8; 32], stage: SessionStage },
    Token { id: TokenId, role: Role, scopes: Vec<Action> },
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub(crate) struct Principal {
    pub tenant: Tenant,
    /// For a token, the user who created it: the token never outranks them.
    pub user: User,
    pub credential: Credential,
}

impl Principal {
    pub fn actor(&self) -> String {
        match &self.credential {
            Credential::Session { .. } => format!("user:{}", self.user.id),
            Credential::Token { id, .. } => format!("token:{id}"),
        }
    }

    /// The digest of the session this principal signed in with; routes of
    /// one's own session refuse API tokens.
    pub fn session_digest(&self) -> Result<[u8; 32], ApiError> {
        match self.credential {
            Credential::Session { digest, .. } => Ok(digest),
            Credential::Token { .. } => Err(ApiError::session_required()),
        }
    }

    /// The role this credential acts with: a token's own, never above its creator's.
    pub fn credential_role(&self) -> Role {
        match &self.credential {
            Credential::Session { .. } => self.user.role,
            Credential::Token { role, .. } => *role,
        }
    }

    /// Whether this credential may call numbers it types at the desk: a
    /// role that sends calls outside always may; an agent only once an
    /// administrator allowed their account (`manual_calls`). The one rule
    /// for the route and for the desk offering the form.
    pub fn may_call_out(&self) -> bool {
        self.may(Action::CallExternal) || (self.user.manual_calls && self.may(Action::AgentWork))
    }

    /// What this credential may do, and so all it may delegate: a new
    /// token's scopes must each pass this (a subset of a token's scopes, of
    /// a session's role).
    pub fn may(&self, action: Action) -> bool {
        match &self.credential {
            Credential::Session { .. } => permits(self.user.role, action),
            Credential::Token { role, scopes, .. } => permits(self.user.role, action) && permits(*role, action) && scopes.contains(&action),
        }
    }
}

/// Facts about the request every audit event needs.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub source: String,
    pub principal: Option<Principal>,
    /// Why a presented credential was not accepted, for a precise error.
    pub rejected: Option<&'static str>,
}

impl Caller {
    /// An audit draft with time, tenant, actor and source filled in.
    pub fn audit(&self, state: &AppState, action: AuditAction, target: impl Into<String>) -> AuditDraft {
        self.requester().audit(state.clock.now(), action, target)
    }

    /// Who asks, for the application services.
    pub fn requester(&self) -> trustline_app::Requester {
        let (tenant, actor) = match &self.principal {
            Some(p) => (Some(p.tenant.id), p.actor()),
            None => (None, "anonymous".to_owned()),
        };
        trustline_app::Requester { tenant, actor, source: self.source.clone() }
    }
}

pub(crate) async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let forwarded = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| crate::client_address(c.0.ip(), forwarded, &state.config.trusted_proxies).to_string());
    let headers = request.headers().clone();
    let (principal, rejected) = match identify(&state, &headers, &source).await {
        Ok(found) => found,
        Err(error) => return axum::response::IntoResponse::into_response(crate::ApiError::from(error)),
    };
    request.extensions_mut().insert(Caller { source, principal, rejected });
    next.run(request).await
}

type Identified = (Option<Principal>, Option<&'static str>);

async fn identify(state: &AppState, headers: &axum::http::HeaderMap, source: &str) -> Result<Identified, StoreError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let bearer = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        return match bearer {
            Some(token) => by_token(state, token).await,
            None => Ok((None, Some("malformed_authorization"))),
        };
    }
    match cookies::read(headers, cookies::session_cookie_name(state.config.tls)) {
        Some(cookie) => by_session(state, &cookie, source).await,
        None => Ok((None, None)),
    }
}

async fn by_token(state: &AppState, presented: &str) -> Result<Identified, StoreError> {
    let digest = SecretToken::from_presented(presented).digest();
    let Some(token) = state.store.token_by_digest(&digest).await? else {
        return Ok((None, Some("invalid_token")));
    };
    if !token.is_live(state.clock.now()) {
        return Ok((None, Some("invalid_token")));
    }
    let Some((tenant, user)) = tenant_and_user(state, token.tenant_id, token.created_by).await? else {
        return Ok((None, Some("invalid_token")));
    };
    let credential = Credential::Token { id: token.id, role: token.role, scopes: token.scopes };
    Ok((Some(Principal { tenant, user, credential }), None))
}

async fn by_session(state: &AppState, cookie: &str, source: &str) -> Result<Identified, StoreError> {
    let digest = SecretToken::from_presented(cookie).digest();
    let Some(session) = state.store.session(&digest).await? else {
        return Ok((None, Some("session_expired")));
    };
    let now = state.clock.now();
    let policy = state.config.session;
    if policy.is_expired(session.stage, session.times, now) {
        let audit = AuditDraft::new(
            now,
            session.tenant_id.0,
            format!("user:{}", session.user_id),
            AuditAction::SessionExpire,
            format!("user:{}", session.user_id),
        )
        .source(source);
        match state.store.delete_session(&digest, audit).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(other) => return Err(other),
        }
        return Ok((None, Some("session_expired")));
    }
    let Some((tenant, user)) = tenant_and_user(state, session.tenant_id, session.user_id).await? else {
        return Ok((None, Some("session_expired")));
    };
    if policy.needs_touch(session.times, now) {
        state.store.touch_session(&digest, now).await?;
    }
    let Session { stage, .. } = session;
    Ok((Some(Principal { tenant, user, credential: Credential::Session { digest, stage } }), None))
}

/// Whether `principal` still holds, for a response that outlives its
/// request (a live stream): the session has not ended or expired (nor the
/// token been revoked or run out), and the user is still enabled, in the
/// same role.
pub(crate) async fn still_valid(state: &AppState, principal: &Principal) -> Result<bool, StoreError> {
    let now = state.clock.now();
    let held = match &principal.credential {
        Credential::Session { digest, .. } => {
            state.store.session(digest).await?.is_some_and(|s| !state.config.session.is_expired(s.stage, s.times, now))
        }
        Credential::Token { id, .. } => state.store.list_tokens(principal.tenant.id).await?.iter().any(|t| t.id == *id && t.is_live(now)),
    };
    if !held {
        return Ok(false);
    }
    let user = tenant_and_user(state, principal.tenant.id, principal.user.id).await?;
    Ok(user.is_some_and(|(_, user)| user.role == principal.user.role))
}

async fn tenant_and_user(
    state: &AppState,
    tenant: trustline_domain::TenantId,
    user: trustline_domain::UserId,
) -> Result<Option<(Tenant, User)>, StoreError> {
    let (Some(tenant), Some(user)) = (state.store.tenant(tenant).await?, state.store.user(tenant, user).await?) else {
        return Ok(None);
    };
    Ok((!user.disabled).then_some((tenant, user)))
}

/// A handler argument: the caller, who must be authenticated (the route's
/// guard has already decided what they may do).
pub(crate) struct Authed {
    pub caller: Caller,
    pub principal: Principal,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Authed {
    type Rejection = crate::ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, crate::ApiError> {
        let caller = parts.extensions.get::<Caller>().cloned().ok_or_else(crate::ApiError::unauthenticated)?;
        let principal = caller.principal.clone().ok_or_else(crate::ApiError::unauthenticated)?;
        Ok(Self { caller, principal })
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = crate::ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, crate::ApiError> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(crate::ApiError::unauthenticated)
    }
}
