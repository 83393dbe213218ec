//! The SIP edge towards carriers. This part holds the rules every SIP call
//! attempt ends by: which SIP answer, Q.850 cause (carried in a `Reason`
//! header, RFC 3326) or timer means busy, no answer, a rejected number or a
//! carrier failure. The dialogs, trunks and media sit on top of these rules.

mod attempt_end;
mod reason;

pub use attempt_end::AttemptEnd;
pub use reason::{Reason, ReasonError, ReasonProtocol};
