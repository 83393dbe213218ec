use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};

trustline_store_sql::access_review_store_for!(SqliteStore);
