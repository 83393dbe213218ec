//! Tenants, staff accounts and their credentials: users, two-factor
//! secrets and recovery codes, sessions, failed sign-in counters and API
//! tokens.

use crate::{ApiToken, Certifier, DeletionCounts, NewApiToken, NewUser, Session, StoreResult, Tenant, User};
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{Role, TenantId, TokenId, UnixTime, UserId};

#[async_trait]
pub trait AccountStore: Send + Sync {
    // Tenants. `create_tenant` fills the draft's tenant and target.
    async fn create_tenant(&self, slug: &str, name: &str, audit: AuditDraft) -> StoreResult<Tenant>;
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>>;
    async fn list_tenants(&self) -> StoreResult<Vec<Tenant>>;
    async fn set_tenant_require_mfa(&self, id: TenantId, require: bool, audit: AuditDraft) -> StoreResult<()>;
    /// The ISO 3166 region assumed for numbers without a country code.
    async fn set_tenant_default_region(&self, id: TenantId, region: Option<&str>, audit: AuditDraft) -> StoreResult<()>;
    /// Deletes every row of the tenant and its keys (see `trustline_store_sql::TENANT_DELETIONS`)
    /// and marks it ended, in one transaction whose audit event `certify`
    /// builds from the counts. `NotFound` if it does not exist or already ended.
    async fn end_tenant(&self, id: TenantId, at: UnixTime, certify: Certifier) -> StoreResult<DeletionCounts>;

    // Users. `create_user` fills the draft's target with the new id.
    async fn create_user(&self, user: NewUser, audit: AuditDraft) -> StoreResult<User>;
    async fn user(&self, tenant: TenantId, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_username(&self, tenant: TenantId, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self, tenant: TenantId) -> StoreResult<Vec<User>>;
    /// Disabling also ends the user's sessions and revokes their API tokens.
    async fn set_user_disabled(&self, tenant: TenantId, id: UserId, disabled: bool, audit: AuditDraft) -> StoreResult<()>;
    /// A privilege change ends the user's sessions.
    async fn set_user_role(&self, tenant: TenantId, id: UserId, role: Role, audit: AuditDraft) -> StoreResult<()>;
    /// Allows or stops the user's calls to numbers they type at the desk.
    async fn set_user_manual_calls(&self, tenant: TenantId, id: UserId, allowed: bool, audit: AuditDraft) -> StoreResult<()>;
    /// Ends the user's sessions.
    async fn set_password(&self, tenant: TenantId, id: UserId, password_hash: &str, audit: AuditDraft) -> StoreResult<()>;
    /// Stores a sealed TOTP seed awaiting its first code.
    async fn begin_totp_enrolment(&self, tenant: TenantId, id: UserId, sealed_seed: &[u8], audit: AuditDraft) -> StoreResult<()>;
    /// Makes the pending seed active, records the step of the confirming code
    /// and replaces the recovery codes (stored as digests).
    async fn confirm_totp(
        &self,
        tenant: TenantId,
        id: UserId,
        step: i64,
        recovery_digests: &[[u8; 32]],
        audit: AuditDraft,
    ) -> StoreResult<()>;
    /// Removes MFA and ends the user's sessions.
    async fn reset_mfa(&self, tenant: TenantId, id: UserId, audit: AuditDraft) -> StoreResult<()>;
    /// Records a used TOTP step; false if this or a later step was already used.
    async fn use_totp_step(&self, tenant: TenantId, id: UserId, step: i64) -> StoreResult<bool>;
    /// Consumes a recovery code; false if it does not exist or was used.
    async fn use_recovery_code(&self, tenant: TenantId, id: UserId, digest: &[u8; 32], at: UnixTime) -> StoreResult<bool>;
    async fn unused_recovery_codes(&self, tenant: TenantId, id: UserId) -> StoreResult<u32>;

    // Sessions, keyed by the digest of the cookie value.
    async fn create_session(&self, session: Session, audit: AuditDraft) -> StoreResult<()>;
    async fn session(&self, token_digest: &[u8; 32]) -> StoreResult<Option<Session>>;
    async fn touch_session(&self, token_digest: &[u8; 32], at: UnixTime) -> StoreResult<()>;
    /// Replaces a session with a new one (new token), e.g. after MFA.
    async fn rotate_session(&self, old_digest: &[u8; 32], new: Session, audit: AuditDraft) -> StoreResult<()>;
    async fn delete_session(&self, token_digest: &[u8; 32], audit: AuditDraft) -> StoreResult<()>;
    /// Removes sessions past their absolute lifetime; returns how many.
    async fn delete_sessions_created_before(&self, before: UnixTime) -> StoreResult<u64>;

    // Failed sign-in counters.
    async fn record_login_failure(&self, keys: &[String], at: UnixTime) -> StoreResult<()>;
    /// Failures for `key` at or after `since`, and the oldest of them.
    async fn login_failures(&self, key: &str, since: UnixTime) -> StoreResult<(u32, Option<UnixTime>)>;
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;
    /// Forgets failures older than `before` (they no longer count); returns how many.
    async fn delete_login_failures_before(&self, before: UnixTime) -> StoreResult<u64>;

    // API tokens. `create_token` fills the draft's target with the new id.
    async fn create_token(&self, token: NewApiToken, audit: AuditDraft) -> StoreResult<ApiToken>;
    async fn token_by_digest(&self, digest: &[u8; 32]) -> StoreResult<Option<ApiToken>>;
    async fn list_tokens(&self, tenant: TenantId) -> StoreResult<Vec<ApiToken>>;
    async fn revoke_token(&self, tenant: TenantId, id: TokenId, audit: AuditDraft) -> StoreResult<()>;
}
