//! What the API shows of stored records. Secrets and digests never appear.

use serde::Serialize;
use trustline_domain::{Role, TenantId, TokenId, UnixTime, UserId};
use trustline_store::{ApiToken, User};

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
