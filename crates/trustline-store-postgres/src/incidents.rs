use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};

trustline_store_sql::incident_store_for!(PostgresStore, sqlx::PgConnection);
