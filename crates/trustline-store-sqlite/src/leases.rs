//! Leases, with the SQL shared by both engines.

use crate::{SqliteStore, unavailable};

trustline_store_sql::lease_store_for!(SqliteStore);
