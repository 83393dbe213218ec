//! Agents at work: the states an agent moves through and which moves are
//! allowed.

mod state;

pub use state::{AgentEvent, AgentState, BreakReason, IllegalTransition, InvalidBreakReason, SelfServiceEvent};

mod time_report;

pub use time_report::{StateTimes, state_times};

mod wrap_up;

pub use wrap_up::{DEFAULT_WRAP_UP_SECONDS, MAX_WRAP_UP_SECONDS, WRAP_UP_TIMED_OUT, check_wrap_up, timed_out_outcome, wrap_up_left};
