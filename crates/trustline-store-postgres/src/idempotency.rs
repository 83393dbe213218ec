use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};

trustline_store::idempotency_store_for!(PostgresStore);
