//! Agents' desks as the edge sees them: where a call's audio goes when it
//! is bridged to an agent. A desk is seated when its audio session opens
//! and unseated when it closes; bridging to a desk that is not seated
//! fails. Today a seat is a virtual agent (the demo's floor agents): it
//! answers every call with a recorded greeting, repeated, and hears
//! nothing. Browsers' WebRTC sessions will take seats the same way.

use crate::g711::ulaw_frames;
use crate::tone::FRAME;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use trustline_domain::{TenantId, UserId};

/// The virtual agent's greeting, made by `scripts/make-prompts`.
const GREETING: &[u8] = include_bytes!("../prompts/virtual-agent.ulaw");
/// Silence between two greetings, in frames (two seconds).
const PAUSE_FRAMES: usize = 100;

pub(crate) struct DeskLine {
    greeting: Vec<[i16; FRAME]>,
    position: Mutex<usize>,
}

impl DeskLine {
    fn virtual_agent() -> Self {
        Self { greeting: ulaw_frames(GREETING), position: Mutex::new(0) }
    }

    /// What the desk says in the next 20 ms.
    pub fn next_frame(&self) -> [i16; FRAME] {
        let mut position = self.position.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let frame = self.greeting.get(*position).copied().unwrap_or([0; FRAME]);
        *position = (*position + 1) % (self.greeting.len() + PAUSE_FRAMES);
        frame
    }
}

/// The seated desks, by tenant and agent.
#[derive(Default)]
pub(crate) struct Desks {
    seats: Mutex<HashMap<(TenantId, UserId), Arc<DeskLine>>>,
}

impl Desks {
    pub fn seat_virtual_agent(&self, tenant: TenantId, agent: UserId) {
        self.lock().insert((tenant, agent), Arc::new(DeskLine::virtual_agent()));
    }

    pub fn unseat(&self, tenant: TenantId, agent: UserId) {
        self.lock().remove(&(tenant, agent));
    }

    pub fn seated(&self, tenant: TenantId, agent: UserId) -> Option<Arc<DeskLine>> {
        self.lock().get(&(tenant, agent)).cloned()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<(TenantId, UserId), Arc<DeskLine>>> {
        self.seats.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
