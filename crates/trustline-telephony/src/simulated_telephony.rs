//! The simulated carrier behind the telephony port: each dialled call's
//! outcome is drawn from the seeded carrier and played out in real time,
//! optionally faster (`speed` 10 plays a 30 s ring in 3 s).

use crate::port::{CallFailure, CallLeg, CallProgress, DialRequest, LegId, Telephony, TelephonyError};
use crate::{CallOutcome, CarrierProfile, SimulatedCarrier};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

pub struct SimulatedTelephony {
    carrier: Mutex<SimulatedCarrier>,
    speed: f64,
    next_leg: Mutex<u64>,
    /// Calls in progress, each with the switch that ends it from this side.
    legs: Arc<Mutex<HashMap<LegId, oneshot::Sender<()>>>>,
}

impl SimulatedTelephony {
    /// `speed` above 1 plays calls faster than real time; at most 1000.
    pub fn new(profile: CarrierProfile, seed: u64, speed: f64) -> Self {
        Self {
            carrier: Mutex::new(SimulatedCarrier::new(profile, seed)),
            speed: if speed.is_finite() { speed.clamp(1.0, 1000.0) } else { 1.0 },
            next_leg: Mutex::new(0),
            legs: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn scaled(&self, ms: u32) -> Duration {
        Duration::from_secs_f64(f64::from(ms) / 1000.0 / self.speed)
    }

    /// Calls not over yet.
    pub fn calls_in_progress(&self) -> usize {
        self.legs.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[async_trait]
impl Telephony for SimulatedTelephony {
    async fn dial(&self, _request: DialRequest) -> Result<CallLeg, TelephonyError> {
        let outcome = self.carrier.lock().unwrap_or_else(PoisonError::into_inner).dial();
        let id = {
            let mut next = self.next_leg.lock().unwrap_or_else(PoisonError::into_inner);
            *next += 1;
            LegId(*next)
        };
        let (progress, receiver) = mpsc::channel(4);
        let (hang_up, mut hung_up) = oneshot::channel();
        self.legs.lock().unwrap_or_else(PoisonError::into_inner).insert(id, hang_up);
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
                tokio::time::sleep(resolved).await;
                if progress.send(first).await.is_err() {
                    return;
                }
                if let Some(talk) = talk {
                    tokio::time::sleep(talk).await;
                    let _gone = progress.send(CallProgress::RemoteHangUp).await;
                }
            };
            tokio::select! {
                () = played => {}
                _ = &mut hung_up => {}
            }
            legs.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
        });
        Ok(CallLeg { id, progress: receiver })
    }

    async fn hang_up(&self, leg: LegId) -> Result<(), TelephonyError> {
        let switch = self.legs.lock().unwrap_or_else(PoisonError::into_inner).remove(&leg).ok_or(TelephonyError::UnknownCall)?;
        let _ended = switch.send(());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> DialRequest {
        DialRequest { to: "+442071838750".into(), caller_id: None }
    }

    #[tokio::test]
    async fn a_call_answers_then_ends_and_follows_the_seeded_carrier() {
        let profile = CarrierProfile { answer_rate: 1.0, ..CarrierProfile::default() };
        let telephony = SimulatedTelephony::new(profile.clone(), 7, 1000.0);
        let mut leg = telephony.dial(request()).await.unwrap();
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
        assert_eq!(leg.progress.recv().await, Some(CallProgress::Failed(CallFailure::Busy)));

        let talkative = CarrierProfile { answer_rate: 1.0, talk_median_ms: 3_600_000.0, ..CarrierProfile::default() };
        let telephony = SimulatedTelephony::new(talkative, 1, 1000.0);
        let mut leg = telephony.dial(request()).await.unwrap();
        assert_eq!(leg.progress.recv().await, Some(CallProgress::Answered));
        telephony.hang_up(leg.id).await.unwrap();
        assert_eq!(leg.progress.recv().await, None, "no hang-up is reported for a call ended from this side");
        assert!(matches!(telephony.hang_up(leg.id).await, Err(TelephonyError::UnknownCall)));
    }

    #[test]
    fn the_number_never_shows_in_debug_output() {
        assert!(!format!("{:?}", request()).contains("2071838750"));
    }
}
