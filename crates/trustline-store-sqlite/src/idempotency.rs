use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};

trustline_store::idempotency_store_for!(SqliteStore);
