//! Who may change whose account, and the one way every path disables or
//! enables one (the users API, access reviews): the same role rule, the same
//! refusal of one's own account. The store adds the last rule itself: no
//! change may leave a tenant without an enabled owner.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use trustline_audit::AuditDraft;
use trustline_domain::{Role, UserId};
use trustline_store::User;

/// Accounts of `role` are the caller's to create, change or disable.
pub(crate) fn may_manage(principal: &Principal, role: Role) -> Result<(), ApiError> {
    if principal.user.role.may_assign(role) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::RoleNotAssignable,
            format!("a {} cannot manage {} accounts", principal.user.role.as_str(), role.as_str()),
        ))
    }
}

/// Someone else's account of the caller's tenant, of a role the caller may manage.
pub(crate) async fn manageable(state: &AppState, principal: &Principal, id: UserId) -> Result<User, ApiError> {
    let user = state.store.user(principal.tenant.id, id).await?.ok_or_else(ApiError::not_found)?;
    if user.id == principal.user.id {
        return Err(ApiError::new(ErrorCode::CannotChangeSelf, "ask another administrator to change your own account"));
    }
    may_manage(principal, user.role)?;
    Ok(user)
}

/// Disables (ending its sessions and revoking its tokens) or enables an
/// account the caller may manage.
pub(crate) async fn set_disabled(
    state: &AppState,
    principal: &Principal,
    id: UserId,
    disabled: bool,
    audit: AuditDraft,
) -> Result<(), ApiError> {
    let user = manageable(state, principal, id).await?;
    state.store.set_user_disabled(user.tenant_id, user.id, disabled, audit).await?;
    Ok(())
}
