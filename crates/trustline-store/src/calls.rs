//! Calls as stored: every call offered, placed or taken, what became of it,
//! and each campaign contact's attempt history. A call row holds no personal
//! data beyond the contact's id. Each change that moves an agent carries
//! that move and commits with it, so a call and its agent never disagree.
//! Which moves and outcomes are allowed is the domain's rule; the store
//! checks only that a change starts from the state on record.

use crate::{AgentMove, StoreResult};
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::dialing::{DialingMode, DispositionOutcome};
use trustline_domain::reporting::{CallFacts, InboundFacts};
use trustline_domain::routing::RoutingStrategy;
use trustline_domain::{CallResult, ContactId, TenantId, UnixTime, UserId};

/// Which way a call goes. Stored as its `as_str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    /// Placed by the dialer or an agent for a campaign.
    Outbound,
    /// A caller dialled one of the tenant's numbers.
    Inbound,
}

impl CallDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            CallDirection::Outbound => "outbound",
            CallDirection::Inbound => "inbound",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [CallDirection::Outbound, CallDirection::Inbound].into_iter().find(|d| d.as_str() == text)
    }
}

/// How a call was placed or routed: its campaign's dialing mode
/// (outbound) or its queue's routing strategy (inbound). Stored as its
/// `as_str`; the two sets of names do not overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallMode {
    Dialing(DialingMode),
    Routing(RoutingStrategy),
}

impl CallMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CallMode::Dialing(mode) => mode.as_str(),
            CallMode::Routing(strategy) => strategy.as_str(),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        DialingMode::parse(text).ok().map(CallMode::Dialing).or_else(|| RoutingStrategy::parse(text).map(CallMode::Routing))
    }
}

/// Where a call stands. Stored as its `as_str`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallState {
    /// An inbound call waiting in its queue for an agent.
    Queued,
    /// An inbound caller who took the callback offer: waiting in the queue,
    /// off the line, to be called back.
    Callback,
    /// Outbound: a contact offered to an agent to preview; nothing dialled
    /// yet. Inbound: a caller offered to an agent, ringing at their desk
    /// until they accept or decline.
    Offered,
    Ringing,
    /// A person answered; no agent yet.
    Answered,
    Connected,
    /// The conversation ended; the agent has not set the disposition yet.
    WrapUp,
    Done,
}

impl CallState {
    pub const ALL: [CallState; 8] =
        [Self::Queued, Self::Callback, Self::Offered, Self::Ringing, Self::Answered, Self::Connected, Self::WrapUp, Self::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Queued => "queued",
            CallState::Callback => "callback",
            CallState::Offered => "offered",
            CallState::Ringing => "ringing",
            CallState::Answered => "answered",
            CallState::Connected => "connected",
            CallState::WrapUp => "wrap_up",
            CallState::Done => "done",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl CallRecord {
    /// When the call entered the state it is in (for the desk's timers).
    pub fn state_since(&self) -> Option<UnixTime> {
        match self.state {
            CallState::Queued | CallState::Callback | CallState::Offered => Some(self.offered_at),
            CallState::Ringing => self.placed_at,
            CallState::Answered => self.answered_at,
            CallState::Connected => self.connected_at,
            CallState::WrapUp | CallState::Done => self.ended_at,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    pub id: i64,
    pub tenant_id: TenantId,
    pub direction: CallDirection,
    pub campaign_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub contact_id: Option<ContactId>,
    pub agent_id: Option<UserId>,
    pub mode: CallMode,
    pub state: CallState,
    /// How it ended.
    pub result: Option<CallResult>,
    pub offered_at: UnixTime,
    pub placed_at: Option<UnixTime>,
    pub answered_at: Option<UnixTime>,
    pub connected_at: Option<UnixTime>,
    pub ended_at: Option<UnixTime>,
    pub disposition: Option<String>,
    pub outcome: Option<DispositionOutcome>,
    pub disposed_at: Option<UnixTime>,
    /// When an inbound caller took the callback offer.
    pub callback_requested_at: Option<UnixTime>,
    /// Since when the conversation is on hold (`None`: not on hold).
    pub held_since: Option<UnixTime>,
    /// Time on hold in earlier holds of this call.
    pub hold_seconds: i64,
    /// The call the agent handed the person on from (a transfer).
    pub transferred_from: Option<i64>,
}

impl CallRecord {
    /// What the domain's outbound reports need of the call.
    pub fn outbound_facts(&self) -> CallFacts {
        CallFacts {
            placed: self.placed_at.is_some(),
            answered_at: self.answered_at,
            connected_at: self.connected_at,
            ended_at: self.ended_at,
            disposed_at: self.disposed_at,
            result: self.result,
            outcome: self.outcome,
            hold_seconds: self.hold_seconds,
        }
    }

    /// What the domain's inbound reports need of the call.
    pub fn inbound_facts(&self) -> InboundFacts {
        InboundFacts {
            arrived_at: self.offered_at,
            connected_at: self.connected_at,
            ended_at: self.ended_at,
            disposed_at: self.disposed_at,
            callback_requested: self.callback_requested_at.is_some(),
            result: self.result,
            outcome: self.outcome,
            hold_seconds: self.hold_seconds,
        }
    }
}

/// A campaign contact's attempts, as the dialing rules left them. `due_at`
/// is when it may be dialled next (`None`: never again in this campaign).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttemptRecord {
    pub attempts: u32,
    pub last_attempt_at: Option<UnixTime>,
    pub last_outcome: Option<String>,
    pub callback_at: Option<UnixTime>,
    /// A personal callback: only this agent takes it.
    pub callback_agent: Option<UserId>,
    pub due_at: Option<UnixTime>,
}

/// A contact of a campaign's lists, with what the dialing gate needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialCandidate {
    pub contact_id: ContactId,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub do_not_contact: bool,
    pub restricted: bool,
    /// `None` if never attempted in this campaign.
    pub attempts: Option<AttemptRecord>,
}

/// A call to record: offered to an agent (preview), or placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    pub tenant_id: TenantId,
    pub direction: CallDirection,
    pub campaign_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub contact_id: Option<ContactId>,
    pub agent_id: Option<UserId>,
    pub mode: CallMode,
    pub state: CallState,
    pub at: UnixTime,
    /// The call the agent handed the person on from (a transfer).
    pub transferred_from: Option<i64>,
    /// The node holding the call's audio, where its commands are carried out.
    pub owner_node: Option<crate::NodeId>,
    /// The lease the call is opened under (its tenant's, held by the node
    /// opening it): refused when another node has taken it since.
    pub fence: Option<crate::Fence>,
}

/// A change of one call, from the state on record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallChange {
    pub tenant_id: TenantId,
    pub call_id: i64,
    pub from: CallState,
    pub to: CallState,
    pub at: UnixTime,
    /// Set when the call ends.
    pub result: Option<CallResult>,
    /// The agent the call is now with (connecting an answered call).
    pub agent_id: Option<UserId>,
    /// The contact's attempt history after this change, if it changes.
    pub attempts: Option<AttemptRecord>,
    /// The agent's move that goes with this change.
    pub agent_move: Option<AgentMove>,
}

