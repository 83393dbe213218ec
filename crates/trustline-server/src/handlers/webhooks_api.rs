//! Webhook subscriptions: create (the signing secret is shown once), list,
//! remove, and each one's recent deliveries.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::webhooks::{events_of, policy, secret_place};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use trustline_crypto::SecretToken;
use trustline_domain::AuditAction;
use trustline_domain::webhooks::{WebhookEvent, WebhookInput};
use trustline_store::{NewWebhook, StoreError, Webhook};

/// A subscription as its tenant sees it (never its secret).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct WebhookView {
    id: i64,
    url: String,
    events: Vec<WebhookEvent>,
    description: String,
    created_at: i64,
}

fn view(webhook: &Webhook) -> WebhookView {
    WebhookView {
        id: webhook.id,
        url: webhook.url.clone(),
        events: events_of(webhook),
        description: webhook.description.clone(),
        created_at: webhook.created_at,
    }
}

/// A new subscription, with the signing secret shown this once.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct NewWebhookView {
    id: i64,
    url: String,
    events: Vec<WebhookEvent>,
    /// `whsec_…`: keep it to check each delivery's signature.
    secret: String,
}

/// One delivery of an event and how it went.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct DeliveryView {
    id: i64,
    event: String,
    /// `pending`, `delivered` or `failed`.
    state: String,
    attempts: u32,
    /// When the next attempt is due, while pending.
    next_attempt_at: Option<i64>,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<WebhookView>>, ApiError> {
    Ok(Json(state.store.webhooks(authed.principal.tenant.id).await?.iter().map(view).collect()))
}

/// Subscribes a URL to events; the answer carries the signing secret, which
/// is never shown again.
pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<(StatusCode, Json<NewWebhookView>), ApiError> {
    let tenant = authed.principal.tenant.id;
    let target = input.validate(policy(&state)).map_err(|fields| ApiError::with_fields(ErrorCode::InvalidWebhook, fields))?;
    let secret = SecretToken::generate("whsec_");
    let sealed_secret = state
        .keys
        .webhooks
        .seal(secret.expose().as_bytes(), &secret_place(tenant))
        .map_err(|_| ApiError::from(StoreError::Corrupt("webhook secret".into())))?;
    let names: Vec<&str> = target.events.iter().map(|e| e.as_str()).collect();
    let events = serde_json::to_string(&target.events).map_err(|_| ApiError::from(StoreError::Corrupt("webhook events".into())))?;
    let audit = authed.caller.audit(&state, AuditAction::WebhookCreate, "webhook").detail("events", names.join(","));
    let new = NewWebhook {
        tenant_id: tenant,
        url: target.url.clone(),
        events,
        description: target.description,
        sealed_secret,
        at: state.clock.now(),
    };
    let id = state.store.create_webhook(new, audit).await?;
    let answer = NewWebhookView { id, url: target.url, events: target.events, secret: secret.expose().to_owned() };
    Ok((StatusCode::CREATED, Json(answer)))
}

pub(crate) async fn remove(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    let audit = authed.caller.audit(&state, AuditAction::WebhookDelete, format!("webhook:{id}"));
    state.store.delete_webhook(authed.principal.tenant.id, id, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The newest 100 deliveries of a subscription, with each one's attempts
/// and last answer.
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    state.store.webhook(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    let deliveries = state.store.deliveries(tenant, id, 100).await?;
    Ok(Json(
        deliveries
            .iter()
            .map(|d| DeliveryView {
                id: d.id,
                event: d.event.clone(),
                state: d.state.clone(),
                attempts: d.attempts,
                next_attempt_at: d.next_attempt_at.filter(|_| d.state == "pending"),
                last_status: d.last_status,
                last_error: d.last_error.clone(),
                created_at: d.created_at,
                delivered_at: d.delivered_at,
            })
            .collect(),
    ))
}
