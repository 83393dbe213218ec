//! Agents' states as stored: the current one per agent and every move. The
//! store checks only that a move starts from the state on record; which
//! moves are allowed is the domain's rule.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentState;
use trustline_domain::{TenantId, UnixTime, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentStatus {
    pub user_id: UserId,
    pub state: AgentState,
    pub since: UnixTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentMove {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub event: String,
    /// The state the move starts from: `offline` for an agent with no record.
    pub from: AgentState,
    pub to: AgentState,
    pub at: UnixTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentHistoryEntry {
    pub at: UnixTime,
    pub event: String,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
}

#[async_trait]
pub trait AgentStore: Send + Sync {
    async fn agent_status(&self, tenant: TenantId, user: UserId) -> StoreResult<Option<AgentStatus>>;
    /// Every agent of the tenant with a record, by user id.
    async fn agent_statuses(&self, tenant: TenantId) -> StoreResult<Vec<AgentStatus>>;
    /// Records a move and its history entry, provided the agent is still in
    /// `from` (`Conflict` otherwise: another move came first).
    async fn move_agent(&self, change: AgentMove, audit: AuditDraft) -> StoreResult<()>;
    /// The newest `limit` moves of one agent, newest first.
    async fn agent_history(&self, tenant: TenantId, user: UserId, limit: u32) -> StoreResult<Vec<AgentHistoryEntry>>;
    /// Each agent's state at `at` (from their last move before it), for
    /// agents who had moved by then.
    async fn agent_states_at(&self, tenant: TenantId, at: UnixTime) -> StoreResult<Vec<(UserId, String)>>;
    /// Every move in `[from, to)`, by agent then time.
    async fn agent_moves_between(&self, tenant: TenantId, from: UnixTime, to: UnixTime) -> StoreResult<Vec<(UserId, AgentHistoryEntry)>>;
    /// Records that the agent's desk was seen at `at` (nothing for an agent
    /// with no state on record).
    async fn desk_seen(&self, tenant: TenantId, user: UserId, at: UnixTime) -> StoreResult<()>;
    /// Forgets when the agent's desk was seen: until it is seen again, the
    /// agent counts as working without one.
    async fn forget_desk(&self, tenant: TenantId, user: UserId) -> StoreResult<()>;
    /// Agents available, on a break or in wrap-up whose desk was last seen
    /// before `before`.
    async fn deserted_desks(&self, tenant: TenantId, before: UnixTime) -> StoreResult<Vec<AgentStatus>>;
}
