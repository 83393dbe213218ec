//! The simulated carrier behind the telephony port: each dialled call's
//! outcome is drawn from the seeded carrier, and incoming calls from the
//! seeded inbound traffic (or rung in one by one), all played out in real
//! time, optionally faster (`speed` 10 plays a 30 s ring in 3 s).

use crate::port::{
    Admission, CallFailure, CallLeg, CallProgress, DialRequest, DtmfDigits, IncomingCall, LegId, MonitorMode, Party, PhonePutDown,
    Telephony, TelephonyError, TrunkOwner,
};
use crate::simulated_callers::{Caller, InboundTraffic};
use crate::{CallOutcome, CarrierProfile, SeededRandom, SimulatedCarrier};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use trustline_domain::{TenantId, UserId};

/// This side's hold on a call in progress.
struct Leg {
    /// Ends the call from this side.
    end: oneshot::Sender<()>,
    /// Starts an incoming caller talking, the first time they are bridged.
    bridge: Option<oneshot::Sender<()>>,
    /// Whom the caller hears.
    party: Option<Party>,
    /// The keys played to the caller.
    keys_heard: String,
    /// The supervisor on the call, and how.
    monitor: Option<(UserId, MonitorMode)>,
    /// The third party in the call's conference.
    guest: Option<Party>,
    /// An incoming caller's answer to the callback offer.
    accepts_callback: bool,
    /// On hold: the person waits and their talk time stands still.
    held: watch::Sender<bool>,
}

type Legs = Arc<Mutex<HashMap<LegId, Leg>>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct SimulatedTelephony {
    carrier: Mutex<SimulatedCarrier>,
    speed: f64,
    next_leg: Mutex<u64>,
    legs: Legs,
    /// Desks that hear each other, both ways.
    desk_links: Mutex<HashMap<(TenantId, UserId), UserId>>,
    arrivals: mpsc::Sender<IncomingCall>,
    incoming: Mutex<Option<mpsc::Receiver<IncomingCall>>>,
}

impl SimulatedTelephony {
    /// `speed` above 1 plays calls faster than real time; at most 1000.
    pub fn new(profile: CarrierProfile, seed: u64, speed: f64) -> Self {
        let (arrivals, incoming) = mpsc::channel(256);
        Self {
            carrier: Mutex::new(SimulatedCarrier::new(profile, seed)),
            speed: if speed.is_finite() { speed.clamp(1.0, 1000.0) } else { 1.0 },
            next_leg: Mutex::new(0),
            legs: Arc::new(Mutex::new(HashMap::new())),
            desk_links: Mutex::default(),
            arrivals,
            incoming: Mutex::new(Some(incoming)),
        }
    }

    fn scaled(&self, ms: u32) -> Duration {
        Duration::from_secs_f64(f64::from(ms) / 1000.0 / self.speed)
    }

    /// Calls not over yet.
    pub fn calls_in_progress(&self) -> usize {
        lock(&self.legs).len()
    }

    /// Whom the caller on `leg` hears, if anyone.
    pub fn party_of(&self, leg: LegId) -> Option<Party> {
        lock(&self.legs).get(&leg).and_then(|l| l.party)
    }

    /// The supervisor monitoring `leg`, and how.
    pub fn monitor_of(&self, leg: LegId) -> Option<(UserId, MonitorMode)> {
        lock(&self.legs).get(&leg).and_then(|l| l.monitor)
    }

    /// The third party in the conference on `leg`.
    pub fn guest_of(&self, leg: LegId) -> Option<Party> {
        lock(&self.legs).get(&leg).and_then(|l| l.guest)
    }

    /// The colleague whose desk `agent`'s desk is linked to, if any.
    pub fn desk_linked_to(&self, tenant: TenantId, agent: UserId) -> Option<UserId> {
        lock(&self.desk_links).get(&(tenant, agent)).copied()
    }

    /// The keys played to the caller on `leg` so far.
    pub fn keys_heard(&self, leg: LegId) -> Option<String> {
        lock(&self.legs).get(&leg).map(|l| l.keys_heard.clone())
    }

