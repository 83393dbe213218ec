//! The SQL both storage engines share. The storage interface
//! (`trustline-store`) holds traits, records and errors only; each engine
//! crate holds its connection handling, schema and what really differs
//! between SQLite and PostgreSQL (bulk inserts, locks, backups, search).
//!
//! Every statement here runs unchanged on both engines. A family's methods
//! are a macro that an engine crate expands once for its own store and
//! connection types (`agent_store_for!(SqliteStore, SqliteConnection)`):
//! sqlx's executors are typed by engine, and a generic function over both
//! would need a bound per bound value and per executor. The expansion site
//! provides a few engine-specific helpers each macro names in its module
//! documentation (`unavailable`, `must_change`, its row type `Cols`).
//!
//! Rows become records in one place, [`decode`], over a [`decode::Columns`]
//! reader each engine implements for its row type.

mod access_reviews;
mod accounts;
mod agents;
mod audit_chain;
mod calls;
mod campaigns;
mod contacts;
pub mod decode;
mod desk_phones;
mod idempotency;
mod imports;
mod incidents;
mod keys;
mod leases;
mod nodes;
mod queues;
mod registers;
mod restore;
mod tenant_end;
mod training;
mod trunks;
mod trust;
mod webhooks;

pub use tenant_end::{MARK_TENANT_ENDED, TENANT_DELETIONS};
/// The macros reach sqlx and the interface through this crate, so an engine
/// crate's expansion does not depend on what it names its imports.
#[doc(hidden)]
pub use {sqlx, trustline_store as store};
