//! What the API shows of stored records. Secrets and digests never appear.

use serde::Serialize;
use trustline_domain::{ContactId, Role, TenantId, TokenId, UnixTime, UserId};
use trustline_store::{ApiToken, CallDirection, CallRecord, CallState, User};

crate::schema_only::vocabulary!(CallStateName, "Where a call stands.", CallState::ALL.iter().map(|s| s.as_str()).collect());

/// What creating something answers: the new record's id.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Created {
    pub id: i64,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct UserView {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub mfa_enrolled: bool,
    pub created_at: UnixTime,
    /// An administrator allowed the account to call numbers it types at the desk.
    pub manual_calls: bool,
    /// Its role sends calls outside, so it may call numbers whatever `manual_calls` says.
    pub calls_out_by_role: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            tenant_id: u.tenant_id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            disabled: u.disabled,
            mfa_enrolled: u.has_mfa(),
            created_at: u.created_at,
            manual_calls: u.manual_calls,
            calls_out_by_role: trustline_domain::permits(u.role, trustline_domain::Action::CallExternal),
        }
    }
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TokenView {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
    pub scopes: Vec<&'static str>,
    pub created_by: UserId,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub revoked: bool,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            role: t.role,
            scopes: t.scopes.iter().map(|a| a.as_str()).collect(),
            created_by: t.created_by,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked: t.revoked,
        }
    }
}

/// A call as agents and supervisors see it: no personal data.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct CallView {
    pub id: i64,
    pub direction: CallDirection,
    pub campaign_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub contact_id: Option<ContactId>,
    pub agent_id: Option<UserId>,
    /// The dialing mode (outbound) or routing strategy (inbound).
    pub mode: String,
    #[schemars(with = "CallStateName")]
    pub state: &'static str,
    /// How it ended.
    pub result: Option<trustline_domain::CallResult>,
    pub offered_at: UnixTime,
    pub placed_at: Option<UnixTime>,
    pub answered_at: Option<UnixTime>,
    pub connected_at: Option<UnixTime>,
    pub ended_at: Option<UnixTime>,
    pub disposition: Option<String>,
    pub outcome: Option<trustline_domain::dialing::DispositionOutcome>,
    pub disposed_at: Option<UnixTime>,
    /// Since when the conversation is on hold.
    pub held_since: Option<UnixTime>,
    /// Time on hold in earlier holds of this call.
    pub hold_seconds: i64,
    /// The call the person was handed on from (a transfer), if any.
    pub transferred_from: Option<i64>,
}

impl From<&CallRecord> for CallView {
    fn from(call: &CallRecord) -> Self {
        Self {
            id: call.id,
            direction: call.direction,
            campaign_id: call.campaign_id,
            queue_id: call.queue_id,
            contact_id: call.contact_id,
            agent_id: call.agent_id,
            mode: call.mode.as_str().to_owned(),
            state: call.state.as_str(),
            result: call.result,
            offered_at: call.offered_at,
            placed_at: call.placed_at,
            answered_at: call.answered_at,
            connected_at: call.connected_at,
            ended_at: call.ended_at,
            disposition: call.disposition.clone(),
            outcome: call.outcome,
            disposed_at: call.disposed_at,
            held_since: call.held_since,
            hold_seconds: call.hold_seconds,
            transferred_from: call.transferred_from,
        }
    }
}
