//! The outbound dialer. For now its simulator: a campaign dialled in
//! virtual time against the simulated carrier, under each dialing mode, with
//! the same pacing rules the live dialer uses.

mod simulation;

pub use simulation::{ModeReport, SimulationConfig, SimulationReport, simulate, simulate_all};
