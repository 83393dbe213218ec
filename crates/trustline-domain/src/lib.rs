//! Trustline's domain: the types and rules every other crate builds on.
//!
//! Nothing here performs I/O. Time arrives as a [`UnixTime`] handed in by the
//! caller, so every rule can be tested without sleeping.

pub mod access_review;
pub mod agent;
pub mod alerts;
mod audit_action;
mod call_result;
mod clock;
pub mod contact;
pub mod control_checks;
mod csv_writer;
pub mod destination;
pub mod dialing;
mod ids;
pub mod incidents;
mod names;
mod password;
mod pattern_rule;
mod period;
mod permission;
pub mod registers;
pub mod reporting;
mod role;
pub mod routing;
#[cfg(test)]
mod schema_pattern;
mod session;
pub mod source_windows;
mod text;
mod throttle;
pub mod training;
pub mod trunks;
pub mod webhooks;

pub use audit_action::AuditAction;
pub use call_result::{CallResult, UnknownCallResult};
pub use clock::{Clock, UnixTime};
pub use csv_writer::CsvWriter;
pub use ids::{ContactId, TenantId, TokenId, UserId};
pub use names::{InvalidName, TenantSlug, Username};
pub use password::{PasswordPolicy, PasswordRejection};
pub use period::{EARLIEST_TIME, LATEST_TIME, Period, PeriodError, checked_time};
pub use permission::{Action, UnknownAction, permits};
pub use role::{Role, UnknownRole, mfa_required};
pub use session::{SessionPolicy, SessionStage, SessionTimes};
pub use text::{NOT_BLANK, NotOneLine, NotWords, ONE_LINE, OneLine, WORDS, Words, bounded_text};
pub use throttle::{LoginThrottle, ThrottleVerdict};
