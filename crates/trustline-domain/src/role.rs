use serde::{Deserialize, Serialize};

/// What a person does in a tenant. Rights follow from the permission matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Supervisor,
    Agent,
    /// Read-only access to audit and trust data, for internal and external auditors.
    Auditor,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}; expected one of owner, admin, supervisor, agent, auditor")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 5] = [Role::Owner, Role::Admin, Role::Supervisor, Role::Agent, Role::Auditor];

    /// Every role's name, for the API document.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|r| r.as_str()).collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(value: &str) -> Result<Self, UnknownRole> {
        Role::ALL.into_iter().find(|r| r.as_str() == value).ok_or_else(|| UnknownRole(value.to_owned()))
    }

    /// Whether someone holding `self` may grant `other` to a user.
    /// Only an owner can make another owner; nobody grants more than they hold.
    pub fn may_assign(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            Role::Supervisor | Role::Agent | Role::Auditor => false,
        }
    }
}

/// MFA is mandatory for roles that can change who has access or read the audit
/// trail; a tenant may extend the rule to everybody.
pub fn mfa_required(role: Role, tenant_requires_mfa: bool) -> bool {
    tenant_requires_mfa || matches!(role, Role::Owner | Role::Admin | Role::Auditor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn privileged_roles_need_mfa() {
        assert!(mfa_required(Role::Owner, false));
        assert!(mfa_required(Role::Admin, false));
        assert!(mfa_required(Role::Auditor, false));
        assert!(!mfa_required(Role::Agent, false));
        assert!(mfa_required(Role::Agent, true));
    }

    #[test]
    fn only_owners_make_owners() {
        assert!(Role::Owner.may_assign(Role::Owner));
        assert!(!Role::Admin.may_assign(Role::Owner));
        assert!(Role::Admin.may_assign(Role::Admin));
        assert!(!Role::Supervisor.may_assign(Role::Agent));
    }
}
