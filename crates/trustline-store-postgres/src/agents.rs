use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};

trustline_store::agent_store_for!(PostgresStore, sqlx::PgConnection);
