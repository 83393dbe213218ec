//! Outbound calling: the loop that dials the running campaigns (`look`),
//! one call from dialling to wrap-up (`call_flow`), the dialing gate
//! (`gate`), each campaign's place in its lists and pacing figures
//! (`campaign_run`, `pacing`), answered calls waiting for an agent
//! (`answered`), the agent's side (`desk`) and wrap-ups that end by
//! themselves (`after_call_work`).

pub(crate) mod after_call_work;
pub(crate) mod answered;
pub(crate) mod answered_calls;
pub(crate) mod call_flow;
pub(crate) mod campaign_run;
pub mod desk;
mod gate;
pub(crate) mod look;
pub(crate) mod manual_call;
mod pacing;
