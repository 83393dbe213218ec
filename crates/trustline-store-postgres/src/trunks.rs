use crate::rows::Row as Cols;
use crate::{PostgresStore, must_change, unavailable};

trustline_store_sql::trunk_store_for!(PostgresStore, sqlx::PgConnection);
