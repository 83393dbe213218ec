//! Typed column access for the shared decoders in `trustline_store_sql::decode`.

use sqlx::Row as _;
use trustline_store::StoreError;
use trustline_store_sql::decode::{Columns, undecodable};

pub(crate) struct Row<'r>(pub &'r sqlx::postgres::PgRow);

impl Row<'_> {
    fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(&'r self, column: &'static str) -> Result<T, StoreError> {
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
