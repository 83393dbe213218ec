//! What the engine tells the rest of the system as it happens: live views
//! hear of every call and agent move, and CRMs (through webhooks) of calls
//! ended, dispositions set and contacts created. News carries ids and
//! states, never personal data.

use serde_json::Value;
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{CallResult, TenantId, UserId};
use trustline_store::{AgentMove, CallState};

/// Where a call comes from: its campaign or its queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub campaign: Option<i64>,
    pub queue: Option<i64>,
}

impl Origin {
    pub fn campaign(id: i64) -> Self {
        Self { campaign: Some(id), queue: None }
    }

    pub fn queue(id: i64) -> Self {
        Self { campaign: None, queue: Some(id) }
    }

    pub fn of(call: &trustline_store::CallRecord) -> Self {
        Self { campaign: call.campaign_id, queue: call.queue_id }
    }
}

/// A committed change, for whoever follows the tenant's floor.
#[derive(Clone, Debug, PartialEq)]
pub enum News {
    /// A call entered `state`.
    Call { tenant: TenantId, call: i64, origin: Origin, agent: Option<UserId>, state: CallState, result: Option<CallResult> },
    /// An agent moved.
    Agent(AgentMove),
    /// A supervisor joined an agent's conversation, changed how (`listen`,
    /// `whisper`, `barge`), or left it (`stop`).
    Monitor { tenant: TenantId, call: i64, agent: UserId, supervisor: UserId, mode: &'static str },
    /// An agent's consultation on a call (an outside number called while
    /// the person waits on hold) began to ring (`ringing`), was answered
    /// (`answered`), or ended (`ended`, `completed`).
    Consult { tenant: TenantId, call: i64, agent: UserId, state: &'static str },
    /// An agent's desk phone put its line down while they work: their
    /// desk has no audio until it is rung again.
    DeskPhoneDown { tenant: TenantId, agent: UserId },
    /// An event for the tenant's webhook subscriptions.
    Webhook { tenant: TenantId, event: WebhookEvent, data: Value },
}
