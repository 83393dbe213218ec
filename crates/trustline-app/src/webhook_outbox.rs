//! Queuing an event for every subscription of the tenant that wants it.

use serde_json::{Value, json};
use trustline_crypto::{hex, random_bytes};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{TenantId, UnixTime};
use trustline_store::{NewDelivery, Store, StoreError, Webhook};

/// Where a subscription's secret is sealed: bound to its tenant, so that a
/// sealed secret copied into another tenant's row does not open.
pub fn secret_place(tenant: TenantId) -> String {
    format!("webhook-secret:tenant:{}", tenant.0)
}

pub fn events_of(webhook: &Webhook) -> Vec<WebhookEvent> {
    serde_json::from_str(&webhook.events).unwrap_or_default()
}

/// Queues `event` with `data` for the tenant's subscribers. A failure is
/// logged: the change that raised the event is already committed.
pub async fn publish(store: &dyn Store, at: UnixTime, tenant: TenantId, event: WebhookEvent, data: Value) {
    if let Err(error) = enqueue(store, at, tenant, event, data).await {
        tracing::warn!(%error, event = event.as_str(), "webhook deliveries could not be queued");
    }
}

async fn enqueue(store: &dyn Store, at: UnixTime, tenant: TenantId, event: WebhookEvent, data: Value) -> Result<(), StoreError> {
    let subscribers: Vec<Webhook> = store.webhooks(tenant).await?.into_iter().filter(|w| events_of(w).contains(&event)).collect();
    if subscribers.is_empty() {
        return Ok(());
    }
    // One id per event, the same in every subscriber's delivery, for receivers to drop repeats.
    let id = format!("evt_{}", hex(random_bytes::<12>().as_ref()));
    let payload = json!({ "id": id, "event": event.as_str(), "occurred_at": at, "data": data }).to_string();
    let deliveries = subscribers
        .iter()
        .map(|w| NewDelivery { tenant_id: tenant, webhook_id: w.id, event: event.as_str().to_owned(), payload: payload.clone(), at })
        .collect();
    store.enqueue_deliveries(deliveries).await
}
