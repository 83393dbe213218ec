//! The HTTP edge of Trustline.
//!
//! A request passes, in order: security headers, body limit, authentication
//! (session cookie or API token, tenant taken from it), then the guard of its
//! route, which applies the permission matrix and CSRF check, then a thin
//! handler that makes one call into the store with an audit event attached.

mod account_access;
mod app;
mod assets;
mod auth;
mod charts;
mod client_address;
mod contact_access;
mod cookies;
mod csp_reports;
mod csrf_token;
mod desk_relay;
mod engine_commands;
mod engine_errors;
mod error;
mod error_code;
mod extract;
mod guard;
mod handlers;
mod headers;
mod idempotency;
mod new_session;
pub mod openapi;
mod page_render;
pub mod parse;
mod password_schema;
mod routes;
mod schema_only;
mod serve;
mod served_document;
mod state;
mod training_gate;
mod webhooks;

pub use app::{App, AppConfig};
pub use client_address::{InvalidProxyNetwork, ProxyNetwork, client_address};
pub use desk_relay::{DeskRelay, InvalidRelayUrl, RELAY_CREDENTIAL_SECONDS, RelayUrl};
pub use error::ApiError;
pub use error_code::ErrorCode;
pub use guard::Access;
pub use idempotency::IDEMPOTENCY_KEY_SECONDS;
pub use routes::{RouteSpec, route_table};
pub use serve::{TlsFiles, serve};
pub use trustline_app::{InvalidSyslogTarget, SiemOutputs, SyslogTarget};
