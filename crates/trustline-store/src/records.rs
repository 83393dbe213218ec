use trustline_domain::{Action, Role, SessionStage, SessionTimes, TenantId, TokenId, UnixTime, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    /// MFA for every user, not only privileged roles.
    pub require_mfa: bool,
    pub created_at: UnixTime,
    /// When the customer relationship ended and the tenant's data was deleted.
    pub ended_at: Option<UnixTime>,
    /// ISO 3166 region assumed for phone numbers without a country code.
    pub default_region: Option<String>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
    /// Sealed TOTP seed once enrolment is confirmed.
    pub totp_seed: Option<Vec<u8>>,
    /// Sealed TOTP seed awaiting its first code.
    pub totp_pending: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
    pub created_at: UnixTime,
    pub last_sign_in_at: Option<UnixTime>,
    /// Somebody else chose the password: the account sets its own first.
    pub password_must_change: bool,
    /// An administrator allowed this account to call numbers itself from
    /// the desk (roles that send calls outside always may).
    pub manual_calls: bool,
}

impl User {
    pub fn has_mfa(&self) -> bool {
        self.totp_seed.is_some()
    }

    /// How screens name the person: the display name, else the username.
    pub fn shown_name(&self) -> &str {
        if self.display_name.is_empty() { &self.username } else { &self.display_name }
    }
}

/// Secrets stay out of logs even when a whole record is printed.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field("has_mfa", &self.has_mfa())
            .field("manual_calls", &self.manual_calls)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct NewUser {
    pub tenant_id: TenantId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at: UnixTime,
    /// The password was chosen for the person (a one-time password).
    pub password_must_change: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub token_digest: [u8; 32],
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub stage: SessionStage,
    pub times: SessionTimes,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: TokenId,
    pub tenant_id: TenantId,
    pub name: String,
    /// The token acts with at most this role's rights, narrowed by `scopes`.
    pub role: Role,
    pub scopes: Vec<Action>,
    pub created_by: UserId,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub revoked: bool,
}

impl ApiToken {
    /// Whether it may be used at `now`: neither revoked nor expired.
    pub fn is_live(&self, now: UnixTime) -> bool {
        !self.revoked && self.expires_at > now
    }
}

/// A search of a tenant's audit log: every part given must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditSearch {
    /// The action starts with this (`contact.` finds every contact action).
    pub action: Option<String>,
    /// The action does not start with this (`contact.view` hides routine views).
    pub not_action: Option<String>,
    /// The actor contains this.
    pub actor: Option<String>,
    /// The target contains this.
    pub target: Option<String>,
    pub outcome: Option<String>,
    /// Only events at or after this time.
    pub from: Option<i64>,
    /// Only events before this time.
    pub to: Option<i64>,
    /// Only events before this position: the next page of the search.
    pub before: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct NewApiToken {
    pub tenant_id: TenantId,
    pub name: String,
    pub role: Role,
    pub scopes: Vec<Action>,
    pub created_by: UserId,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub digest: [u8; 32],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let user = User {
            id: UserId(1),
            tenant_id: TenantId(1),
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Agent,
            password_hash: "$argon2id$secret-hash".into(),
            disabled: false,
            totp_seed: Some(b"seed-bytes".to_vec()),
            totp_pending: None,
            totp_last_step: None,
            created_at: 0,
            last_sign_in_at: None,
            password_must_change: false,
            manual_calls: false,
        };
        let printed = format!("{user:?}");
        assert!(!printed.contains("argon2id") && !printed.contains("115, 101, 101, 100"), "{printed}");
        assert!(printed.contains("has_mfa: true"));
    }
}
