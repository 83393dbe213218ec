//! The outbound dialer. For now its simulator: a campaign dialled in
//! virtual time against the simulated carrier, under each dialing mode, with
//! the same pacing rules and the same dialling gate (calling windows,
//! do-not-contact, attempts) the live dialer uses.

mod call_list;
mod simulation;

pub use call_list::{ListConfig, PlacedCall};
pub use simulation::{ModeReport, SimulationConfig, SimulationReport, simulate, simulate_all, simulate_calls};
