use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};

trustline_store::trust_store_for!(PostgresStore);
