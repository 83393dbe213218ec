use crate::rows::Row as Cols;
use crate::{SqliteStore, must_change, unavailable};

trustline_store_sql::trunk_store_for!(SqliteStore, sqlx::SqliteConnection);
