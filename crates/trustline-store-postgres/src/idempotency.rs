use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};
use async_trait::async_trait;
use trustline_domain::{TenantId, UnixTime};
use trustline_store::decode::Columns;
use trustline_store::{IdempotencyClaim, IdempotencyStore, StoreResult};

#[async_trait]
impl IdempotencyStore for PostgresStore {
    async fn claim_idempotency_key(
        &self,
        tenant: TenantId,
        key: &str,
        fingerprint: &[u8; 32],
        at: UnixTime,
    ) -> StoreResult<IdempotencyClaim> {
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key) DO NOTHING",
        )
        .bind(tenant.0)
        .bind(key)
        .bind(&fingerprint[..])
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(unavailable)?;
        if claimed.rows_affected() == 1 {
            return Ok(IdempotencyClaim::Fresh);
        }
        let row = sqlx::query("SELECT fingerprint, status, body FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
            .bind(tenant.0)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(unavailable)?;
        // Released in between: the caller may simply try again.
        let Some(row) = row else { return Ok(IdempotencyClaim::InProgress) };
        let row = Cols(&row);
        if row.bytes("fingerprint")? != fingerprint[..] {
            return Ok(IdempotencyClaim::OtherRequest);
        }
        Ok(match (row.opt_int("status")?, row.opt_bytes("body")?) {
            (Some(status), Some(body)) => IdempotencyClaim::Answered { status: u16::try_from(status).unwrap_or(500), body },
            _ => IdempotencyClaim::InProgress,
        })
    }

    async fn answer_idempotency_key(&self, tenant: TenantId, key: &str, status: u16, body: &[u8]) -> StoreResult<()> {
        sqlx::query("UPDATE idempotency_keys SET status = $1, body = $2 WHERE tenant_id = $3 AND key = $4")
            .bind(i64::from(status))
            .bind(body)
            .bind(tenant.0)
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn release_idempotency_key(&self, tenant: TenantId, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND status IS NULL")
            .bind(tenant.0)
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn delete_idempotency_keys_before(&self, before: UnixTime) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(done.rows_affected())
    }
}
