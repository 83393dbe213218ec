//! The audit log as a hash chain.
//!
//! Each tenant has its own chain. An event's hash covers its position, its
//! contents and the previous event's hash, so editing, deleting, inserting or
//! reordering rows breaks a link. Each hash is also sealed with a key derived
//! from the master key: somebody with write access to the database alone
//! cannot forge a consistent chain. Signed checkpoints pin the head at
//! intervals so that truncating the tail is detected as well.

mod checkpoint;
mod draft;
mod event;
mod verify;

pub use checkpoint::{Checkpoint, checkpoint_message};
pub use draft::{AuditDraft, Outcome, tenants_of};
pub use event::{ChainHead, ChainKeys, EventBody, Hash, StoredEvent, genesis_hash};
pub use verify::{BreakKind, ChainBreak, ChainVerifier, VerifiedChain};
