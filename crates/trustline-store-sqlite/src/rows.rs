//! Decoding rows into records. A value that does not decode is reported as
//! corrupt data, naming the column but never its contents.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use trustline_audit::{Checkpoint, EventBody, Hash, StoredEvent};
use trustline_domain::{Action, Role, SessionStage, SessionTimes, TenantId, TokenId, UserId};
use trustline_store::{ApiToken, Session, StoreError, Tenant, User};

fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
    row: &'r SqliteRow,
    column: &'static str,
) -> Result<T, StoreError> {
    row.try_get(column).map_err(|_| StoreError::Corrupt(format!("column {column} does not decode")))
}

pub(crate) fn hash_from(bytes: Vec<u8>) -> Result<Hash, sqlx::Error> {
    Hash::try_from(bytes.as_slice()).map_err(|_| sqlx::Error::Decode("stored hash is not 32 bytes".into()))
}

fn hash(row: &SqliteRow, column: &'static str) -> Result<Hash, StoreError> {
    hash_from(get(row, column)?).map_err(|_| StoreError::Corrupt(format!("column {column} is not a 32-byte hash")))
}

fn role(row: &SqliteRow) -> Result<Role, StoreError> {
    Role::parse(&get::<String>(row, "role")?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn tenant_from_row(row: &SqliteRow) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: TenantId(get(row, "id")?),
        slug: get(row, "slug")?,
        name: get(row, "name")?,
        require_mfa: get(row, "require_mfa")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn user_from_row(row: &SqliteRow) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(get(row, "id")?),
        tenant_id: TenantId(get(row, "tenant_id")?),
        username: get(row, "username")?,
        display_name: get(row, "display_name")?,
        role: role(row)?,
        password_hash: get(row, "password_hash")?,
        disabled: get(row, "disabled")?,
        totp_seed: get(row, "totp_seed")?,
        totp_pending: get(row, "totp_pending")?,
        totp_last_step: get(row, "totp_last_step")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn session_from_row(row: &SqliteRow) -> Result<Session, StoreError> {
    let stage: String = get(row, "stage")?;
    Ok(Session {
        token_digest: hash(row, "token_digest")?,
        tenant_id: TenantId(get(row, "tenant_id")?),
        user_id: UserId(get(row, "user_id")?),
        stage: SessionStage::parse(&stage).ok_or_else(|| StoreError::Corrupt("unknown session stage".into()))?,
        times: SessionTimes { created_at: get(row, "created_at")?, last_seen_at: get(row, "last_seen_at")? },
    })
}

pub(crate) fn token_from_row(row: &SqliteRow) -> Result<ApiToken, StoreError> {
    let scopes: String = get(row, "scopes")?;
    Ok(ApiToken {
        id: TokenId(get(row, "id")?),
        tenant_id: TenantId(get(row, "tenant_id")?),
        name: get(row, "name")?,
        role: role(row)?,
        scopes: scopes.split_whitespace().map(Action::parse).collect::<Result<_, _>>().map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_by: UserId(get(row, "created_by")?),
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
        revoked: get(row, "revoked")?,
    })
}

pub(crate) fn event_from_row(row: &SqliteRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        body: EventBody {
            tenant_id: get(row, "tenant_id")?,
            seq: get(row, "seq")?,
            at: get(row, "at")?,
            actor: get(row, "actor")?,
            action: get(row, "action")?,
            target: get(row, "target")?,
            outcome: get(row, "outcome")?,
            source: get(row, "source")?,
            details: get(row, "details")?,
        },
        prev_hash: hash(row, "prev_hash")?,
        hash: hash(row, "hash")?,
        seal: hash(row, "seal")?,
    })
}

pub(crate) fn checkpoint_from_row(row: &SqliteRow) -> Result<Checkpoint, StoreError> {
    Ok(Checkpoint {
        tenant_id: get(row, "tenant_id")?,
        seq: get(row, "seq")?,
        hash: hash(row, "hash")?,
        at: get(row, "at")?,
        signature: get(row, "signature")?,
    })
}
