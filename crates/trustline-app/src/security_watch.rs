//! What the security jobs work with, and starting them: detection over the
//! audit stream (`incident_watch`) and the periodic housekeeping
//! (`security_housekeeping`). Both run on every node; each step is safe to
//! repeat.

use crate::{Keys, Policies, SecurityStream};
use std::sync::Arc;
use std::time::Duration;
use trustline_domain::Clock;
use trustline_domain::incidents::Thresholds;
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

impl SecurityWatch {
    /// Starts the detection rules over the audit stream, reading new events
    /// every `tick`; security events and incidents also go to the stream.
    pub fn start_incident_detection(self: &Arc<Self>, tick: Duration, thresholds: Thresholds) {
        crate::incident_watch::start(self.clone(), tick, thresholds);
    }

    /// Starts the security housekeeping (controls checked, dormant accounts
    /// suspended, overdue access reviews escalated, audit chains verified,
    /// breach owners reminded as the 72-hour clock runs down) every `tick`.
    pub fn start_housekeeping(self: &Arc<Self>, tick: Duration) {
        crate::security_housekeeping::start(self.clone(), tick);
    }
}