    fn new_leg(
        &self,
        bridge: Option<oneshot::Sender<()>>,
        accepts_callback: bool,
    ) -> (LegId, oneshot::Receiver<()>, watch::Receiver<bool>) {
        let id = {
            let mut next = lock(&self.next_leg);
            *next += 1;
            LegId(*next)
        };
        let (end, ended) = oneshot::channel();
        let (held, on_hold) = watch::channel(false);
        let leg = Leg { end, bridge, party: None, keys_heard: String::new(), monitor: None, guest: None, accepts_callback, held };
        lock(&self.legs).insert(id, leg);
        (id, ended, on_hold)
    }

    /// A caller rings `to` from `from`, behaving as `caller`, on the
    /// installation's trunk; the call arrives on the incoming channel.
    /// Needs a Tokio runtime.
    pub async fn ring_in(&self, to: &str, from: Option<&str>, caller: Caller) -> Result<LegId, TelephonyError> {
        self.ring_in_on(TrunkOwner::Installation, to, from, caller).await
    }

    /// [`Self::ring_in`] on the trunk of `trunk`.
    pub async fn ring_in_on(&self, trunk: TrunkOwner, to: &str, from: Option<&str>, caller: Caller) -> Result<LegId, TelephonyError> {
        let (bridge, bridged) = oneshot::channel();
        let (id, mut ended, on_hold) = self.new_leg(Some(bridge), caller.accepts_callback);
        let (progress, receiver) = mpsc::channel(4);
        let (patience, talk) = (self.scaled(caller.patience_ms), self.scaled(caller.talk_ms));
        let legs = self.legs.clone();
        let (admission, admitted) = oneshot::channel();
        tokio::spawn(async move {
            let played = async {
                tokio::select! {
                    _ = bridged => {
                        talk_for(talk, on_hold).await;
                    }
                    () = tokio::time::sleep(patience) => {}
                }
                let _gone = progress.send(CallProgress::RemoteHangUp).await;
            };
            // A refused call ends at once, never answered.
            let refused = async {
                if admitted.await == Ok(Admission::Take) {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                () = played => {}
                () = refused => {}
                _ = &mut ended => {}
            }
            lock(&legs).remove(&id);
        });
        let call = IncomingCall { id, from: from.map(str::to_owned), to: to.to_owned(), trunk, admission, progress: receiver };
        self.arrivals.send(call).await.map_err(|_| TelephonyError::Unavailable("nobody takes incoming calls".into()))?;
        Ok(id)
    }

    /// Plays `traffic` from `seed` until the process ends. Needs a Tokio runtime.
    pub fn start_inbound(self: &Arc<Self>, traffic: InboundTraffic, seed: u64) {
        let telephony = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut random = SeededRandom::new(seed);
            while let Some(arrival) = traffic.next(&mut random) {
                let Some(gap) = telephony.upgrade().map(|t| t.scaled(arrival.gap_ms)) else { return };
                tokio::time::sleep(gap).await;
                let Some(telephony) = telephony.upgrade() else { return };
                // Fails only when nobody takes incoming calls any more.
                if telephony.ring_in(&arrival.to, arrival.from.as_deref(), arrival.caller).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Ends the link of `agent`'s desk, both ways.
fn unlink(links: &mut HashMap<(TenantId, UserId), UserId>, tenant: TenantId, agent: UserId) {
    if let Some(colleague) = links.remove(&(tenant, agent))
        && links.get(&(tenant, colleague)) == Some(&agent)
    {
        links.remove(&(tenant, colleague));
    }
}

/// Takes `leg` out of its bridge, and the call it was joined to out of theirs.
fn let_go(legs: &mut HashMap<LegId, Leg>, leg: LegId) {
    let party = legs.get_mut(&leg).and_then(|l| {
        l.monitor = None;
        l.guest = None;
        l.party.take()
    });
    if let Some(Party::Leg(other)) = party
        && let Some(other) = legs.get_mut(&other)
    {
        other.party = None;
    }
}

/// The person talks for `talk` in all, the clock stopped while on hold.
async fn talk_for(talk: Duration, mut on_hold: watch::Receiver<bool>) {
    let mut left = talk;
    loop {
        if *on_hold.borrow_and_update() {
            // Back from hold, or gone (the leg dropped): either way talk on.
            let _back = on_hold.wait_for(|held| !held).await;
            continue;
        }
        let started = tokio::time::Instant::now();
        tokio::select! {
            () = tokio::time::sleep(left) => return,
            changed = on_hold.changed() => {
                left = left.saturating_sub(started.elapsed());
                if changed.is_err() {
                    tokio::time::sleep(left).await;
                    return;
                }
            }
        }
    }
}

#[async_trait]
impl Telephony for SimulatedTelephony {
    async fn dial(&self, _request: DialRequest) -> Result<CallLeg, TelephonyError> {
        let outcome = lock(&self.carrier).dial();
        let (id, mut hung_up, on_hold) = self.new_leg(None, false);
        let (progress, receiver) = mpsc::channel(4);
        let resolved = self.scaled(outcome.resolved_after_ms());
        let talk = match outcome {
            CallOutcome::Person { talk_ms, .. } => Some(self.scaled(talk_ms)),
            _ => None,
        };
        let legs = self.legs.clone();
        tokio::spawn(async move {
            let first = match outcome {
                CallOutcome::Person { .. } => CallProgress::Answered,
                CallOutcome::Machine { .. } => CallProgress::Failed(CallFailure::Machine),
                CallOutcome::Busy { .. } => CallProgress::Failed(CallFailure::Busy),
                CallOutcome::NoAnswer { .. } => CallProgress::Failed(CallFailure::NoAnswer),
            };
            let played = async {
                if !matches!(outcome, CallOutcome::Busy { .. }) && progress.send(CallProgress::Ringing).await.is_err() {
                    return;
                }
                tokio::time::sleep(resolved).await;
                if progress.send(first).await.is_err() {
                    return;
                }
                if let Some(talk) = talk {
                    talk_for(talk, on_hold).await;
                    let _gone = progress.send(CallProgress::RemoteHangUp).await;
                }
            };
            tokio::select! {
                () = played => {}
                _ = &mut hung_up => {}
            }
            lock(&legs).remove(&id);
        });
        Ok(CallLeg { id, progress: receiver })
    }

    async fn hang_up(&self, leg: LegId) -> Result<(), TelephonyError> {
        let leg = lock(&self.legs).remove(&leg).ok_or(TelephonyError::UnknownCall)?;
        let _ended = leg.end.send(());
        Ok(())
    }

    fn incoming(&self) -> Option<mpsc::Receiver<IncomingCall>> {
        lock(&self.incoming).take()
    }

    async fn bridge(&self, leg: LegId, to: Party) -> Result<(), TelephonyError> {
        let mut legs = lock(&self.legs);
        let partner = match to {
            Party::Leg(other) => Some(other),
            Party::Desk { .. } => None,
        };
        // Both calls are checked before either changes.
        if !legs.contains_key(&leg) || partner.is_some_and(|other| other == leg || !legs.contains_key(&other)) {
            return Err(TelephonyError::UnknownCall);
        }
        for one in [Some(leg), partner].into_iter().flatten() {
            let_go(&mut legs, one);
        }
        if let Some(other) = partner.and_then(|other| legs.get_mut(&other)) {
            other.party = Some(Party::Leg(leg));
        }
        if let Party::Desk { tenant, agent } = to {
            // A desk joined to a call talks on it, not to a colleague.
            unlink(&mut lock(&self.desk_links), tenant, agent);
        }
        let call = legs.get_mut(&leg).ok_or(TelephonyError::UnknownCall)?;
        call.party = Some(to);
        if let Some(start) = call.bridge.take() {
            start.send(()).map_err(|()| TelephonyError::UnknownCall)?;
        }
        Ok(())
    }

    async fn unbridge(&self, leg: LegId) -> Result<(), TelephonyError> {
        let mut legs = lock(&self.legs);
        if !legs.contains_key(&leg) {
            return Err(TelephonyError::UnknownCall);
        }
        let_go(&mut legs, leg);
        Ok(())
    }

    async fn transfer(&self, leg: LegId, to: DialRequest) -> Result<CallLeg, TelephonyError> {
        if !lock(&self.legs).contains_key(&leg) {
            return Err(TelephonyError::UnknownCall);
        }
        let mut called = self.dial(to).await?;
        let (progress, receiver) = mpsc::channel(4);
        let (legs, called_id) = (self.legs.clone(), called.id);
        tokio::spawn(async move {
            while let Some(event) = called.progress.recv().await {
                if event == CallProgress::Answered {
                    let mut legs = lock(&legs);
                    for (one, other) in [(leg, called_id), (called_id, leg)] {
                        if let Some(one) = legs.get_mut(&one) {
                            one.party = Some(Party::Leg(other));
                        }
                    }
                }
                if progress.send(event).await.is_err() {
                    return;
                }
            }
        });
        Ok(CallLeg { id: called_id, progress: receiver })
    }

    async fn send_dtmf(&self, leg: LegId, keys: &DtmfDigits) -> Result<(), TelephonyError> {
        lock(&self.legs).get_mut(&leg).ok_or(TelephonyError::UnknownCall)?.keys_heard.push_str(keys.as_str());
        Ok(())
    }

    async fn monitor(&self, leg: LegId, _tenant: TenantId, supervisor: UserId, mode: Option<MonitorMode>) -> Result<(), TelephonyError> {
        let mut legs = lock(&self.legs);
        let call = legs.get_mut(&leg).ok_or(TelephonyError::UnknownCall)?;
        if !matches!(call.party, Some(Party::Desk { .. })) {
            return Err(TelephonyError::NotAtDesk);
        }
        call.monitor = mode.map(|mode| (supervisor, mode));
        Ok(())
    }

    async fn conference(&self, leg: LegId, guest: Party) -> Result<(), TelephonyError> {
        if let Party::Desk { tenant, agent } = guest {
            unlink(&mut lock(&self.desk_links), tenant, agent);
        }
        let mut legs = lock(&self.legs);
        if let Party::Leg(other) = guest
            && (other == leg || !legs.contains_key(&other))
        {
            return Err(TelephonyError::UnknownCall);
        }
        let call = legs.get_mut(&leg).ok_or(TelephonyError::UnknownCall)?;
        let Some(Party::Desk { tenant, agent }) = call.party else { return Err(TelephonyError::NotAtDesk) };
        call.guest = Some(guest);
        if let Party::Leg(other) = guest
            && let Some(other) = legs.get_mut(&other)
        {
            other.party = Some(Party::Leg(leg));
        }
        // The agent talks on this call again (a consultation took them elsewhere).
        unlink(&mut lock(&self.desk_links), tenant, agent);
        Ok(())
    }

    async fn link_desks(&self, tenant: TenantId, agent: UserId, colleague: UserId) -> Result<(), TelephonyError> {
        if agent == colleague {
            return Err(TelephonyError::DeskOffline);
        }
        let mut links = lock(&self.desk_links);
        unlink(&mut links, tenant, agent);
        unlink(&mut links, tenant, colleague);
        links.insert((tenant, agent), colleague);
        links.insert((tenant, colleague), agent);
        Ok(())
    }

    async fn unlink_desk(&self, tenant: TenantId, agent: UserId) {
        unlink(&mut lock(&self.desk_links), tenant, agent);
    }

    /// Simulated calls have no audio to give a desk.
    async fn open_softphone(&self, _tenant: TenantId, _agent: UserId, _offer: &str) -> Result<String, TelephonyError> {
        Err(TelephonyError::NoSoftphone)
    }

    async fn close_softphone(&self, _tenant: TenantId, _agent: UserId) {}

    fn serves_softphones(&self) -> bool {
        false
    }

    /// Simulated calls have no audio to give a desk phone either.
    async fn ring_desk_phone(&self, _tenant: TenantId, _agent: UserId) -> Result<PhonePutDown, TelephonyError> {
        Err(TelephonyError::NoSoftphone)
    }

    async fn hold(&self, leg: LegId, on: bool) -> Result<(), TelephonyError> {
        let legs = lock(&self.legs);
        let leg = legs.get(&leg).ok_or(TelephonyError::UnknownCall)?;
        leg.held.send_replace(on);
        Ok(())
    }

    async fn offer_callback(&self, leg: LegId) -> Result<bool, TelephonyError> {
        let accepts = lock(&self.legs).get(&leg).ok_or(TelephonyError::UnknownCall)?.accepts_callback;
        if accepts {
            self.hang_up(leg).await?;
        }
        Ok(accepts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settlement;
    use trustline_domain::{TenantId, UserId};

    fn request() -> DialRequest {
        DialRequest { tenant: trustline_domain::TenantId(1), to: "+442071838750".into(), caller_id: None }
    }

    #[tokio::test]
    async fn a_call_answers_then_ends_and_follows_the_seeded_carrier() {
        let profile = CarrierProfile { answer_rate: 1.0, ..CarrierProfile::default() };
        let telephony = SimulatedTelephony::new(profile.clone(), 7, 1000.0);
        let mut leg = telephony.dial(request()).await.unwrap();
        assert_eq!(leg.progress.recv().await, Some(CallProgress::Ringing));
        assert_eq!(leg.progress.recv().await, Some(CallProgress::Answered));
        assert_eq!(leg.progress.recv().await, Some(CallProgress::RemoteHangUp));
        assert_eq!(leg.progress.recv().await, None);
        assert_eq!(telephony.calls_in_progress(), 0);
    }

    #[tokio::test]
    async fn failures_are_reported_and_a_hang_up_stops_the_call() {
        let nobody = CarrierProfile { answer_rate: 0.0, machine_rate: 0.0, busy_rate: 1.0, ..CarrierProfile::default() };
        let telephony = SimulatedTelephony::new(nobody, 1, 1000.0);
        let mut leg = telephony.dial(request()).await.unwrap();
        assert_eq!(leg.progress.recv().await, Some(CallProgress::Failed(CallFailure::Busy)), "a busy line never rings");

        let talkative = CarrierProfile { answer_rate: 1.0, talk_median_ms: 3_600_000.0, ..CarrierProfile::default() };
        let telephony = SimulatedTelephony::new(talkative, 1, 1000.0);
        let mut leg = telephony.dial(request()).await.unwrap();
        assert_eq!(leg.settled().await, Settlement::Answered);
        telephony.hang_up(leg.id).await.unwrap();
        assert_eq!(leg.progress.recv().await, None, "no hang-up is reported for a call ended from this side");
        assert!(matches!(telephony.hang_up(leg.id).await, Err(TelephonyError::UnknownCall)));
    }

    #[tokio::test]
    async fn callers_hold_until_bridged_or_out_of_patience() {
        let telephony = SimulatedTelephony::new(CarrierProfile::default(), 1, 1000.0);
        let mut incoming = telephony.incoming().unwrap();
        assert!(telephony.incoming().is_none(), "handed out once");
        let patient = Caller { patience_ms: 3_600_000, talk_ms: 10_000, accepts_callback: false };
        telephony.ring_in("+442079460999", Some("+442079460001"), patient).await.unwrap();
        let mut call = incoming.recv().await.unwrap();
        assert_eq!((call.to.as_str(), call.from.as_deref()), ("+442079460999", Some("+442079460001")));
        assert!(!format!("{call:?}").contains("2079460001"), "the caller's number is never in debug output");
        assert!(!telephony.offer_callback(call.id).await.unwrap(), "this caller keeps holding");
        let desk = Party::Desk { tenant: TenantId(1), agent: UserId(2) };
        telephony.bridge(call.id, desk).await.unwrap();
        assert_eq!(telephony.party_of(call.id), Some(desk));
        telephony.unbridge(call.id).await.unwrap();
        assert_eq!(telephony.party_of(call.id), None, "on hold music");
        telephony.bridge(call.id, desk).await.unwrap();
        assert_eq!(call.progress.recv().await, Some(CallProgress::RemoteHangUp), "after talking");

        let impatient = Caller { patience_ms: 5_000, talk_ms: 10_000, accepts_callback: true };
        telephony.ring_in("+442079460999", None, impatient).await.unwrap();
        let mut gone = incoming.recv().await.unwrap();
        assert_eq!(gone.progress.recv().await, Some(CallProgress::RemoteHangUp), "abandoned");

        telephony.ring_in("+442079460999", None, impatient).await.unwrap();
        let mut leaving = incoming.recv().await.unwrap();
        assert!(telephony.offer_callback(leaving.id).await.unwrap());
        assert_eq!(leaving.progress.recv().await, None, "the caller left the line for a callback");
    }

    #[tokio::test]
    async fn talk_time_stands_still_on_hold() {
        let telephony = SimulatedTelephony::new(CarrierProfile::default(), 1, 100.0);
        let mut incoming = telephony.incoming().unwrap();
        // 200 ms of talk at this speed, held for longer than that.
        let caller = Caller { patience_ms: 3_600_000, talk_ms: 20_000, accepts_callback: false };
        telephony.ring_in("+442079460999", None, caller).await.unwrap();
        let mut call = incoming.recv().await.unwrap();
        telephony.bridge(call.id, Party::Desk { tenant: TenantId(1), agent: UserId(2) }).await.unwrap();
        telephony.hold(call.id, true).await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(call.progress.try_recv().is_err(), "nobody hangs up on hold");
        telephony.hold(call.id, false).await.unwrap();
        assert_eq!(call.progress.recv().await, Some(CallProgress::RemoteHangUp), "the rest of the talk, then the end");
        assert!(matches!(telephony.hold(LegId(999), true).await, Err(TelephonyError::UnknownCall)), "no such call");
    }

    /// Everybody answers and talks for an hour.
    fn talkative_carrier() -> SimulatedTelephony {
        let talkative = CarrierProfile { answer_rate: 1.0, talk_median_ms: 3_600_000.0, ..CarrierProfile::default() };
        SimulatedTelephony::new(talkative, 5, 1000.0)
    }

    #[tokio::test]
    async fn a_transfer_joins_the_caller_to_the_outside_number_once_it_answers() {
        let telephony = talkative_carrier();
        let mut caller = telephony.dial(request()).await.unwrap();
        assert_eq!(caller.settled().await, Settlement::Answered);
        let mut called = telephony.transfer(caller.id, request()).await.unwrap();
        assert_eq!(called.progress.recv().await, Some(CallProgress::Ringing));
        assert_eq!(telephony.party_of(caller.id), None, "not joined while the new party rings");
        assert_eq!(called.progress.recv().await, Some(CallProgress::Answered));
        assert_eq!(telephony.party_of(caller.id), Some(Party::Leg(called.id)));
        assert_eq!(telephony.party_of(called.id), Some(Party::Leg(caller.id)));
        telephony.unbridge(caller.id).await.unwrap();
        assert_eq!((telephony.party_of(caller.id), telephony.party_of(called.id)), (None, None), "both sides let go");

        let desk = Party::Desk { tenant: TenantId(1), agent: UserId(2) };
        telephony.bridge(caller.id, Party::Leg(called.id)).await.unwrap();
        telephony.bridge(caller.id, desk).await.unwrap();
        assert_eq!(telephony.party_of(caller.id), Some(desk), "re-pointed");
        assert_eq!(telephony.party_of(called.id), None, "the old partner is let go");
        for bad in [Party::Leg(LegId(999)), Party::Leg(caller.id)] {
            assert!(matches!(telephony.bridge(caller.id, bad).await, Err(TelephonyError::UnknownCall)), "{bad:?}");
        }
        assert!(matches!(telephony.bridge(LegId(999), Party::Leg(called.id)).await, Err(TelephonyError::UnknownCall)));
        assert_eq!((telephony.party_of(caller.id), telephony.party_of(called.id)), (Some(desk), None), "a refused bridge changes nothing");
        assert!(matches!(telephony.transfer(LegId(999), request()).await, Err(TelephonyError::UnknownCall)));
    }

    #[tokio::test]
    async fn keys_are_played_to_the_caller_and_bad_keys_are_refused() {
        let telephony = talkative_carrier();
        let mut leg = telephony.dial(request()).await.unwrap();
        assert_eq!(leg.settled().await, Settlement::Answered);
        telephony.send_dtmf(leg.id, &DtmfDigits::parse("12#").unwrap()).await.unwrap();
        telephony.send_dtmf(leg.id, &DtmfDigits::parse("*A").unwrap()).await.unwrap();
        assert_eq!(telephony.keys_heard(leg.id).as_deref(), Some("12#*A"));
        for bad in ["", "12x", "1 2", "é", &"1".repeat(33)] {
            assert!(DtmfDigits::parse(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(telephony.send_dtmf(LegId(999), &DtmfDigits::parse("1").unwrap()).await, Err(TelephonyError::UnknownCall)));
    }

    #[test]
    fn the_number_never_shows_in_debug_output() {
        assert!(!format!("{:?}", request()).contains("2071838750"));
    }
}
