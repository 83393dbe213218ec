use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};
use async_trait::async_trait;
use trustline_audit::AuditDraft;
use trustline_domain::{TenantId, UserId};
use trustline_store::{
    AgentHistoryEntry, AgentMove, AgentStatus, AgentStore, MOVE_AGENT, RECORD_AGENT_MOVE, StoreError, StoreResult, decode,
};

#[async_trait]
impl AgentStore for PostgresStore {
    async fn agent_status(&self, tenant: TenantId, user: UserId) -> StoreResult<Option<AgentStatus>> {
        let row = sqlx::query("SELECT * FROM agent_states WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant.0)
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(unavailable)?;
        row.as_ref().map(|r| decode::agent_status(&Cols(r))).transpose()
    }

    async fn agent_statuses(&self, tenant: TenantId) -> StoreResult<Vec<AgentStatus>> {
        let rows = sqlx::query("SELECT * FROM agent_states WHERE tenant_id = $1 ORDER BY user_id")
            .bind(tenant.0)
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?;
        rows.iter().map(|r| decode::agent_status(&Cols(r))).collect()
    }

    async fn move_agent(&self, change: AgentMove, audit: AuditDraft) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let moved = sqlx::query(MOVE_AGENT)
            .bind(change.tenant_id.0)
            .bind(change.user_id.0)
            .bind(&change.to.code)
            .bind(&change.to.reason)
            .bind(change.at)
            .bind(&change.from.code)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::Conflict("a newer change of this agent's state"));
        }
        sqlx::query(RECORD_AGENT_MOVE)
            .bind(change.tenant_id.0)
            .bind(change.user_id.0)
            .bind(change.at)
            .bind(&change.event)
            .bind(&change.from.code)
            .bind(&change.to.code)
            .bind(change.to.reason.as_ref().or(change.from.reason.as_ref()))
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        self.append(&mut tx, audit).await?;
        Self::commit(tx).await
    }

    async fn agent_history(&self, tenant: TenantId, user: UserId, limit: u32) -> StoreResult<Vec<AgentHistoryEntry>> {
        let rows = sqlx::query("SELECT * FROM agent_state_history WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3")
            .bind(tenant.0)
            .bind(user.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(unavailable)?;
        rows.iter().map(|r| decode::agent_history(&Cols(r))).collect()
    }
}
