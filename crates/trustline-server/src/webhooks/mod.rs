//! Outbound webhooks. Events (a call ended, a disposition set, a contact
//! created) are queued by the application's outbox as one delivery per
//! subscription that wants them; the sender here posts each, signed with the subscription's secret, and tries
//! failures again with backoff. Payloads carry ids, never personal data.

mod sender;
mod transport;

pub(crate) use sender::start;
pub(crate) use trustline_app::{publish_webhook as publish, webhook_events_of as events_of, webhook_secret_place as secret_place};

use trustline_domain::destination::DestinationPolicy;

pub(crate) fn policy(state: &crate::state::AppState) -> DestinationPolicy {
    DestinationPolicy { allow_private: state.config.allow_private_webhooks }
}
