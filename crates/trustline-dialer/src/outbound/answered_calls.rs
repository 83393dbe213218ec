//! Answered calls placed ahead of agents, waiting for one, oldest first:
//! the follower of each waits on its receiver, and the engine hands it an
//! agent it has reserved (see `answered`).

use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::sync::oneshot;
use trustline_domain::{TenantId, UserId};

struct Waiting {
    tenant: TenantId,
    campaign: i64,
    call: i64,
    taken: oneshot::Sender<UserId>,
}

/// The calls waiting, oldest first.
#[derive(Default)]
pub(crate) struct AnsweredCalls(Mutex<Vec<Waiting>>);

impl AnsweredCalls {
    fn lock(&self) -> MutexGuard<'_, Vec<Waiting>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `call` waits; the receiver gets the agent reserved for it.
    pub fn wait(&self, tenant: TenantId, campaign: i64, call: i64) -> oneshot::Receiver<UserId> {
        let (taken, receiver) = oneshot::channel();
        self.lock().push(Waiting { tenant, campaign, call, taken });
        receiver
    }

    /// Stops waiting: `true` if the call was still waiting, so no agent
    /// will be given to it now; `false` if one was already.
    pub fn give_up(&self, call: i64) -> bool {
        let mut waiting = self.lock();
        let before = waiting.len();
        waiting.retain(|w| w.call != call);
        waiting.len() != before
    }

    /// The tenant's waiting calls, oldest first: (call, campaign).
    pub fn of_tenant(&self, tenant: TenantId) -> Vec<(i64, i64)> {
        self.lock().iter().filter(|w| w.tenant == tenant).map(|w| (w.call, w.campaign)).collect()
    }

    /// Gives `agent`, already reserved, to `call`: `false` if the call gave up meanwhile.
    pub fn hand(&self, call: i64, agent: UserId) -> bool {
        let mut waiting = self.lock();
        let Some(at) = waiting.iter().position(|w| w.call == call) else { return false };
        let taken = waiting.remove(at).taken;
        taken.send(agent).is_ok()
    }
}
