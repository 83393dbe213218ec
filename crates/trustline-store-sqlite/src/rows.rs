//! Typed column access for the shared decoders in `trustline_store_sql::decode`.

use sqlx::Row as _;
use trustline_store::StoreError;
use trustline_store_sql::decode::{Columns, undecodable};

pub(crate) struct Row<'r>(pub &'r sqlx::sqlite::SqliteRow);

impl Row<'_> {
    fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(&'r self, column: &'static str) -> Result<T, StoreError> {
        self.0.try_get(column).map_err(|_| undecodable(column))
    }
}

impl Columns for Row<'_> {
    fn int(&self, column: &'static str) -> Result<i64, StoreError> {
        self.get(column)
    }
    fn opt_int(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.get(column)
    }
    fn text(&self, column: &'static str) -> Result<String, StoreError> {
        self.get(column)
    }
    fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        self.get(column)
    }
    fn flag(&self, column: &'static str) -> Result<bool, StoreError> {
        self.get(column)
    }
    fn bytes(&self, column: &'static str) -> Result<Vec<u8>, StoreError> {
        self.get(column)
    }
    fn opt_bytes(&self, column: &'static str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(column)
    }
}

/// One audit event as `json_array(...)` lays it out in the page query.
type EventTuple = (i64, i64, i64, String, String, String, String, String, String, String, String, String);

/// Decodes a page of audit events read as one JSON array.
pub(crate) fn events_from_json(page: &str) -> Result<Vec<trustline_audit::StoredEvent>, StoreError> {
    let tuples: Vec<EventTuple> = serde_json::from_str(page).map_err(|_| StoreError::Corrupt("audit page does not decode".into()))?;
    let hash = |hex: &str, column: &'static str| {
        trustline_crypto::hex_decode(hex)
            .ok_or_else(|| undecodable(column))
            .and_then(|bytes| trustline_store_sql::decode::hash_from(&bytes, column))
    };
    tuples
        .into_iter()
        .map(|(tenant_id, seq, at, actor, action, target, outcome, source, details, prev_hash, this_hash, seal)| {
            Ok(trustline_audit::StoredEvent {
                body: trustline_audit::EventBody { tenant_id, seq, at, actor, action, target, outcome, source, details },
                prev_hash: hash(&prev_hash, "prev_hash")?,
                hash: hash(&this_hash, "hash")?,
                seal: hash(&seal, "seal")?,
            })
        })
        .collect()
}
