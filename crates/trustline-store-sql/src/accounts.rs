//! The SQL of [`AccountStore`](trustline_store::AccountStore), the same on both
//! engines, expanded in each engine crate.
//! Names resolve where it expands: the engine's `unavailable`,
//! `must_change`, `delete_tenant_rows` and row type (`Cols`), and the
//! store's types and `decode`.

/// Implements [`AccountStore`](trustline_store::AccountStore) for an engine.
#[macro_export]
macro_rules! account_store_for {
    ($store:ident, $conn:ty) => {
        async fn end_sessions(conn: &mut $conn, user: UserId) -> StoreResult<()> {
            $crate::sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(conn).await.map_err(unavailable)?;
            Ok(())
        }

        async fn insert_session(conn: &mut $conn, session: &Session) -> StoreResult<()> {
            $crate::sqlx::query(
                "INSERT INTO sessions (token_digest, tenant_id, user_id, stage, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&session.token_digest[..])
            .bind(session.tenant_id.0)
            .bind(session.user_id.0)
            .bind(session.stage.as_str())
            .bind(session.times.created_at)
            .bind(session.times.last_seen_at)
            .execute(conn)
            .await
            .map_err(unavailable)?;
            Ok(())
        }

        /// Refuses to take ownership from `user` (disable or demote) when
        /// they are the tenant's last enabled owner. The tenant row is
        /// locked first, so two changes that each leave one owner cannot
        /// both pass on PostgreSQL (SQLite's writer lock already serialises
        /// them).
        async fn refuse_last_owner(conn: &mut $conn, tenant: TenantId, user: UserId) -> StoreResult<()> {
            $crate::sqlx::query("UPDATE tenants SET name = name WHERE id = $1")
                .bind(tenant.0)
                .execute(&mut *conn)
                .await
                .map_err(unavailable)?;
            let (is_owner, others): (bool, i64) = $crate::sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 AND role = 'owner' AND NOT disabled), \
                 (SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND id <> $2 AND role = 'owner' AND NOT disabled)",
            )
            .bind(tenant.0)
            .bind(user.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(unavailable)?;
            if is_owner && others == 0 { Err(StoreError::LastOwner) } else { Ok(()) }
        }

        #[::async_trait::async_trait]
        impl $crate::store::AccountStore for $store {
            async fn create_tenant(&self, slug: &str, name: &str, mut audit: AuditDraft) -> StoreResult<Tenant> {
                let mut tx = self.begin().await?;
                let row = $crate::sqlx::query("INSERT INTO tenants (slug, name, created_at) VALUES ($1, $2, $3) RETURNING *")
                    .bind(slug)
                    .bind(name)
                    .bind(audit.at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| match unavailable(e) {
                        StoreError::Conflict(_) => StoreError::Conflict("a tenant with this name"),
                        other => other,
                    })?;
                let tenant = decode::tenant(&Cols(&row))?;
                audit.tenant_id = tenant.id.0;
                audit.target = format!("tenant:{}", tenant.id);
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(tenant)
            }

            async fn set_tenant_default_region(&self, id: TenantId, region: Option<&str>, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE tenants SET default_region = $1 WHERE id = $2")
                    .bind(region)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn end_tenant(
                &self,
                id: TenantId,
                at: UnixTime,
                certify: trustline_store::Certifier,
            ) -> StoreResult<trustline_store::DeletionCounts> {
                let mut tx = self.begin().await?;
                let counts = delete_tenant_rows(&mut tx, id, at).await?;
                let certificate = certify(&counts);
                self.append(&mut tx, certificate).await?;
                Self::commit(tx).await?;
                Ok(counts)
            }

            async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
                let row = $crate::sqlx::query("SELECT * FROM tenants WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::tenant(&Cols(r))).transpose()
            }

            async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
                let row = $crate::sqlx::query("SELECT * FROM tenants WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::tenant(&Cols(r))).transpose()
            }

            async fn list_tenants(&self) -> StoreResult<Vec<Tenant>> {
                let rows = $crate::sqlx::query("SELECT * FROM tenants ORDER BY id").fetch_all(&self.pool).await.map_err(unavailable)?;
                rows.iter().map(|r| decode::tenant(&Cols(r))).collect()
            }

            async fn set_tenant_require_mfa(&self, id: TenantId, require: bool, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE tenants SET require_mfa = $1 WHERE id = $2")
                    .bind(require)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn create_user(&self, user: NewUser, mut audit: AuditDraft) -> StoreResult<User> {
                let mut tx = self.begin().await?;
                let row = $crate::sqlx::query(
                    "INSERT INTO users (tenant_id, username, display_name, role, password_hash, created_at, password_must_change)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
                )
                .bind(user.tenant_id.0)
                .bind(&user.username)
                .bind(&user.display_name)
                .bind(user.role.as_str())
                .bind(&user.password_hash)
                .bind(user.created_at)
                .bind(user.password_must_change)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match unavailable(e) {
                    StoreError::Conflict(_) => StoreError::Conflict("a user with this username"),
                    other => other,
                })?;
                let created = decode::user(&Cols(&row))?;
                audit.target = format!("user:{}", created.id);
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(created)
            }

            async fn user(&self, tenant: TenantId, id: UserId) -> StoreResult<Option<User>> {
                let row = $crate::sqlx::query("SELECT * FROM users WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::user(&Cols(r))).transpose()
            }

            async fn user_by_username(&self, tenant: TenantId, username: &str) -> StoreResult<Option<User>> {
                let row = $crate::sqlx::query("SELECT * FROM users WHERE tenant_id = $1 AND username = $2")
                    .bind(tenant.0)
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::user(&Cols(r))).transpose()
            }

            async fn list_users(&self, tenant: TenantId) -> StoreResult<Vec<User>> {
                let rows = $crate::sqlx::query("SELECT * FROM users WHERE tenant_id = $1 ORDER BY id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::user(&Cols(r))).collect()
            }

            async fn set_user_disabled(&self, tenant: TenantId, id: UserId, disabled: bool, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                if disabled {
                    refuse_last_owner(&mut tx, tenant, id).await?;
                }
                let done = $crate::sqlx::query("UPDATE users SET disabled = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(disabled)
                    .bind(tenant.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                if disabled {
                    end_sessions(&mut tx, id).await?;
                    $crate::sqlx::query("UPDATE api_tokens SET revoked = TRUE WHERE created_by = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn set_user_role(&self, tenant: TenantId, id: UserId, role: Role, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                if role != Role::Owner {
                    refuse_last_owner(&mut tx, tenant, id).await?;
                }
                let done = $crate::sqlx::query("UPDATE users SET role = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(role.as_str())
                    .bind(tenant.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                end_sessions(&mut tx, id).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn set_user_manual_calls(&self, tenant: TenantId, id: UserId, allowed: bool, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE users SET manual_calls = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(allowed)
                    .bind(tenant.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn set_password(&self, tenant: TenantId, id: UserId, password_hash: &str, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "UPDATE users SET password_hash = $1, password_must_change = FALSE WHERE tenant_id = $2 AND id = $3",
                )
                .bind(password_hash)
                .bind(tenant.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                end_sessions(&mut tx, id).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn begin_totp_enrolment(&self, tenant: TenantId, id: UserId, sealed_seed: &[u8], audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE users SET totp_pending = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(sealed_seed)
                    .bind(tenant.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn confirm_totp(
                &self,
                tenant: TenantId,
                id: UserId,
                step: i64,
                recovery_digests: &[[u8; 32]],
                audit: AuditDraft,
            ) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "UPDATE users SET totp_seed = totp_pending, totp_pending = NULL, totp_last_step = $1
                 WHERE tenant_id = $2 AND id = $3 AND totp_pending IS NOT NULL",
                )
                .bind(step)
                .bind(tenant.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                $crate::sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                for digest in recovery_digests {
                    $crate::sqlx::query("INSERT INTO recovery_codes (user_id, digest) VALUES ($1, $2)")
                        .bind(id.0)
                        .bind(&digest[..])
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                }
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn reset_mfa(&self, tenant: TenantId, id: UserId, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query(
                    "UPDATE users SET totp_seed = NULL, totp_pending = NULL, totp_last_step = NULL WHERE tenant_id = $1 AND id = $2",
                )
                .bind(tenant.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                $crate::sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                end_sessions(&mut tx, id).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn use_totp_step(&self, tenant: TenantId, id: UserId, step: i64) -> StoreResult<bool> {
                let done = $crate::sqlx::query(
                    "UPDATE users SET totp_last_step = $1
                 WHERE tenant_id = $2 AND id = $3 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                )
                .bind(step)
                .bind(tenant.0)
                .bind(id.0)
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(&self, tenant: TenantId, id: UserId, digest: &[u8; 32], at: UnixTime) -> StoreResult<bool> {
                let done = $crate::sqlx::query(
                    "UPDATE recovery_codes SET used_at = $1
                 WHERE user_id = (SELECT id FROM users WHERE tenant_id = $2 AND id = $3) AND digest = $4 AND used_at IS NULL",
                )
                .bind(at)
                .bind(tenant.0)
                .bind(id.0)
                .bind(&digest[..])
                .execute(&self.pool)
                .await
                .map_err(unavailable)?;
                Ok(done.rows_affected() == 1)
            }

            async fn unused_recovery_codes(&self, tenant: TenantId, id: UserId) -> StoreResult<u32> {
                let row = $crate::sqlx::query(
                    "SELECT COUNT(*) AS n FROM recovery_codes r JOIN users u ON u.id = r.user_id
                 WHERE u.tenant_id = $1 AND u.id = $2 AND r.used_at IS NULL",
                )
                .bind(tenant.0)
                .bind(id.0)
                .fetch_one(&self.pool)
                .await
                .map_err(unavailable)?;
                let n: i64 = row.try_get("n").map_err(unavailable)?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            }

            async fn create_session(&self, session: Session, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                insert_session(&mut tx, &session).await?;
                $crate::sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE tenant_id = $2 AND id = $3")
                    .bind(session.times.created_at)
                    .bind(session.tenant_id.0)
                    .bind(session.user_id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn session(&self, token_digest: &[u8; 32]) -> StoreResult<Option<Session>> {
                let row = $crate::sqlx::query("SELECT * FROM sessions WHERE token_digest = $1")
                    .bind(&token_digest[..])
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::session(&Cols(r))).transpose()
            }

            async fn touch_session(&self, token_digest: &[u8; 32], at: UnixTime) -> StoreResult<()> {
                $crate::sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_digest = $2")
                    .bind(at)
                    .bind(&token_digest[..])
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn rotate_session(&self, old_digest: &[u8; 32], new: Session, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
                    .bind(&old_digest[..])
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                insert_session(&mut tx, &new).await?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn delete_session(&self, token_digest: &[u8; 32], audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
                    .bind(&token_digest[..])
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }

            async fn delete_sessions_created_before(&self, before: UnixTime) -> StoreResult<u64> {
                let done = $crate::sqlx::query("DELETE FROM sessions WHERE created_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(done.rows_affected())
            }

            async fn record_login_failure(&self, keys: &[String], at: UnixTime) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                for key in keys {
                    $crate::sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(unavailable)?;
                }
                tx.commit().await.map_err(unavailable)
            }

            async fn login_failures(&self, key: &str, since: UnixTime) -> StoreResult<(u32, Option<UnixTime>)> {
                let row = $crate::sqlx::query("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE key = $1 AND at >= $2")
                    .bind(key)
                    .bind(since)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(unavailable)?;
                let n: i64 = row.try_get("n").map_err(unavailable)?;
                let oldest: Option<i64> = row.try_get("oldest").map_err(unavailable)?;
                Ok((u32::try_from(n).unwrap_or(u32::MAX), oldest))
            }

            async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
                $crate::sqlx::query("DELETE FROM login_failures WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(())
            }

            async fn delete_login_failures_before(&self, before: UnixTime) -> StoreResult<u64> {
                let done = $crate::sqlx::query("DELETE FROM login_failures WHERE at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await
                    .map_err(unavailable)?;
                Ok(done.rows_affected())
            }

            async fn create_token(&self, token: NewApiToken, mut audit: AuditDraft) -> StoreResult<ApiToken> {
                let mut tx = self.begin().await?;
                let scopes: Vec<&str> = token.scopes.iter().map(|a| a.as_str()).collect();
                let row = $crate::sqlx::query(
                    "INSERT INTO api_tokens (tenant_id, name, role, scopes, created_by, created_at, expires_at, digest)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
                )
                .bind(token.tenant_id.0)
                .bind(&token.name)
                .bind(token.role.as_str())
                .bind(scopes.join(" "))
                .bind(token.created_by.0)
                .bind(token.created_at)
                .bind(token.expires_at)
                .bind(&token.digest[..])
                .fetch_one(&mut *tx)
                .await
                .map_err(unavailable)?;
                let created = decode::token(&Cols(&row))?;
                audit.target = format!("token:{}", created.id);
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await?;
                Ok(created)
            }

            async fn token_by_digest(&self, digest: &[u8; 32]) -> StoreResult<Option<ApiToken>> {
                let row = $crate::sqlx::query("SELECT * FROM api_tokens WHERE digest = $1")
                    .bind(&digest[..])
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(unavailable)?;
                row.as_ref().map(|r| decode::token(&Cols(r))).transpose()
            }

            async fn list_tokens(&self, tenant: TenantId) -> StoreResult<Vec<ApiToken>> {
                let rows = $crate::sqlx::query("SELECT * FROM api_tokens WHERE tenant_id = $1 ORDER BY id")
                    .bind(tenant.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(unavailable)?;
                rows.iter().map(|r| decode::token(&Cols(r))).collect()
            }

            async fn revoke_token(&self, tenant: TenantId, id: TokenId, audit: AuditDraft) -> StoreResult<()> {
                let mut tx = self.begin().await?;
                let done = $crate::sqlx::query("UPDATE api_tokens SET revoked = TRUE WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                must_change(done.rows_affected())?;
                self.append(&mut tx, audit).await?;
                Self::commit(tx).await
            }
        }
    };
}
