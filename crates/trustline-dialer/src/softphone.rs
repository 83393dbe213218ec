//! The agent's softphone: the audio session their desk opens when they
//! start work, through the carrier. It closes when they log out of work,
//! whoever logs them out.

use crate::engine::Engine;
use crate::news::News;
use crate::outbound::desk::DeskError;
use trustline_domain::{TenantId, UserId};
use trustline_telephony::TelephonyError;

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

/// Rings `agent`'s registered desk phone; once answered it is their desk.
/// If the phone puts the line down while they work, their desk is told.
pub async fn ring_desk_phone(engine: &Engine, tenant: TenantId, agent: UserId) -> Result<(), DeskError> {
    // Without a carrier no desk has audio, a desk phone no more than a softphone.
    let telephony = engine.telephony().ok_or(TelephonyError::NoSoftphone)?;
    let put_down = telephony.ring_desk_phone(tenant, agent).await?;
    let engine = engine.clone();
    tokio::spawn(async move {
        if put_down.await.is_ok() {
            engine.world.announce(News::DeskPhoneDown { tenant, agent }).await;
        }
    });
    Ok(())
}

/// Closes `agent`'s softphone or desk phone line, if one is open.
pub async fn close_softphone(engine: &Engine, tenant: TenantId, agent: UserId) {
    if let Some(telephony) = engine.telephony() {
        telephony.close_softphone(tenant, agent).await;
    }
}
