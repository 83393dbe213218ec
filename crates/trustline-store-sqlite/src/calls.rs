use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};

trustline_store_sql::call_store_for!(SqliteStore, sqlx::SqliteConnection);
