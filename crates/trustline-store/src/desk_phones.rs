//! Agents' desk phone logins as stored: the SIP username and its digest
//! secrets, sealed by the caller; the store never sees them in the clear.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UnixTime, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskPhoneLogin {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    /// Unique across the installation.
    pub username: String,
    pub sealed_secrets: Vec<u8>,
    pub created_at: UnixTime,
}

#[async_trait]
pub trait DeskPhoneStore: Send + Sync {
    /// Gives the user `login` in place of any login it had. `NotFound` if
    /// the tenant has no such user.
    async fn set_desk_phone_login(&self, login: DeskPhoneLogin, audit: AuditDraft) -> StoreResult<()>;
    /// `NotFound` if the user has no login.
    async fn remove_desk_phone_login(&self, tenant: TenantId, user: UserId, audit: AuditDraft) -> StoreResult<()>;
    async fn desk_phone_login(&self, tenant: TenantId, user: UserId) -> StoreResult<Option<DeskPhoneLogin>>;
    /// The login a phone names, whichever tenant it belongs to.
    async fn desk_phone_login_named(&self, username: &str) -> StoreResult<Option<DeskPhoneLogin>>;
}
