use crate::contacts::insert_contacts;
use crate::rows::Row as Cols;
use crate::{SqliteStore, must_change, unavailable};
use sqlx::QueryBuilder;
use trustline_audit::AuditDraft;
use trustline_domain::{ContactId, TenantId, UnixTime};
use trustline_store::{
    CallList, Digest, ImportChunk, ImportRecord, ImportRejection, ImportStore, NewImport, PhoneOwner, StoreError, StoreResult,
};
use trustline_store_sql::decode;

trustline_store_sql::import_store_for!(SqliteStore, sqlx::Sqlite);
