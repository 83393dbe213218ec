//! The engine's shared state, reachable from the HTTP edge (agents dial,
//! hang up and set dispositions through it) and from the calls it follows:
//! its ports, the campaigns it runs, the carrier's leg of each call in
//! progress on this node (a transfer moves a person's line to a new call,
//! or joins it to an outside party), and answered calls waiting for an
//! agent.

use crate::outbound::answered_calls::AnsweredCalls;
use crate::outbound::campaign_run::CampaignRun;
use crate::time::EngineTime;
use crate::world::World;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use trustline_domain::{TenantId, UserId};
use trustline_telephony::{LegId, Party, Telephony};

/// Whom an agent consults while the person waits on hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Consulted {
    /// An outside number, called on its own call; `masked` as the agent
    /// and the audit log see it.
    Number { leg: LegId, masked: String },
    /// A colleague at their desk, reserved for it.
    Colleague(UserId),
}

/// An agent's consultation on the call they talk on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consultation {
    pub party: Consulted,
    pub tenant: TenantId,
    /// The agent who consults.
    pub agent: UserId,
    pub answered: bool,
    /// The person was brought in: the three talk together.
    pub conference: bool,
}

/// How the engine runs.
#[derive(Clone, Debug)]
pub struct EngineSettings {
    /// Longest time between two looks at the campaigns and queues.
    pub tick: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self { tick: Duration::from_secs(1) }
    }
}

/// The call engine. Cheap to clone: clones share one engine.
#[derive(Clone)]
pub struct Engine(Arc<Parts>);

/// What an engine is made of; its clones share it.
pub struct Parts {
    pub(crate) world: Arc<dyn World>,
    pub(crate) time: Arc<dyn EngineTime>,
    telephony: OnceLock<Arc<dyn Telephony>>,
    wake: Notify,
    pub(crate) runs: tokio::sync::Mutex<HashMap<i64, CampaignRun>>,
    /// The call each line in progress on this node belongs to.
    legs: Mutex<HashMap<LegId, i64>>,
    /// Lines joined to an outside party by a transfer, both ways round:
    /// when one hangs up, the other is hung up.
    outside: Mutex<HashMap<LegId, LegId>>,
    /// Inbound calls on this node whose caller was offered a callback.
    callback_offers: Mutex<HashSet<i64>>,
    /// Agents' consultations, by the call whose person waits on hold.
    consults: Mutex<HashMap<i64, Consultation>>,
    /// The call each supervisor monitors, on this node.
    monitoring: Mutex<HashMap<(TenantId, UserId), i64>>,
    pub(crate) answered: AnsweredCalls,
}

