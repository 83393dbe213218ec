use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};

trustline_store_sql::trust_store_for!(SqliteStore);
