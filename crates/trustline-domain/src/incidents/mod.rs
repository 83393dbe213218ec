//! Security incidents: the signals read from the audit stream, the
//! detection rules that turn them into findings, and an incident's life
//! (severity and response deadline, owner, timeline, the 72-hour clock of a
//! personal-data breach, closing with a root cause and lessons learned).

mod detection;
mod incident;
mod network;
mod signal;

pub use detection::{Detector, Finding, Thresholds};
pub use incident::{
    Deadlines, IncidentKind, IncidentStatus, REMINDER_MARKS, Severity, StatusChangeError, breach_notify_by, check_status_change, deadlines,
    notification_overdue, reminder_due, response_overdue,
};
pub use network::{is_new_network, network_of};
pub use signal::{AuditFields, Signal, signal_of};
