use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};

trustline_store_sql::agent_store_for!(SqliteStore, sqlx::SqliteConnection);
