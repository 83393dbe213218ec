//! The audit chain's head and checkpoints, with the SQL both engines share.

use crate::rows::Row as Cols;
use crate::{PostgresStore, unavailable};
use trustline_audit::{Checkpoint, Hash};
use trustline_domain::TenantId;
use trustline_store::StoreResult;
use trustline_store_sql::decode;

trustline_store_sql::audit_chain_store_for!(PostgresStore);