impl CallChange {
    /// The call's move alone; set the other fields for what goes with it.
    pub fn new(tenant_id: TenantId, call_id: i64, from: CallState, to: CallState, at: UnixTime) -> Self {
        Self { tenant_id, call_id, from, to, at, result: None, agent_id: None, attempts: None, agent_move: None }
    }
}

/// A conversation put on hold (`on`) or taken off it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallHold {
    pub tenant_id: TenantId,
    pub call_id: i64,
    pub on: bool,
    pub at: UnixTime,
}

/// A disposition set on a call in wrap-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallDisposition {
    pub tenant_id: TenantId,
    pub call_id: i64,
    pub code: String,
    pub outcome: DispositionOutcome,
    pub at: UnixTime,
    pub attempts: Option<AttemptRecord>,
    pub agent_move: AgentMove,
}

#[async_trait]
pub trait CallStore: Send + Sync {
    /// Contacts of the campaign's lists with an id above `after`, by id, not
    /// erased, with no call open and either never attempted or due by `now`.
    async fn dial_candidates(
        &self,
        tenant: TenantId,
        campaign: i64,
        after: ContactId,
        now: UnixTime,
        limit: u32,
    ) -> StoreResult<Vec<DialCandidate>>;
    /// Records a new call and, for an outbound one with a contact, the
    /// attempt (`attempts`) and the open call on the contact: `Conflict` if
    /// the contact already has a call open in the campaign. The agent's
    /// move, if any, commits with it. Fills the draft's target; returns the id.
    async fn open_call(
        &self,
        call: NewCall,
        attempts: Option<AttemptRecord>,
        agent_move: Option<AgentMove>,
        audit: AuditDraft,
    ) -> StoreResult<i64>;
    /// Moves a call on (`Conflict` if it is no longer in `change.from`).
    /// Ending it (`Done`) frees its contact for the campaign; connecting it
    /// makes its contact the agent's assignment; back in its queue it is
    /// nobody's call.
    async fn change_call(&self, change: CallChange, audit: Option<AuditDraft>) -> StoreResult<()>;
    /// Puts a connected call on hold or takes it off (`Conflict` if it is
    /// not connected, or already so). Hold time is added up when the hold
    /// ends, or when the conversation does.
    async fn hold_call(&self, hold: CallHold, audit: AuditDraft) -> StoreResult<()>;
    /// Sets the disposition of a call in wrap-up and ends it.
    async fn dispose_call(&self, disposition: CallDisposition, audit: AuditDraft) -> StoreResult<()>;
    async fn call(&self, tenant: TenantId, id: i64) -> StoreResult<Option<CallRecord>>;
    /// A contact's attempts in a campaign, if it was ever offered or dialled.
    async fn attempts(&self, tenant: TenantId, campaign: i64, contact: ContactId) -> StoreResult<Option<AttemptRecord>>;
    /// The call an agent is working: offered, placed for them, connected or
    /// in wrap-up.
    async fn agent_call(&self, tenant: TenantId, agent: UserId) -> StoreResult<Option<CallRecord>>;
    /// The newest `limit` calls to a contact, newest first.
    async fn contact_calls(&self, tenant: TenantId, contact: ContactId, limit: u32) -> StoreResult<Vec<CallRecord>>;
    /// Calls offered in `[from, to)`, oldest first.
    async fn calls_between(&self, tenant: TenantId, from: UnixTime, to: UnixTime) -> StoreResult<Vec<CallRecord>>;
    /// `tenant`'s calls not done that `node` does not hold: left by another
    /// node, or by an earlier run (to settle when `node` takes the tenant).
    async fn open_calls_left(&self, tenant: TenantId, node: &crate::NodeId) -> StoreResult<Vec<CallRecord>>;
    /// Inbound calls waiting in the tenant's queues (queued, ringing at an
    /// agent's desk, or waiting for a callback), oldest first.
    async fn waiting_calls(&self, tenant: TenantId) -> StoreResult<Vec<CallRecord>>;
    /// Answered and abandoned calls of a campaign since `since`, per hour:
    /// (hour start, answered, abandoned).
    async fn campaign_answers(&self, tenant: TenantId, campaign: i64, since: UnixTime) -> StoreResult<Vec<(UnixTime, u64, u64)>>;
}
