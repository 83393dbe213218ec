//! Agents' moves: the domain's state machine applied to the state on record,
//! in the stored form, and the live change each committed move publishes.

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::live::LiveEvent;
use crate::state::AppState;
use serde::Serialize;
use trustline_audit::AuditDraft;
use trustline_domain::agent::{AgentEvent, AgentState, IllegalTransition};
use trustline_domain::{TenantId, UnixTime, UserId};
use trustline_store::{AgentMove, AgentStatus, StoreError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum MoveError {
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MoveError> for ApiError {
    fn from(error: MoveError) -> Self {
        match error {
            MoveError::Illegal(e) => ApiError::new(ErrorCode::IllegalTransition, e.to_string()),
            MoveError::Store(e) => ApiError::from(e),
        }
    }
}

/// The agent's state (offline with no record).
pub(crate) fn current(status: Option<&AgentStatus>) -> AgentState {
    status.map_or(AgentState::Offline, |s| s.state.clone())
}

/// The move `event` makes from the state on record, if the domain allows it.
pub(crate) fn plan(
    tenant: TenantId,
    user: UserId,
    status: Option<&AgentStatus>,
    event: AgentEvent,
    event_name: &str,
    at: UnixTime,
) -> Result<AgentMove, MoveError> {
    let from = current(status);
    let to = from.apply(event)?;
    Ok(AgentMove { tenant_id: tenant, user_id: user, event: event_name.to_owned(), from, to, at })
}

/// An agent's state as the API and the live feed show it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct StateView {
    pub user_id: i64,
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the agent entered this state (Unix time); absent if never logged in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
}

impl StateView {
    pub fn of(user: UserId, status: Option<&AgentStatus>) -> Self {
        match status {
            Some(s) => Self::in_state(user, &s.state, Some(s.since)),
            None => Self::in_state(user, &AgentState::Offline, None),
        }
    }

    pub fn after(change: &AgentMove) -> Self {
        Self::in_state(change.user_id, &change.to, Some(change.at))
    }

    fn in_state(user: UserId, state: &AgentState, since: Option<i64>) -> Self {
        let (code, reason) = state.code();
        Self { user_id: user.0, state: code.to_owned(), reason: reason.map(str::to_owned), since }
    }
}

/// Tells supervisors' live views about a committed move.
/// `audit` with what the move did: the states left and entered, and the
/// break's reason.
pub(crate) fn described(audit: AuditDraft, change: &AgentMove) -> AuditDraft {
    let audit = audit.detail("from", change.from.code().0).detail("to", change.to.code().0);
    match change.to.code().1 {
        Some(reason) => audit.detail("reason", reason),
        None => audit,
    }
}

pub(crate) async fn publish(state: &AppState, change: &AgentMove) {
    if let Ok(data) = serde_json::to_value(StateView::after(change)) {
        state.live.publish(LiveEvent { tenant: change.tenant_id, kind: "agent".into(), data }).await;
    }
}

/// Plans `event` for `user`, stores it with `audit` (described with what
/// the move did), and tells the live views and the dialer: the one way an
/// agent's state changes at anyone's request.
pub(crate) async fn carry_out(
    state: &AppState,
    tenant: TenantId,
    user: UserId,
    event: AgentEvent,
    event_name: &str,
    audit: AuditDraft,
) -> Result<StateView, ApiError> {
    let status = state.store.agent_status(tenant, user).await?;
    let change = plan(tenant, user, status.as_ref(), event, event_name, state.clock.now())?;
    state.store.move_agent(change.clone(), described(audit, &change)).await?;
    if change.from == AgentState::Offline {
        // A new working day: a desk seen before it says nothing now.
        state.store.forget_desk(tenant, user).await?;
    }
    publish(state, &change).await;
    state.dialer.wake();
    Ok(StateView::after(&change))
}
