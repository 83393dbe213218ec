//! Trustline's application services: what the HTTP edge, the background
//! jobs and the command line all need, with no HTTP in it.
//!
//! Each service takes the store and keys it works on and the time as a
//! parameter; none decides who may call it (the edge's guard does) and none
//! builds SQL (the store does).

mod audit_appender;
mod audit_check;
mod checkpoints;
mod control_history;
mod evidence;
mod keys;
mod policies;
mod retention;
mod system_clock;
mod tenant_end;
mod trust_facts;

pub use audit_appender::AuditAppender;
pub use audit_check::{TenantVerification, verify_tenant};
pub use checkpoints::{write_checkpoint, write_checkpoints};
pub use control_history::keep as keep_control_history;
pub use evidence::{EvidenceError, MAX_EVIDENCE_PERIOD_SECONDS, evidence_bundle, evidence_period, evidence_period_lasting};
pub use keys::{Keys, UnlockError, unlock, unlock_as};
pub use policies::Policies;
pub use retention::run_retention;
pub use system_clock::SystemClock;
pub use tenant_end::{DeletionCertificate, end_tenant};
pub use trust_facts::gather as gather_trust_facts;
