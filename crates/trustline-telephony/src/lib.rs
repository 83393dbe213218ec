//! Telephony: the port the dialer places calls through, and the simulated
//! carrier behind it (ring time, a person or a machine answering, busy, no
//! answer, how long the person talks), drawn from distributions with a fixed
//! seed so that a run can be repeated exactly. Real SIP goes behind the same
//! port.

mod port;
mod random;
mod simulated;
mod simulated_telephony;

pub use port::{CallFailure, CallLeg, CallProgress, DialRequest, LegId, Telephony, TelephonyError};
pub use random::SeededRandom;
pub use simulated::{CallOutcome, CarrierProfile, SimulatedCarrier};
pub use simulated_telephony::SimulatedTelephony;
