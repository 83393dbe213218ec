//! Tenants, staff accounts and their credentials, with the SQL both
//! engines share.

use crate::rows::Row as Cols;
use crate::{PostgresStore, delete_tenant_rows, must_change, unavailable};
use sqlx::Row;
use trustline_audit::AuditDraft;
use trustline_domain::{Role, TenantId, TokenId, UnixTime, UserId};
use trustline_store::{ApiToken, NewApiToken, NewUser, Session, StoreError, StoreResult, Tenant, User};
use trustline_store_sql::decode;

trustline_store_sql::account_store_for!(PostgresStore, sqlx::PgConnection);
