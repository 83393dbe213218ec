//! Outbound webhooks: which events a CRM may subscribe to, where deliveries
//! may go (never to this network's own or private addresses unless the
//! operator allows it), and when a failed delivery is tried again.

mod retry;
mod subscription;

pub use retry::{DeliveryAttempt, MAX_ATTEMPTS, next_attempt};
pub use subscription::{PUBLIC_HTTPS_URL, WebhookEvent, WebhookInput, WebhookTarget, WebhookUrl, destination_url};
