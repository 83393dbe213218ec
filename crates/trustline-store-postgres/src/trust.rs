use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};

trustline_store_sql::trust_store_for!(PostgresStore);
