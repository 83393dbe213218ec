use crate::rows::Row as Cols;
use crate::{SqliteStore, unavailable};

trustline_store::trust_store_for!(SqliteStore);
