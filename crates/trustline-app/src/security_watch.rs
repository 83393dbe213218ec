//! What the security jobs work with: detection over the audit stream
//! (`incident_watch`) and the periodic housekeeping
//! (`security_housekeeping`), each started by its own method. Both run on
//! every node; each step is safe to repeat.

use crate::{Keys, Policies, SecurityStream};
use std::sync::Arc;
use trustline_domain::Clock;
use trustline_store::Store;
use trustline_vault::Vault;

pub struct SecurityWatch {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<Keys>,
    pub vault: Arc<Vault>,
    pub policies: Policies,
    /// Security events, incidents and reminders for a SIEM.
    pub stream: SecurityStream,
}
