//! Inbound calls. Each call arriving from the carrier goes to the queue its
//! dialled number reaches, is checked against the queue's opening hours,
//! is tied to its caller's contact (created when the number is new) and
//! waits. The distribution pass, run by the dialer's loop before any
//! campaign dials (so blended agents take waiting callers first), gives
//! waiting calls to ready agents through the domain's router: queue
//! priority, skills, strategy and overflow; a queue may have each call ring
//! at the agent's desk until they accept it. A caller facing a long wait is
//! offered a callback; one who takes it keeps their place and is called
//! back when an agent is free.

mod arrival;
mod callback;
pub(crate) mod distribution;
mod offer;

use crate::engine::Engine;
use std::sync::Arc;
use trustline_telephony::Telephony;

pub(crate) use arrival::{NewCallerSource, known_caller, new_caller};
pub use offer::{accept, answer_by, decline};

/// Takes incoming calls from `telephony` until the process ends.
pub(crate) fn start(engine: &Engine, telephony: &Arc<dyn Telephony>) {
    let Some(mut incoming) = telephony.incoming() else { return };
    let engine = engine.clone();
    tokio::spawn(async move {
        while let Some(call) = incoming.recv().await {
            let engine = engine.clone();
            tokio::spawn(async move { arrival::arrive(&engine, call).await });
        }
    });
}
