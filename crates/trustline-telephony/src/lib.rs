//! Telephony. For now the simulated carrier: what happens to a dialled call
//! (ring time, a person or a machine answering, busy, no answer, how long the
//! person talks), drawn from distributions with a fixed seed so that a run
//! can be repeated exactly.

mod random;
mod simulated;

pub use random::SeededRandom;
pub use simulated::{CallOutcome, CarrierProfile, SimulatedCarrier};
