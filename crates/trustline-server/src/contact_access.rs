//! The one rule for showing a contact in full without a reveal: the person
//! is connected to, or wrapping up, a call with that very contact. Neither a
//! manual assignment nor a call merely offered or ringing shows anything; a
//! full view outside live work is a reveal, with a reason, the training
//! gate and an audit event.

use crate::error::ApiError;
use crate::state::AppState;
use trustline_domain::{ContactId, TenantId, UserId};
use trustline_store::{CallRecord, CallState};

/// Whether `call`, an agent's current call, is live work on `contact`.
pub(crate) fn works_live(call: &CallRecord, contact: ContactId) -> bool {
    call.contact_id == Some(contact) && matches!(call.state, CallState::Connected | CallState::WrapUp)
}

/// Whether `agent`'s current call is live work on `contact`.
pub(crate) async fn working_live(state: &AppState, tenant: TenantId, agent: UserId, contact: ContactId) -> Result<bool, ApiError> {
    Ok(state.store.agent_call(tenant, agent).await?.is_some_and(|call| works_live(&call, contact)))
}
