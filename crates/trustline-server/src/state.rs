use crate::AppConfig;
use std::sync::Arc;
use trustline_app::{AuditAppender, Keys};
use trustline_domain::Clock;
use trustline_store::Store;

/// What every handler may reach. Cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState(pub(crate) Arc<Shared>);

pub(crate) struct Shared {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<Keys>,
    /// Signing in, second factors and passwords.
    pub sign_in: trustline_app::SignIn,
    pub appender: AuditAppender,
    /// Keys for personal data, and the only way to decrypt it.
    pub vault: Arc<trustline_vault::Vault>,
    pub config: AppConfig,
    /// The API document as served to this installation (see `handlers::openapi`).
    pub api_document: fn(&crate::served_document::Installation) -> serde_json::Value,
    /// Changes for supervisor views.
    pub live: trustline_app::LiveFeed,
    /// The call engine: agents' moves and their calls go through it.
    pub engine: trustline_dialer::Engine,
    /// This node among those sharing the database: where the engine's
    /// steps run when they must run elsewhere (see `engine_commands`).
    pub nodes: trustline_app::NodeMail,
    /// Browsers' CSP violation reports, newest kept.
    pub csp_reports: crate::csp_reports::CspReports,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