impl std::ops::Deref for Engine {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The line call `call` holds, among `legs` (line → call).
fn line_of(legs: &HashMap<LegId, i64>, call: i64) -> Option<LegId> {
    legs.iter().find(|(_, of)| **of == call).map(|(leg, _)| *leg)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Engine {
    /// An engine over `world`, keeping `time`. It places no call until started.
    pub fn new(world: Arc<dyn World>, time: Arc<dyn EngineTime>) -> Self {
        Self(Arc::new(Parts {
            world,
            time,
            telephony: OnceLock::new(),
            wake: Notify::new(),
            runs: tokio::sync::Mutex::default(),
            legs: Mutex::default(),
            outside: Mutex::default(),
            callback_offers: Mutex::default(),
            consults: Mutex::default(),
            monitoring: Mutex::default(),
            answered: AnsweredCalls::default(),
        }))
    }

    /// Takes `telephony` as the engine's carrier: `false` if it has one already.
    pub(crate) fn set_telephony(&self, telephony: Arc<dyn Telephony>) -> bool {
        self.telephony.set(telephony).is_ok()
    }

    /// Asks for a look at the campaigns and queues now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits for a wake, or until `millis` on the engine's clock.
    pub(crate) async fn woken_or_at(&self, millis: u64) {
        tokio::select! {
            biased;
            () = self.wake.notified() => {}
            () = self.time.alarm_at(millis) => {}
        }
    }

    pub(crate) fn telephony(&self) -> Option<&Arc<dyn Telephony>> {
        self.telephony.get()
    }

    pub(crate) fn track_leg(&self, call: i64, leg: LegId) {
        lock(&self.legs).insert(leg, call);
    }

    /// The line is over (or left the engine's hands): it and what was
    /// kept of it go.
    pub(crate) fn forget_leg(&self, leg: LegId) {
        if let Some(call) = lock(&self.legs).remove(&leg) {
            lock(&self.callback_offers).remove(&call);
        }
        let mut outside = lock(&self.outside);
        if let Some(other) = outside.remove(&leg) {
            outside.remove(&other);
        }
    }

    pub(crate) fn leg_of(&self, call: i64) -> Option<LegId> {
        line_of(&lock(&self.legs), call)
    }

    /// The call the line belongs to now.
    pub(crate) fn call_on(&self, leg: LegId) -> Option<i64> {
        lock(&self.legs).get(&leg).copied()
    }

    /// Moves the line of call `from` to call `to` (a transfer); `false` if
    /// `from` has no line here any more.
    pub(crate) fn hand_leg(&self, from: i64, to: i64) -> bool {
        let mut legs = lock(&self.legs);
        let Some(leg) = line_of(&legs, from) else { return false };
        legs.insert(leg, to);
        true
    }

    /// The line of call `call` leaves every call: it is joined to the
    /// outside party on `to`, whose hang-up ends it (and the other way round).
    pub(crate) fn join_outside(&self, call: i64, to: LegId) -> Option<LegId> {
        let leg = {
            let mut legs = lock(&self.legs);
            let leg = line_of(&legs, call)?;
            legs.remove(&leg);
            leg
        };
        let mut outside = lock(&self.outside);
        outside.insert(leg, to);
        outside.insert(to, leg);
        Some(leg)
    }

    /// The outside party joined to the line, if any.
    pub(crate) fn outside_party(&self, leg: LegId) -> Option<LegId> {
        lock(&self.outside).get(&leg).copied()
    }

    /// The call `supervisor` monitors, if any.
    pub(crate) fn monitored_by(&self, tenant: TenantId, supervisor: UserId) -> Option<i64> {
        lock(&self.monitoring).get(&(tenant, supervisor)).copied()
    }

    /// The supervisor on `call`, if any.
    pub(crate) fn supervisor_on(&self, tenant: TenantId, call: i64) -> Option<UserId> {
        lock(&self.monitoring).iter().find(|((of, _), on)| *of == tenant && **on == call).map(|((_, supervisor), _)| *supervisor)
    }

    /// The consultation of the agent on `call`, if any.
    pub(crate) fn consult_of(&self, call: i64) -> Option<Consultation> {
        lock(&self.consults).get(&call).cloned()
    }

    /// Keeps `consultation` for `call`; `false` if the call has one already.
    pub(crate) fn note_consult(&self, call: i64, consultation: Consultation) -> bool {
        let mut consults = lock(&self.consults);
        if consults.contains_key(&call) {
            return false;
        }
        consults.insert(call, consultation);
        true
    }

    /// The consulted number on `leg` answered.
    pub(crate) fn consult_answered(&self, call: i64, leg: LegId) {
        let mut consults = lock(&self.consults);
        if let Some(consultation) = consults.get_mut(&call).filter(|c| matches!(&c.party, Consulted::Number { leg: on, .. } if *on == leg))
        {
            consultation.answered = true;
        }
    }

    /// The person joined the consultation of `party` on `call`: a
    /// conference; `false` if that consultation is over.
    pub(crate) fn consult_conferenced(&self, call: i64, party: &Consulted) -> bool {
        match lock(&self.consults).get_mut(&call).filter(|c| c.party == *party) {
            Some(consultation) => {
                consultation.conference = true;
                true
            }
            None => false,
        }
    }

    /// Ends the consultation on `call`, if it is still of `party` (whoever
    /// ends it first has it), or whatever it is (`None`).
    pub(crate) fn take_consult(&self, call: i64, party: Option<&Consulted>) -> Option<Consultation> {
        let mut consults = lock(&self.consults);
        if party.is_some_and(|party| consults.get(&call).is_none_or(|c| c.party != *party)) {
            return None;
        }
        consults.remove(&call)
    }

    /// The consultation `colleague` is consulted in, and its call.
    pub(crate) fn consulting(&self, tenant: TenantId, colleague: UserId) -> Option<(i64, Consultation)> {
        lock(&self.consults)
            .iter()
            .find(|(_, c)| c.tenant == tenant && c.party == Consulted::Colleague(colleague))
            .map(|(call, c)| (*call, c.clone()))
    }

    /// Supervisors on `call` are off it: it left its agent's desk.
    pub(crate) fn end_monitoring_of(&self, tenant: TenantId, call: i64) {
        lock(&self.monitoring).retain(|(of, _), on| !(*of == tenant && *on == call));
    }

    /// `supervisor` is on `call` (`on`) or off it.
    pub(crate) fn note_monitoring(&self, tenant: TenantId, supervisor: UserId, call: i64, on: bool) {
        let mut monitoring = lock(&self.monitoring);
        if on {
            monitoring.insert((tenant, supervisor), call);
        } else if monitoring.get(&(tenant, supervisor)) == Some(&call) {
            monitoring.remove(&(tenant, supervisor));
        }
    }

    /// Whether the caller of `call` is offered a callback for the first
    /// time; they are asked once.
    pub(crate) fn first_callback_offer(&self, call: i64) -> bool {
        lock(&self.callback_offers).insert(call)
    }

    /// The offer was not made after all; it may be later.
    pub(crate) fn forget_callback_offer(&self, call: i64) {
        lock(&self.callback_offers).remove(&call);
    }

    /// Points the call's audio at the agent's desk. A line gone meanwhile is
    /// seen by its follower; a desk without a media session (an agent
    /// working without a phone, the simulated floor) leaves the call
    /// unbridged, logged.
    pub(crate) async fn join_desk(&self, leg: LegId, tenant: TenantId, agent: UserId) {
        let Some(telephony) = self.telephony() else { return };
        if let Err(error) = telephony.bridge(leg, Party::Desk { tenant, agent }).await {
            tracing::debug!(%error, %agent, "a call could not be joined to its agent's desk");
        }
    }

    /// Ends a call's carrier leg, if it is in progress on this node.
    pub(crate) async fn hang_up(&self, leg: LegId) -> bool {
        let Some(telephony) = self.telephony() else { return false };
        telephony.hang_up(leg).await.is_ok()
    }
}
