//! Outbound dialing rules: the dialing modes, how many calls to place now
//! (pacing), and the abandonment cap that bounds predictive dialing.

mod abandonment;
mod mode;
mod pacing;

pub use abandonment::{AbandonmentPolicy, AbandonmentWindow, WindowLength};
pub use mode::{DialingMode, UnknownDialingMode};
pub use pacing::{AgentBusy, DialerView, PacingEstimate, calls_to_place, expected_abandoned};
