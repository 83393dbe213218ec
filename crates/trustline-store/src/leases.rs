//! Leases: work only one node may do at a time (a tenant's dialling and
//! switchboard), held by one node and renewed while it lives. When its
//! holder stops renewing, another node takes it, and the lease's fencing
//! token grows: writes made under a lease carry its token, and one carrying
//! an older token is refused, so a holder that was paused or cut off cannot
//! act on a lease it lost.

use crate::{NodeId, StoreResult};
use async_trait::async_trait;
use trustline_domain::{TenantId, UnixTime};

/// The lease over a tenant's calls: its dialling, its switchboard, and the
/// calls opened for it are one node's at a time, since they share the
/// tenant's agents (pacing two campaigns on two nodes from the same free
/// agents would dial for each of them twice).
pub fn tenant_calls_lease(tenant: TenantId) -> String {
    format!("tenant:{}", tenant.0)
}

/// A lease as this node holds it: proof to fence its writes with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    pub lease: String,
    pub holder: NodeId,
    pub token: i64,
}

/// A lease on record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseRecord {
    pub name: String,
    pub holder: NodeId,
    pub token: i64,
    pub expires_at: UnixTime,
}

#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes lease `name` for `holder` until `until`, or renews it: held
    /// when it is free, has lapsed by `now`, or is `holder`'s already. The
    /// token stays while the holder keeps the lease and grows when another
    /// node takes it; `None` when someone else holds it.
    async fn hold_lease(&self, name: &str, holder: &NodeId, now: UnixTime, until: UnixTime) -> StoreResult<Option<Fence>>;
    /// Gives a held lease up at once (its token is kept for the next holder).
    async fn release_lease(&self, fence: &Fence) -> StoreResult<()>;
    /// Lease `name` as on record, lapsed or not.
    async fn lease(&self, name: &str) -> StoreResult<Option<LeaseRecord>>;
    /// Every lease on record, lapsed ones too, by name.
    async fn leases(&self) -> StoreResult<Vec<LeaseRecord>>;
}
