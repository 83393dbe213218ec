use crate::rows::Row as Cols;
use crate::{SqliteStore, must_change, unavailable};

trustline_store_sql::desk_phone_store_for!(SqliteStore);
