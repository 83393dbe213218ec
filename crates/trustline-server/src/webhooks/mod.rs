//! Outbound webhooks. Events (a call ended, a disposition set, a contact
//! created) are queued as one delivery per subscription that wants them;
//! the sender posts each, signed with the subscription's secret, and tries
//! failures again with backoff. Payloads carry ids, never personal data.

mod outbox;
mod sender;
mod transport;

pub(crate) use outbox::{events_of, publish, secret_place};
pub(crate) use sender::start;

use trustline_domain::webhooks::DestinationPolicy;

pub(crate) fn policy(state: &crate::state::AppState) -> DestinationPolicy {
    DestinationPolicy { allow_private: state.config.allow_private_webhooks }
}
