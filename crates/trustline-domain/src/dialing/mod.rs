//! Outbound dialing rules: when a contact may be called, the dialing modes,
//! how many calls to place now (pacing), and the abandonment cap that bounds
//! predictive dialing.

mod abandonment;
pub(crate) mod calling_window;
pub(crate) mod campaign;
mod disposition;
mod eligibility;
mod mode;
mod pacing;

pub use abandonment::{AbandonmentPolicy, AbandonmentWindow, WindowLength};
pub use calling_window::{CallingWindow, DailyHours, HOURS_RULE, HoursError, WeeklyHours, WindowClosed, statutory_hours};
pub use campaign::{
    CALENDAR_DATE, CampaignInput, CampaignSettings, CampaignStatus, CampaignStatusError, Disposition, MAX_ABANDONMENT_CAP, calendar_date,
};
pub use disposition::{AttemptHistory, CallbackError, DispositionOutcome, RetryRule, check_callback};
pub use eligibility::{ContactStanding, NotDiallable, may_dial, record_allows, standing_allows};
pub use mode::{DialingMode, UnknownDialingMode};
pub use pacing::{AgentBusy, DialerView, PacingEstimate, calls_to_place, expected_abandoned};
