use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};

trustline_store_sql::idempotency_store_for!(SqliteStore);
