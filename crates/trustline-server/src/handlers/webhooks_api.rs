//! Webhook subscriptions: create (the signing secret is shown once), list,
//! remove, and each one's recent deliveries.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::webhooks::{events_of, policy, secret_place};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use trustline_crypto::SecretToken;
use trustline_domain::webhooks::WebhookInput;
use trustline_store::{NewWebhook, StoreError, Webhook};

fn view(webhook: &Webhook) -> Value {
    let events = events_of(webhook);
    json!({
        "id": webhook.id,
        "url": webhook.url,
        "events": events,
        "description": webhook.description,
        "created_at": webhook.created_at,
    })
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(state.store.webhooks(authed.principal.tenant.id).await?.iter().map(view).collect()))
}

/// Subscribes a URL to events; the answer carries the signing secret, which
/// is never shown again.
pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = authed.principal.tenant.id;
    let target = input.validate(policy(&state)).map_err(|fields| ApiError::invalid_fields("invalid_webhook", fields))?;
    let secret = SecretToken::generate("whsec_");
    let sealed_secret = state
        .keys
        .webhooks
        .seal(secret.expose().as_bytes(), &secret_place(tenant))
        .map_err(|_| ApiError::from(StoreError::Corrupt("webhook secret".into())))?;
    let names: Vec<&str> = target.events.iter().map(|e| e.as_str()).collect();
    let events = serde_json::to_string(&target.events).map_err(|_| ApiError::from(StoreError::Corrupt("webhook events".into())))?;
    let audit = authed.caller.audit(&state, "webhook.create", "webhook").detail("events", names.join(","));
    let new = NewWebhook {
        tenant_id: tenant,
        url: target.url.clone(),
        events,
        description: target.description,
        sealed_secret,
        at: state.clock.now(),
    };
    let id = state.store.create_webhook(new, audit).await?;
    let answer = json!({ "id": id, "url": target.url, "events": target.events, "secret": secret.expose() });
    Ok((StatusCode::CREATED, Json(answer)))
}

pub(crate) async fn remove(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    let audit = authed.caller.audit(&state, "webhook.delete", format!("webhook:{id}"));
    state.store.delete_webhook(authed.principal.tenant.id, id, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The newest 100 deliveries of a subscription, with each one's attempts
/// and last answer.
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    state.store.webhook(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    let deliveries = state.store.deliveries(tenant, id, 100).await?;
    Ok(Json(
        deliveries
            .iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "event": d.event,
                    "state": d.state,
                    "attempts": d.attempts,
                    "next_attempt_at": d.next_attempt_at.filter(|_| d.state == "pending"),
                    "last_status": d.last_status,
                    "last_error": d.last_error,
                    "created_at": d.created_at,
                    "delivered_at": d.delivered_at,
                })
            })
            .collect(),
    ))
}
