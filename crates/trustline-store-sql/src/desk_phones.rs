//! The SQL of [`DeskPhoneStore`](trustline_store::DeskPhoneStore), the same
//! on both engines, expanded in each engine crate.

/// Implements [`DeskPhoneStore`](trustline_store::DeskPhoneStore) for an engine.
#[macro_export]
macro_rules! desk_phone_store_for {
    ($store:ident) => {
        #[::async_trait::async_trait]
        impl $crate::store::DeskPhoneStore for $store {
            async fn set_desk_phone_login(
                &self,
                login: $crate::store::DeskPhoneLogin,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let user: Option<i64> = $crate::sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND id = $2")
                    .bind(login.tenant_id.0)
                    .bind(login.user_id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if user.is_none() {
                    return Err($crate::store::StoreError::NotFound);
                }
                $crate::sqlx::query("DELETE FROM desk_phone_logins WHERE user_id = $1")
                    .bind(login.user_id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                $crate::sqlx::query(
                    "INSERT INTO desk_phone_logins (user_id, tenant_id, username, sealed_secrets, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(login.user_id.0)
                .bind(login.tenant_id.0)
                .bind(&login.username)
                .bind(&login.sealed_secrets)
                .bind(login.created_at)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn remove_desk_phone_login(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: ::trustline_domain::UserId,
                audit: ::trustline_audit::AuditDraft,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("DELETE FROM desk_phone_logins WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn desk_phone_login(
                &self,
                tenant: ::trustline_domain::TenantId,
                user: ::trustline_domain::UserId,
            ) -> $crate::store::StoreResult<Option<$crate::store::DeskPhoneLogin>> {
                let row = $crate::sqlx::query("SELECT * FROM desk_phone_logins WHERE tenant_id = $1 AND user_id = $2")
                    .bind(tenant.0)
                    .bind(user.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::desk_phone_login(&Cols(r))).transpose()
            }

            async fn desk_phone_login_named(&self, username: &str) -> $crate::store::StoreResult<Option<$crate::store::DeskPhoneLogin>> {
                let row = $crate::sqlx::query("SELECT * FROM desk_phone_logins WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| $crate::decode::desk_phone_login(&Cols(r))).transpose()
            }
        }
    };
}
