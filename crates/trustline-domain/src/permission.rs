//! The one permission matrix: which role may perform which action.
//!
//! The HTTP edge names an [`Action`] for every protected route and asks
//! [`permits`]; nothing else decides access. Tests walk this table to build the
//! role-by-route matrix, so a change here changes what is tested.

use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// See one's own account, sign out, change one's own password.
    AccountView,
    UserRead,
    UserCreate,
    UserDisable,
    UserResetMfa,
    UserChangeRole,
    TokenManage,
    AuditRead,
    TenantSettingsRead,
    TenantSettingsUpdate,
}

use Role::{Admin, Agent, Auditor, Owner, Supervisor};

/// Role x action. A role not listed for an action is refused.
const MATRIX: &[(Action, &[Role])] = &[
    (Action::AccountView, &[Owner, Admin, Supervisor, Agent, Auditor]),
    // Supervisors see their team; auditors review who has access.
    (Action::UserRead, &[Owner, Admin, Supervisor, Auditor]),
    (Action::UserCreate, &[Owner, Admin]),
    (Action::UserDisable, &[Owner, Admin]),
    (Action::UserResetMfa, &[Owner, Admin]),
    (Action::UserChangeRole, &[Owner, Admin]),
    (Action::TokenManage, &[Owner, Admin]),
    (Action::AuditRead, &[Owner, Admin, Auditor]),
    (Action::TenantSettingsRead, &[Owner, Admin, Auditor]),
    (Action::TenantSettingsUpdate, &[Owner]),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope {0:?}")]
pub struct UnknownAction(pub String);

impl Action {
    pub const ALL: [Action; 10] = [
        Action::AccountView,
        Action::UserRead,
        Action::UserCreate,
        Action::UserDisable,
        Action::UserResetMfa,
        Action::UserChangeRole,
        Action::TokenManage,
        Action::AuditRead,
        Action::TenantSettingsRead,
        Action::TenantSettingsUpdate,
    ];

    /// The stable name used for API token scopes and audit events.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AccountView => "account.view",
            Action::UserRead => "user.read",
            Action::UserCreate => "user.create",
            Action::UserDisable => "user.disable",
            Action::UserResetMfa => "user.reset_mfa",
            Action::UserChangeRole => "user.change_role",
            Action::TokenManage => "token.manage",
            Action::AuditRead => "audit.read",
            Action::TenantSettingsRead => "tenant.settings.read",
            Action::TenantSettingsUpdate => "tenant.settings.update",
        }
    }

    pub fn parse(value: &str) -> Result<Self, UnknownAction> {
        Action::ALL.into_iter().find(|a| a.as_str() == value).ok_or_else(|| UnknownAction(value.to_owned()))
    }
}

/// Whether `role` may perform `action`.
pub fn permits(role: Role, action: Action) -> bool {
    MATRIX.iter().find(|(a, _)| *a == action).is_some_and(|(_, roles)| roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_the_matrix_once() {
        for action in Action::ALL {
            assert_eq!(MATRIX.iter().filter(|(a, _)| *a == action).count(), 1, "{action:?}");
            assert_eq!(Action::parse(action.as_str()), Ok(action));
        }
        assert_eq!(MATRIX.len(), Action::ALL.len());
    }

    #[test]
    fn auditors_are_read_only() {
        for action in Action::ALL {
            let writes = !matches!(action, Action::AccountView | Action::UserRead | Action::AuditRead | Action::TenantSettingsRead);
            if writes {
                assert!(!permits(Role::Auditor, action), "{action:?}");
            }
        }
    }

    #[test]
    fn agents_only_see_their_own_account() {
        for action in Action::ALL {
            assert_eq!(permits(Role::Agent, action), action == Action::AccountView, "{action:?}");
        }
    }

    #[test]
    fn owners_may_do_everything() {
        assert!(Action::ALL.into_iter().all(|a| permits(Role::Owner, a)));
    }
}
