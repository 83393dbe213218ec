//! The HTTP edge of Trustline.
//!
//! A request passes, in order: security headers, body limit, authentication
//! (session cookie or API token, tenant taken from it), then the guard of its
//! route, which applies the permission matrix and CSRF check, then a thin
//! handler that makes one call into the store with an audit event attached.

mod account_access;
mod agent_moves;
mod app;
mod assets;
mod audit_appender;
mod audit_check;
mod auth;
mod call_facts;
mod charts;
mod checkpoints;
mod client_address;
mod contact_access;
mod control_history;
mod cookies;
mod csp_reports;
mod desk_presence;
mod dialer;
mod error;
mod evidence;
mod extract;
mod guard;
mod handlers;
mod headers;
mod idempotency;
mod incident_watch;
mod keys;
mod live;
mod login;
pub mod openapi;
pub mod parse;
mod passwords;
mod retention;
mod routes;
mod schema_only;
mod security_housekeeping;
mod security_stream;
mod serve;
mod state;
mod stored_settings;
mod switchboard;
mod system_clock;
mod tenant_end;
mod training_gate;
mod trust_facts;
mod webhooks;

pub use app::{App, AppConfig};
pub use audit_appender::AuditAppender;
pub use audit_check::{TenantVerification, verify_tenant};
pub use checkpoints::write_checkpoints;
pub use client_address::{InvalidProxyNetwork, ProxyNetwork, client_address};
pub use dialer::DialerSettings;
pub use error::ApiError;
pub use evidence::{EvidenceError, MAX_EVIDENCE_PERIOD_SECONDS, evidence_bundle, evidence_period};
pub use guard::Access;
pub use idempotency::IDEMPOTENCY_KEY_SECONDS;
pub use keys::{Keys, UnlockError, unlock, unlock_as};
pub use retention::run_retention;
pub use routes::{RouteSpec, route_table};
pub use security_stream::{InvalidSyslogTarget, SiemOutputs, SyslogTarget};
pub use serve::{TlsFiles, serve};
pub use system_clock::SystemClock;
pub use tenant_end::{DeletionCertificate, end_tenant};
pub use trust_facts::gather as gather_trust_facts;
