//! Webhook subscriptions and their deliveries as stored. The signing secret
//! is kept sealed by the caller; a delivery is claimed before it is sent, so
//! that several nodes never send the same one at once.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UnixTime};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub tenant_id: TenantId,
    pub url: String,
    /// The event names, as JSON.
    pub events: String,
    pub description: String,
    pub sealed_secret: Vec<u8>,
    pub created_at: UnixTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWebhook {
    pub tenant_id: TenantId,
    pub url: String,
    pub events: String,
    pub description: String,
    pub sealed_secret: Vec<u8>,
    pub at: UnixTime,
}

/// `pending` until `delivered` or `failed` (no attempts left).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: i64,
    pub tenant_id: TenantId,
    pub webhook_id: i64,
    pub event: String,
    /// The exact JSON body sent (and signed).
    pub payload: String,
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: Option<UnixTime>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: UnixTime,
    pub delivered_at: Option<UnixTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDelivery {
    pub tenant_id: TenantId,
    pub webhook_id: i64,
    pub event: String,
    pub payload: String,
    pub at: UnixTime,
}

/// How an attempt went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered {
        status: u16,
    },
    /// Failed; try again at `retry_at`.
    Retry {
        status: Option<u16>,
        error: String,
        retry_at: UnixTime,
    },
    /// Failed for the last time.
    Failed {
        status: Option<u16>,
        error: String,
    },
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Fills the draft's target with the new id.
    async fn create_webhook(&self, webhook: NewWebhook, audit: AuditDraft) -> StoreResult<i64>;
    async fn webhooks(&self, tenant: TenantId) -> StoreResult<Vec<Webhook>>;
    async fn webhook(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Webhook>>;
    /// Removes a subscription and its deliveries (`NotFound` if none).
    async fn delete_webhook(&self, tenant: TenantId, id: i64, audit: AuditDraft) -> StoreResult<()>;
    /// Queues deliveries, due at once.
    async fn enqueue_deliveries(&self, deliveries: Vec<NewDelivery>) -> StoreResult<()>;
    /// Claims up to `limit` pending deliveries due by `now`, oldest first,
    /// by moving their next attempt to `lease_until`: another node's claim
    /// then finds them not due.
    async fn claim_deliveries(&self, now: UnixTime, lease_until: UnixTime, limit: u32) -> StoreResult<Vec<WebhookDelivery>>;
    /// Records an attempt of a claimed delivery.
    async fn finish_attempt(&self, id: i64, outcome: AttemptOutcome, at: UnixTime) -> StoreResult<()>;
    /// The newest `limit` deliveries of a subscription, newest first.
    async fn deliveries(&self, tenant: TenantId, webhook: i64, limit: u32) -> StoreResult<Vec<WebhookDelivery>>;
}
