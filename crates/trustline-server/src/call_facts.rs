//! What the domain's reports need of a stored call.

use trustline_domain::reporting::{CallFacts, InboundFacts};
use trustline_store::CallRecord;

pub(crate) fn outbound_facts(call: &CallRecord) -> CallFacts {
    CallFacts {
        placed: call.placed_at.is_some(),
        answered_at: call.answered_at,
        connected_at: call.connected_at,
        ended_at: call.ended_at,
        disposed_at: call.disposed_at,
        result: call.result.clone(),
        outcome: call.outcome.clone(),
        hold_seconds: call.hold_seconds,
    }
}

pub(crate) fn inbound_facts(call: &CallRecord) -> InboundFacts {
    InboundFacts {
        arrived_at: call.offered_at,
        connected_at: call.connected_at,
        ended_at: call.ended_at,
        disposed_at: call.disposed_at,
        callback_requested: call.callback_requested_at.is_some(),
        result: call.result.clone(),
        outcome: call.outcome.clone(),
        hold_seconds: call.hold_seconds,
    }
}
