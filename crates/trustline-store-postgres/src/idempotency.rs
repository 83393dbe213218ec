use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};

trustline_store_sql::idempotency_store_for!(PostgresStore);
