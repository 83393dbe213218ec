//! Agents at work: the states an agent moves through and which moves are
//! allowed.

mod state;

pub use state::{AgentEvent, AgentState, BreakReason, IllegalTransition, InvalidBreakReason, SelfServiceEvent};

mod time_report;

pub use time_report::{StateTimes, state_times};
