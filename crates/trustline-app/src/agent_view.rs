//! An agent's state as the API and the live feed show it.

use serde::{Deserialize, Serialize};
use trustline_domain::UserId;
use trustline_domain::agent::AgentState;
use trustline_store::{AgentMove, AgentStatus};

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StateView {
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
