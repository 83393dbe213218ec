//! The simulated agents: they log in, and then do what agents do at the
//! desk, through the same desk the HTTP edge uses. After each conversation
//! they wrap up for a drawn time and set a final disposition; in preview
//! mode, once free, they ask for the next contact, read it, and dial it
//! (or skip it if the gate now says no), asking again a minute later when
//! nobody may be dialled.

use super::memory_world::TENANT;
use crate::agent_moves::carry_out;
use crate::engine::Engine;
use crate::news::News;
use crate::outbound::desk::{self, DeskError, DispositionRequest};
use std::time::Duration;
use tokio::sync::mpsc;
use trustline_audit::AuditDraft;
use trustline_domain::agent::{AgentEvent, AgentState};
use trustline_domain::dialing::DialingMode;
use trustline_domain::{AuditAction, UserId};
use trustline_telephony::SeededRandom;

/// The disposition simulated agents set: the contact is not called again.
const DISPOSITION: &str = "not_interested";
/// How long an agent with nobody to preview waits before asking again.
const ASK_AGAIN: Duration = Duration::from_secs(60);

pub(super) struct SimulatedAgents {
    pub count: u32,
    pub mode: DialingMode,
    /// Median wrap-up after a conversation.
    pub wrap_median_ms: f64,
    /// Time an agent reads a contact before dialling in preview mode.
    pub preview_ms: u32,
    pub seed: u64,
}

impl SimulatedAgents {
    /// The agents' ids, from 1.
    pub fn ids(&self) -> impl Iterator<Item = UserId> {
        (1..=i64::from(self.count)).map(UserId)
    }

    /// Logs every agent in to work.
    pub async fn log_in(&self, engine: &Engine) -> Result<(), crate::agent_moves::MoveError> {
        for agent in self.ids() {
            let audit =
                AuditDraft::new(engine.time.now(), TENANT.0, format!("user:{agent}"), AuditAction::AgentState, format!("user:{agent}"));
            carry_out(engine, TENANT, agent, AgentEvent::LogIn, "log_in", audit).await?;
        }
        Ok(())
    }

    /// Acts on the floor's news until the run ends.
    pub async fn work(self, engine: Engine, mut news: mpsc::UnboundedReceiver<News>) {
        let mut wraps = SeededRandom::new(self.seed ^ 0x5EED_0F3A_4B00);
        while let Some(heard) = news.recv().await {
            let News::Agent(change) = heard else { continue };
            let agent = change.user_id;
            match change.to {
                AgentState::WrapUp => {
                    let wrap_ms = wraps.log_normal(self.wrap_median_ms, 0.5).clamp(1_000.0, 600_000.0);
                    tokio::spawn(wrap_up(engine.clone(), agent, Duration::from_secs_f64(wrap_ms / 1000.0)));
                }
                AgentState::Available if self.mode == DialingMode::Preview => {
                    tokio::spawn(preview(engine.clone(), agent, Duration::from_millis(u64::from(self.preview_ms))));
                }
                _ => {}
            }
        }
    }
}

async fn wrap_up(engine: Engine, agent: UserId, wrap: Duration) {
    tokio::time::sleep(wrap).await;
    let Ok(Some(call)) = engine.world.agent_call(TENANT, agent).await else { return };
    let request = DispositionRequest { code: DISPOSITION.into(), callback_at: None, personal: false };
    if let Err(error) = desk::dispose(&engine, TENANT, agent, call.id, &request).await {
        tracing::warn!(%error, agent = agent.0, "a simulated agent could not set a disposition");
    }
}

/// Asks for a contact to preview until one is offered, then reads it and
/// dials it or passes it over.
async fn preview(engine: Engine, agent: UserId, reading: Duration) {
    loop {
        let offered = match desk::offer_next(&engine, TENANT, agent).await {
            Ok(offered) => offered,
            // Not free any more.
            Err(_) => return,
        };
        let Some(call) = offered else {
            tokio::time::sleep(ASK_AGAIN).await;
            continue;
        };
        tokio::time::sleep(reading).await;
        let dialled = match desk::dial(&engine, TENANT, agent, call).await {
            // The window closed while the agent read the contact: passed over
            // (the agent, free again, previews the next one).
            Err(DeskError::NotDiallable(_)) => desk::skip(&engine, TENANT, agent, call).await,
            other => other,
        };
        if let Err(error) = dialled {
            tracing::warn!(%error, agent = agent.0, "a simulated agent could not dial or skip a contact");
        }
        return;
    }
}
