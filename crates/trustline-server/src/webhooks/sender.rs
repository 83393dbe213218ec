//! The sender: every tick it claims due deliveries (so another node does
//! not send them too), posts each to its subscription's URL with the
//! signature headers, and records the outcome: delivered on any 2xx answer,
//! otherwise tried again after the domain's backoff until it gives up.
//!
//! Headers: `Trustline-Event`, `Trustline-Delivery` (the delivery's id) and
//! `Trustline-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>"
//! under the subscription's secret>`.

use super::secret_place;
use super::transport::Transport;
use crate::state::AppState;
use futures_util::StreamExt;
use std::time::Duration;
use trustline_crypto::hmac_sha256_hex;
use trustline_domain::webhooks::{DeliveryAttempt, destination_url, next_attempt};
use trustline_store::{AttemptOutcome, WebhookDelivery};

/// A claimed delivery is not claimed again for this long (a node that dies
/// mid-send leaves it to the others after this).
const LEASE_SECONDS: i64 = 60;
const CLAIM_BATCH: u32 = 20;
const SENDING_AT_ONCE: usize = 4;

pub(crate) fn start(state: AppState, tick: Duration) {
    let transport = match Transport::new(super::policy(&state)) {
        Ok(transport) => transport,
        Err(error) => {
            tracing::error!(%error, "webhooks cannot be sent: TLS cannot be set up");
            return;
        }
    };
    tokio::spawn(async move {
        loop {
            if let Err(error) = send_due(&state, &transport).await {
                tracing::warn!(%error, "due webhook deliveries could not be read");
            }
            tokio::time::sleep(tick).await;
        }
    });
}

async fn send_due(state: &AppState, transport: &Transport) -> Result<(), trustline_store::StoreError> {
    let now = state.clock.now();
    let claimed = state.store.claim_deliveries(now, now + LEASE_SECONDS, CLAIM_BATCH).await?;
    futures_util::stream::iter(claimed)
        .for_each_concurrent(SENDING_AT_ONCE, |delivery| async move {
            let outcome = attempt(state, transport, &delivery).await;
            if let Err(error) = state.store.finish_attempt(delivery.id, outcome, state.clock.now()).await {
                tracing::warn!(%error, delivery = delivery.id, "a webhook attempt could not be recorded");
            }
        })
        .await;
    Ok(())
}

fn failed(delivery: &WebhookDelivery, status: Option<u16>, error: String, now: i64) -> AttemptOutcome {
    match next_attempt(delivery.attempts + 1, now) {
        DeliveryAttempt::RetryAt(retry_at) => AttemptOutcome::Retry { status, error, retry_at },
        DeliveryAttempt::GiveUp => AttemptOutcome::Failed { status, error },
    }
}

async fn attempt(state: &AppState, transport: &Transport, delivery: &WebhookDelivery) -> AttemptOutcome {
    let now = state.clock.now();
    let webhook = match state.store.webhook(delivery.tenant_id, delivery.webhook_id).await {
        Ok(Some(webhook)) => webhook,
        Ok(None) => return AttemptOutcome::Failed { status: None, error: "the subscription was removed".into() },
        Err(error) => return failed(delivery, None, format!("the subscription could not be read: {error}"), now),
    };
    // The operator may have disallowed private destinations since the subscription was made.
    if destination_url(&webhook.url, super::policy(state)).is_err() {
        return AttemptOutcome::Failed { status: None, error: "the URL is no longer an allowed destination".into() };
    }
    let Ok(secret) = state.keys.webhooks.open(&webhook.sealed_secret, &secret_place(webhook.tenant_id)) else {
        return AttemptOutcome::Failed { status: None, error: "the signing secret does not open".into() };
    };
    let timestamp = now.to_string();
    let Some(signature) = hmac_sha256_hex(&secret, &[timestamp.as_bytes(), b".", delivery.payload.as_bytes()]) else {
        return AttemptOutcome::Failed { status: None, error: "the signing secret is malformed".into() };
    };
    let headers = [
        ("content-type", "application/json".to_owned()),
        ("user-agent", "Trustline-Webhooks/1".to_owned()),
        ("trustline-event", delivery.event.clone()),
        ("trustline-delivery", delivery.id.to_string()),
        ("trustline-signature", format!("t={timestamp},v1={signature}")),
    ];
    match transport.post(&webhook.url, &headers, delivery.payload.clone()).await {
        Ok(status) if (200..300).contains(&status) => AttemptOutcome::Delivered { status },
        Ok(status) => failed(delivery, Some(status), format!("answered {status}"), now),
        Err(error) => failed(delivery, None, error.to_string(), now),
    }
}
