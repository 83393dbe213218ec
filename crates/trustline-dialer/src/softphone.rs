//! The agent's softphone: the audio session their desk opens when they
//! start work, through the carrier. It closes when they log out of work,
//! whoever logs them out.

use crate::engine::Engine;
use crate::outbound::desk::DeskError;
use trustline_domain::{TenantId, UserId};

/// Opens `agent`'s softphone from their browser's offer; the answer goes
/// back to the browser.
pub async fn open_softphone(engine: &Engine, tenant: TenantId, agent: UserId, offer: &str) -> Result<String, DeskError> {
    let telephony = engine.telephony().ok_or(DeskError::NoTelephony)?;
    Ok(telephony.open_softphone(tenant, agent, offer).await?)
}

/// Whether agents' softphones can open here (the carrier carries audio to desks).
pub fn serves_softphones(engine: &Engine) -> bool {
    engine.telephony().is_some_and(|telephony| telephony.serves_softphones())
}

/// Closes `agent`'s softphone, if one is open.
pub async fn close_softphone(engine: &Engine, tenant: TenantId, agent: UserId) {
    if let Some(telephony) = engine.telephony() {
        telephony.close_softphone(tenant, agent).await;
    }
}
