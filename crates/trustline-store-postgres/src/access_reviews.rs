use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};

trustline_store_sql::access_review_store_for!(PostgresStore);
