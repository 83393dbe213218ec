//! Idempotency keys: the first answer to a request, kept so that a retry
//! with the same key gets it again instead of repeating the request.

use crate::StoreResult;
use async_trait::async_trait;
use trustline_domain::{TenantId, UnixTime};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new and now held for this request.
    Fresh,
    /// The same request was answered before: this is the answer.
    Answered { status: u16, body: Vec<u8> },
    /// The same key is held by a request that has not finished.
    InProgress,
    /// The key was used for a different request.
    OtherRequest,
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Holds `key` for the request with `fingerprint`, or says what it holds.
    async fn claim_idempotency_key(
        &self,
        tenant: TenantId,
        key: &str,
        fingerprint: &[u8; 32],
        at: UnixTime,
    ) -> StoreResult<IdempotencyClaim>;
    async fn answer_idempotency_key(&self, tenant: TenantId, key: &str, status: u16, body: &[u8]) -> StoreResult<()>;
    /// Lets go of a key whose request failed, so that it can be retried.
    async fn release_idempotency_key(&self, tenant: TenantId, key: &str) -> StoreResult<()>;
    /// Forgets keys claimed before `before`; returns how many.
    async fn delete_idempotency_keys_before(&self, before: UnixTime) -> StoreResult<u64>;
}
