//! Several carriers behind one port, as an installation with more than one
//! way to reach the network has them (the demo: the simulated carrier for
//! its campaign, and a SIP edge anyone can call). Calls are placed through
//! the first carrier; calls come in from all of them; everything asked
//! about a call goes to the carrier it is on. Each call gets an id of this
//! set's own, forgotten when its progress ends.

use crate::port::{CallLeg, DialRequest, DtmfDigits, IncomingCall, LegId, MonitorMode, Party, PhonePutDown, Telephony, TelephonyError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;
use trustline_domain::{TenantId, UserId};

/// Calls waiting for the switchboard, from all carriers together.
const INCOMING_BACKLOG: usize = 256;
/// Progress events buffered between a carrier and the dialer.
const PROGRESS_BUFFER: usize = 16;

pub struct CarrierSet {
    inner: Arc<Inner>,
    incoming: Mutex<Option<mpsc::Receiver<IncomingCall>>>,
}

struct Inner {
    carriers: Vec<Arc<dyn Telephony>>,
    /// This set's id → the carrier's index and its own id for the call.
    calls: Mutex<HashMap<LegId, (usize, LegId)>>,
    next: AtomicU64,
}

impl CarrierSet {
    /// `carriers[0]` places the calls. Calls coming in from any of them
    /// reach whoever takes `incoming()`.
    pub fn new(carriers: Vec<Arc<dyn Telephony>>) -> Self {
        let inner = Arc::new(Inner { carriers, calls: Mutex::default(), next: AtomicU64::new(0) });
        let (switchboard, incoming) = mpsc::channel(INCOMING_BACKLOG);
        for (index, carrier) in inner.carriers.iter().enumerate() {
            let Some(mut arriving) = carrier.incoming() else { continue };
            let (inner, switchboard) = (inner.clone(), switchboard.clone());
            tokio::spawn(async move {
                while let Some(call) = arriving.recv().await {
                    let (id, progress) = inner.adopt(index, call.id, call.progress);
                    let call = IncomingCall { id, from: call.from, to: call.to, trunk: call.trunk, admission: call.admission, progress };
                    if switchboard.send(call).await.is_err() {
                        return;
                    }
                }
            });
        }
        Self { inner, incoming: Mutex::new(Some(incoming)) }
    }

    fn route(&self, leg: LegId) -> Result<(&Arc<dyn Telephony>, usize, LegId), TelephonyError> {
        let (index, own) = *self.inner.lock().get(&leg).ok_or(TelephonyError::UnknownCall)?;
        let carrier = self.inner.carriers.get(index).ok_or(TelephonyError::UnknownCall)?;
        Ok((carrier, index, own))
    }

    /// `party` as the carrier at `index` names it: another call must be on
    /// that carrier too.
    fn party_on(&self, index: usize, party: Party) -> Result<Party, TelephonyError> {
        match party {
            Party::Leg(other) => {
                let (_, other_index, other_own) = self.route(other)?;
                if other_index != index {
                    return Err(TelephonyError::Unavailable("the two calls are on different carriers".into()));
                }
                Ok(Party::Leg(other_own))
            }
            desk @ Party::Desk { .. } => Ok(desk),
        }
    }
}

impl Inner {
    /// Gives a carrier's call an id of this set's, kept while its progress
    /// runs.
    fn adopt(
        self: &Arc<Self>,
        index: usize,
        own: LegId,
        mut progress: mpsc::Receiver<crate::CallProgress>,
    ) -> (LegId, mpsc::Receiver<crate::CallProgress>) {
        let id = LegId(self.next.fetch_add(1, Ordering::Relaxed) + 1);
        self.lock().insert(id, (index, own));
        let (forward, forwarded) = mpsc::channel(PROGRESS_BUFFER);
        let inner = self.clone();
        tokio::spawn(async move {
            while let Some(event) = progress.recv().await {
                if forward.send(event).await.is_err() {
                    break;
                }
            }
            inner.lock().remove(&id);
        });
        (id, forwarded)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<LegId, (usize, LegId)>> {
        self.calls.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Telephony for CarrierSet {
    async fn dial(&self, request: DialRequest) -> Result<CallLeg, TelephonyError> {
        let carrier = self.inner.carriers.first().ok_or_else(|| TelephonyError::Unavailable("no carrier places calls".into()))?;
        let leg = carrier.dial(request).await?;
        let (id, progress) = self.inner.adopt(0, leg.id, leg.progress);
        Ok(CallLeg { id, progress })
    }

    async fn hang_up(&self, leg: LegId) -> Result<(), TelephonyError> {
        let (carrier, _, own) = self.route(leg)?;
        carrier.hang_up(own).await
    }

    fn incoming(&self) -> Option<mpsc::Receiver<IncomingCall>> {
        self.incoming.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
    }

    async fn bridge(&self, leg: LegId, to: Party) -> Result<(), TelephonyError> {
        let (carrier, index, own) = self.route(leg)?;
        carrier.bridge(own, self.party_on(index, to)?).await
    }

    async fn conference(&self, leg: LegId, guest: Party) -> Result<(), TelephonyError> {
        let (carrier, index, own) = self.route(leg)?;
        carrier.conference(own, self.party_on(index, guest)?).await
    }

    /// Every carrier that has the two desks links them.
    async fn link_desks(&self, tenant: TenantId, agent: UserId, colleague: UserId) -> Result<(), TelephonyError> {
        let mut linked = Err(TelephonyError::DeskOffline);
        for carrier in &self.inner.carriers {
            if carrier.link_desks(tenant, agent, colleague).await.is_ok() {
                linked = Ok(());
            }
        }
        linked
    }

    async fn unlink_desk(&self, tenant: TenantId, agent: UserId) {
        for carrier in &self.inner.carriers {
            carrier.unlink_desk(tenant, agent).await;
        }
    }

    async fn unbridge(&self, leg: LegId) -> Result<(), TelephonyError> {
        let (carrier, _, own) = self.route(leg)?;
        carrier.unbridge(own).await
    }

    async fn offer_callback(&self, leg: LegId) -> Result<bool, TelephonyError> {
        let (carrier, _, own) = self.route(leg)?;
        carrier.offer_callback(own).await
    }

    async fn hold(&self, leg: LegId, on: bool) -> Result<(), TelephonyError> {
        let (carrier, _, own) = self.route(leg)?;
        carrier.hold(own, on).await
    }

    async fn transfer(&self, leg: LegId, to: DialRequest) -> Result<CallLeg, TelephonyError> {
        let (carrier, index, own) = self.route(leg)?;
        let placed = carrier.transfer(own, to).await?;
        let (id, progress) = self.inner.adopt(index, placed.id, placed.progress);
        Ok(CallLeg { id, progress })
    }

    async fn send_dtmf(&self, leg: LegId, keys: &DtmfDigits) -> Result<(), TelephonyError> {
        let (carrier, _, own) = self.route(leg)?;
        carrier.send_dtmf(own, keys).await
    }

    async fn monitor(&self, leg: LegId, tenant: TenantId, supervisor: UserId, mode: Option<MonitorMode>) -> Result<(), TelephonyError> {
        let (carrier, _, own) = self.route(leg)?;
        carrier.monitor(own, tenant, supervisor, mode).await
    }

    /// The first carrier that serves desks rings the phone.
    async fn ring_desk_phone(&self, tenant: TenantId, agent: UserId) -> Result<PhonePutDown, TelephonyError> {
        for carrier in &self.inner.carriers {
            match carrier.ring_desk_phone(tenant, agent).await {
                Err(TelephonyError::NoSoftphone) => continue,
                rung => return rung,
            }
        }
        Err(TelephonyError::NoSoftphone)
    }

    /// The first carrier that serves softphones opens it.
    async fn open_softphone(&self, tenant: TenantId, agent: UserId, offer: &str) -> Result<String, TelephonyError> {
        for carrier in &self.inner.carriers {
            match carrier.open_softphone(tenant, agent, offer).await {
                Err(TelephonyError::NoSoftphone) => continue,
                opened => return opened,
            }
        }
        Err(TelephonyError::NoSoftphone)
    }

    async fn close_softphone(&self, tenant: TenantId, agent: UserId) {
        for carrier in &self.inner.carriers {
            carrier.close_softphone(tenant, agent).await;
        }
    }

    fn serves_softphones(&self) -> bool {
        self.inner.carriers.iter().any(|carrier| carrier.serves_softphones())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallProgress, Caller, CarrierProfile, Settlement, SimulatedTelephony};
    use trustline_domain::{TenantId, UserId};

    fn talkative() -> Arc<SimulatedTelephony> {
        let profile = CarrierProfile { answer_rate: 1.0, talk_median_ms: 3_600_000.0, ..CarrierProfile::default() };
        Arc::new(SimulatedTelephony::new(profile, 5, 1000.0))
    }

    fn request() -> DialRequest {
        DialRequest { tenant: trustline_domain::TenantId(1), to: "+447700900123".into(), caller_id: None }
    }

    #[tokio::test]
    async fn calls_go_out_through_the_first_carrier_come_in_from_all_and_are_asked_of_their_own() {
        let (first, second) = (talkative(), talkative());
        let set = CarrierSet::new(vec![first.clone(), second.clone()]);
        let mut incoming = set.incoming().expect("the switchboard's receiver");
        assert!(set.incoming().is_none());

        let mut placed = set.dial(request()).await.unwrap();
        assert_eq!(placed.settled().await, Settlement::Answered);
        assert_eq!((first.calls_in_progress(), second.calls_in_progress()), (1, 0));

        let patient = Caller { patience_ms: 3_600_000, talk_ms: 3_600_000, accepts_callback: false };
        let own = second.ring_in("+442079460990", Some("+447700900001"), patient).await.unwrap();
        let arrived = incoming.recv().await.unwrap();
        assert_ne!(arrived.id, placed.id, "ids are the set's own, not the carriers'");
        assert_eq!(arrived.to, "+442079460990");

        let desk = Party::Desk { tenant: TenantId(1), agent: UserId(2) };
        set.bridge(arrived.id, desk).await.unwrap();
        assert_eq!(second.party_of(own), Some(desk), "the bridge reached the call's own carrier");
        assert!(matches!(set.bridge(arrived.id, Party::Leg(placed.id)).await, Err(TelephonyError::Unavailable(_))));
        set.send_dtmf(placed.id, &DtmfDigits::parse("42").unwrap()).await.unwrap();

        set.hang_up(arrived.id).await.unwrap();
        set.hang_up(placed.id).await.unwrap();
        assert_eq!((first.calls_in_progress(), second.calls_in_progress()), (0, 0));
        assert!(matches!(set.hang_up(LegId(999)).await, Err(TelephonyError::UnknownCall)));
    }

    #[tokio::test]
    async fn an_id_is_forgotten_when_its_call_is_over() {
        let first = talkative();
        let set = CarrierSet::new(vec![first.clone()]);
        let mut placed = set.dial(request()).await.unwrap();
        assert_eq!(placed.settled().await, Settlement::Answered);
        first.hang_up(LegId(1)).await.unwrap();
        while placed.progress.recv().await.is_some_and(|e| e != CallProgress::RemoteHangUp) {}
        for _ in 0..100 {
            if set.inner.lock().is_empty() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the set still holds the id of a call that is over");
    }
}
