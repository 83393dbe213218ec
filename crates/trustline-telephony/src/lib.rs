//! Telephony: the port the dialer places calls through and inbound calls
//! arrive on, and the simulated carrier behind it (ring time, a person or a
//! machine answering, busy, no answer, how long the person talks; callers'
//! arrivals, patience and talk time), drawn from distributions with a fixed
//! seed so that a run can be repeated exactly. Real SIP goes behind the same
//! port; a carrier set puts several carriers behind it.

mod carrier_set;
mod port;
mod random;
mod simulated;
mod simulated_callers;
mod simulated_telephony;

pub use carrier_set::CarrierSet;
pub use port::{
    Admission, CallFailure, CallLeg, CallProgress, DialRequest, DtmfDigits, IncomingCall, LegId, MonitorMode, Party, PhonePutDown,
    Settlement, Telephony, TelephonyError, TrunkOwner,
};
pub use random::SeededRandom;
pub use simulated::{CallOutcome, CarrierProfile, SimulatedCarrier};
pub use simulated_callers::{Arrival, Caller, InboundTraffic};
pub use simulated_telephony::SimulatedTelephony;
