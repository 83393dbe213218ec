//! Tenants' SIP trunks as stored. The digest password is kept sealed by
//! the caller; the store never sees it in the clear.

use crate::StoreResult;
use async_trait::async_trait;
use std::net::IpAddr;
use trustline_audit::AuditDraft;
use trustline_domain::trunks::SignallingTransport;
use trustline_domain::{TenantId, UnixTime};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipTrunk {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub transport: SignallingTransport,
    /// Calls' audio is SRTP (only with TLS).
    pub srtp: bool,
    pub sources: Vec<IpAddr>,
    pub caller_id: Option<String>,
    pub digest: Option<SealedLogin>,
    /// How the last registration with the carrier went, for a trunk that registers.
    pub registration: Option<TrunkRegistration>,
    pub created_at: UnixTime,
}

/// How a registration with the carrier went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrunkRegistration {
    /// `registered`, `refused` or `unreachable`.
    pub state: String,
    /// The carrier's answer or the error, in words.
    pub detail: String,
    pub at: UnixTime,
}

/// A digest login whose password is sealed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedLogin {
    pub username: String,
    pub sealed_password: Vec<u8>,
    /// The trunk registers with the carrier under this login.
    pub register: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSipTrunk {
    pub tenant_id: TenantId,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub transport: SignallingTransport,
    pub srtp: bool,
    pub sources: Vec<IpAddr>,
    pub caller_id: Option<String>,
    pub digest: Option<SealedLogin>,
    pub at: UnixTime,
}

#[async_trait]
pub trait TrunkStore: Send + Sync {
    /// Fills the draft's target with the new id.
    async fn create_trunk(&self, trunk: NewSipTrunk, audit: AuditDraft) -> StoreResult<i64>;
    /// A tenant's trunks, oldest first (the first places its calls).
    async fn trunks(&self, tenant: TenantId) -> StoreResult<Vec<SipTrunk>>;
    /// Replaces a trunk's settings (`trunk.tenant_id` names the tenant;
    /// `at` is not kept: a trunk keeps its creation time, so its place in
    /// the order). A login given replaces the stored one and forgets how it
    /// registered; without one the stored login stays. `NotFound` if the
    /// tenant has no such trunk.
    async fn update_trunk(&self, id: i64, trunk: NewSipTrunk, audit: AuditDraft) -> StoreResult<()>;
    /// Removes a trunk's login and how it registered, leaving its settings.
    /// `NotFound` if the tenant has no such trunk.
    async fn remove_trunk_login(&self, tenant: TenantId, id: i64, audit: AuditDraft) -> StoreResult<()>;
    /// Records how a trunk's registration went (the SIP edge reports it);
    /// a trunk removed meanwhile is no error.
    async fn record_trunk_registration(&self, id: i64, registration: TrunkRegistration) -> StoreResult<()>;
    /// `NotFound` if the tenant has no such trunk.
    async fn delete_trunk(&self, tenant: TenantId, id: i64, audit: AuditDraft) -> StoreResult<()>;
    /// Every tenant's trunks (an ended tenant's are deleted with it), by
    /// tenant then oldest first: what the SIP edge serves.
    async fn every_trunk(&self) -> StoreResult<Vec<SipTrunk>>;
}
