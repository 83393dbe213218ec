//! Starting the engine: the carrier it works through, the switchboard
//! taking incoming calls, and the loop that dials.

use crate::engine::{Engine, EngineSettings};
use std::sync::Arc;
use trustline_telephony::Telephony;

impl Engine {
    /// Starts the engine with `telephony`: holds the tenants no other node
    /// holds (settling the calls left open by their last holder), takes
    /// incoming calls, and dials until the process ends.
    /// Needs a Tokio runtime; a second start is ignored.
    pub fn start(&self, telephony: Arc<dyn Telephony>, settings: EngineSettings) {
        if !self.set_telephony(telephony.clone()) {
            tracing::warn!("the call engine was already started");
            return;
        }
        crate::tenant_hold::start(self);
        crate::inbound::start(self, &telephony);
        crate::outbound::look::start(self, settings);
    }

    /// Gives up this node's tenants at once as the process stops, so other
    /// nodes take them over without waiting for the leases to lapse; the
    /// engine takes no tenant after.
    pub async fn release_tenants(&self) -> Result<(), trustline_store::StoreError> {
        self.world.release_tenants().await
    }
}
