//! The engine's world port: the campaigns, queues, agents, calls and
//! contacts it works with, each change written with its audit event, and
//! where its news goes. `StoreWorld` is the world of a running server (the
//! database and the vault); the simulator has its own in memory.

use crate::news::News;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::contact::{E164, ValidatedContact};
use trustline_domain::dialing::ContactStanding;
use trustline_domain::routing::SkillLevels;
use trustline_domain::{ContactId, TenantId, UnixTime, UserId};
use trustline_store::{
    AgentMove, AgentStatus, AttemptRecord, CallChange, CallDisposition, CallHold, CallRecord, Campaign, ConsentState, DialCandidate,
    Digest, NewCall, Queue, StoreResult,
};
use trustline_vault::VaultError;

/// This node's hold on a tenant's calls after asking for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// Held already, by this run of this node.
    Kept,
    /// Held from now: calls another node left behind are this node's to settle.
    Taken,
    /// Another node holds it.
    Elsewhere,
}

#[async_trait]
pub trait World: Send + Sync {
    /// Tenants whose floor is open (not ended), by id.
    async fn working_tenants(&self) -> StoreResult<Vec<TenantId>>;
    /// The region a tenant's numbers are read in when written without a country code.
    async fn default_region(&self, tenant: TenantId) -> StoreResult<Option<String>>;

    async fn campaigns(&self, tenant: TenantId) -> StoreResult<Vec<Campaign>>;
    async fn campaign(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Campaign>>;
    /// Contacts of the campaign's lists above `after`, by id, that may be due by `now`.
    async fn dial_candidates(
        &self,
        tenant: TenantId,
        campaign: i64,
        after: ContactId,
        now: UnixTime,
        limit: u32,
    ) -> StoreResult<Vec<DialCandidate>>;
    /// One contact as the dialing gate sees it in `campaign`; `None` if unknown or erased.
    async fn dial_candidate(&self, tenant: TenantId, campaign: i64, contact: ContactId) -> StoreResult<Option<DialCandidate>>;
    async fn attempts(&self, tenant: TenantId, campaign: i64, contact: ContactId) -> StoreResult<Option<AttemptRecord>>;
    /// Answered and abandoned calls per hour since `since`: (hour, answered, abandoned).
    async fn campaign_answers(&self, tenant: TenantId, campaign: i64, since: UnixTime) -> StoreResult<Vec<(UnixTime, u64, u64)>>;

    async fn queues(&self, tenant: TenantId) -> StoreResult<Vec<Queue>>;
    async fn queue(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Queue>>;
    /// The queue an inbound number reaches, whichever tenant's.
    async fn queue_by_number(&self, number: &str) -> StoreResult<Option<Queue>>;

    async fn agent_status(&self, tenant: TenantId, agent: UserId) -> StoreResult<Option<AgentStatus>>;
    async fn agent_statuses(&self, tenant: TenantId) -> StoreResult<Vec<AgentStatus>>;
    async fn agent_skills(&self, tenant: TenantId) -> StoreResult<Vec<(UserId, SkillLevels)>>;
    /// `Conflict` if the agent is no longer in `change.from`.
    async fn move_agent(&self, change: AgentMove, audit: AuditDraft) -> StoreResult<()>;
    async fn desk_seen(&self, tenant: TenantId, agent: UserId, at: UnixTime) -> StoreResult<()>;
    /// Agents with a desk last seen before `before`, not offline.
    async fn deserted_desks(&self, tenant: TenantId, before: UnixTime) -> StoreResult<Vec<AgentStatus>>;
    async fn forget_desk(&self, tenant: TenantId, agent: UserId) -> StoreResult<()>;

    /// `tenant`'s calls not done that another node (or an earlier run of
    /// this one) opened: left behind when this node took the tenant over.
    async fn calls_left_by_others(&self, tenant: TenantId) -> StoreResult<Vec<CallRecord>>;
    /// Takes or renews this node's hold on `tenant`'s calls (its dialling,
    /// its switchboard, the calls opened for it) until `until`.
    async fn hold_tenant(&self, tenant: TenantId, now: UnixTime, until: UnixTime) -> StoreResult<Holding>;
    /// Gives up every tenant this node holds, at once, and takes none from
    /// now on: the process is stopping, and other nodes may take them over
    /// without waiting for the leases to lapse.
    async fn release_tenants(&self) -> StoreResult<()>;
    /// Until when this node holds `tenant` by its last answer (lapsed
    /// when that is past); `None` if it does not.
    fn tenant_held_until(&self, tenant: TenantId) -> Option<UnixTime>;
    /// `Conflict` if the contact has a call open or the agent moved.
    async fn open_call(
        &self,
        call: NewCall,
        attempts: Option<AttemptRecord>,
        agent_move: Option<AgentMove>,
        audit: AuditDraft,
    ) -> StoreResult<i64>;
    /// `Conflict` if the call is no longer in `change.from`.
    async fn change_call(&self, change: CallChange, audit: Option<AuditDraft>) -> StoreResult<()>;
    async fn call(&self, tenant: TenantId, id: i64) -> StoreResult<Option<CallRecord>>;
    /// The call the agent works now, if any.
    async fn agent_call(&self, tenant: TenantId, agent: UserId) -> StoreResult<Option<CallRecord>>;
    async fn calls_between(&self, tenant: TenantId, from: UnixTime, to: UnixTime) -> StoreResult<Vec<CallRecord>>;
    /// Inbound calls waiting for an agent or a callback, oldest first.
    async fn waiting_calls(&self, tenant: TenantId) -> StoreResult<Vec<CallRecord>>;
    async fn hold_call(&self, hold: CallHold, audit: AuditDraft) -> StoreResult<()>;
    /// Keeps an event that changes no record (a supervisor monitoring a call).
    async fn record(&self, audit: AuditDraft) -> StoreResult<()>;
    async fn dispose_call(&self, disposition: CallDisposition, audit: AuditDraft) -> StoreResult<()>;

    /// The number to dial for a contact, and nothing else of it opened.
    async fn number_to_dial(&self, tenant: TenantId, contact: ContactId) -> Result<Option<E164>, VaultError>;
    /// The blind index of a caller's number, to find their contact.
    async fn phone_lookup(&self, tenant: TenantId, number: &E164, at: UnixTime) -> Result<Digest, VaultError>;
    async fn contact_by_phone(&self, tenant: TenantId, digest: &Digest) -> StoreResult<Option<ContactId>>;
    /// Whether the contact may be called at all (nothing of it opened);
    /// `None` if unknown or erased.
    async fn contact_standing(&self, tenant: TenantId, contact: ContactId) -> StoreResult<Option<ContactStanding>>;
    async fn create_contact(
        &self,
        tenant: TenantId,
        contact: &ValidatedContact,
        consent: ConsentState,
        audit: AuditDraft,
    ) -> Result<ContactId, VaultError>;

    /// Passes on a committed change. Never fails: news that cannot be
    /// delivered is logged where it is lost.
    async fn announce(&self, news: News);
}
