use crate::state::{AppState, Shared};
use axum::Router;
use std::sync::Arc;
use trustline_app::{AuditAppender, Keys};
use trustline_crypto::PasswordHasher;
use trustline_dialer::EngineSettings;
use trustline_domain::{Clock, LoginThrottle, PasswordPolicy, SessionPolicy};
use trustline_store::Store;
use trustline_telephony::Telephony;

/// Settings of the HTTP edge.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Served over TLS: cookies get `Secure` and responses carry HSTS.
    pub tls: bool,
    pub session: SessionPolicy,
    pub throttle: LoginThrottle,
    pub password: PasswordPolicy,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Shown in authenticator apps next to the account name.
    pub issuer: String,
    /// Load balancers whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Vec<crate::ProxyNetwork>,
    /// Webhooks may go to private and local addresses (and plain http), for
    /// a CRM on the company's own network. Off by default.
    pub allow_private_webhooks: bool,
    /// SIP trunks may point at private and local addresses (a session
    /// border controller on the company's own network). Off by default.
    pub allow_private_trunks: bool,
    /// The SIP edge has a TLS certificate, so tenants' trunks may use
    /// `tls`. Off by default (and without a SIP edge).
    pub sip_tls: bool,
    /// How often the retention job runs: the trust center expects a run
    /// within twice this.
    pub retention_interval_seconds: i64,
    /// Where security events, incidents and breach reminders are streamed for a SIEM.
    pub siem: crate::SiemOutputs,
    /// Where uploaded call lists wait, sealed, for their import: a private
    /// folder of the data directory in production.
    pub upload_dir: std::path::PathBuf,
    /// The TURN relay desks may send their audio through; none by default.
    pub desk_relay: Option<crate::DeskRelay>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            tls: false,
            session: SessionPolicy::default(),
            throttle: LoginThrottle::default(),
            password: PasswordPolicy::default(),
            max_body_bytes: 64 * 1024,
            issuer: "Trustline".into(),
            trusted_proxies: Vec::new(),
            allow_private_webhooks: false,
            allow_private_trunks: false,
            sip_tls: false,
            retention_interval_seconds: 3_600,
            siem: crate::SiemOutputs::default(),
            upload_dir: std::env::temp_dir(),
            desk_relay: None,
        }
    }
}

impl AppConfig {
    /// The security policies in force, as the trust center reports them.
    pub fn policies(&self) -> trustline_app::Policies {
        trustline_app::Policies {
            session: self.session,
            throttle: self.throttle,
            password: self.password,
            retention_interval_seconds: self.retention_interval_seconds,
        }
    }
}

/// A configured server, ready to produce its router.
pub struct App {
    state: AppState,
    security: Arc<trustline_app::SecurityWatch>,
}

impl App {
    /// Must be called inside a Tokio runtime: it starts the audit appender
    /// and the live feed's listener.
    pub fn new(config: AppConfig, store: Arc<dyn Store>, clock: Arc<dyn Clock>, keys: Arc<Keys>, hasher: Arc<PasswordHasher>) -> Self {
        let appender = AuditAppender::start(store.clone());
        let vault = Arc::new(trustline_vault::Vault::new(store.clone(), keys.keyring.clone()));
        let live = trustline_app::LiveFeed::start(store.clone());
        let nodes = trustline_app::NodeMail::start(store.clone(), clock.clone(), keys.clone());
        let engine = trustline_app::floor_engine(store.clone(), vault.clone(), live.clone(), clock.clone(), nodes.id().clone());
        let sign_in = trustline_app::SignIn {
            store: store.clone(),
            clock: clock.clone(),
            keys: keys.clone(),
            hasher,
            appender: appender.clone(),
            throttle: config.throttle,
            password: config.password,
            issuer: config.issuer.clone(),
        };
        let security = Arc::new(trustline_app::SecurityWatch {
            store: store.clone(),
            clock: clock.clone(),
            keys: keys.clone(),
            vault: vault.clone(),
            policies: config.policies(),
            stream: trustline_app::SecurityStream::open(&config.siem),
        });
        let shared = Shared {
            store,
            clock,
            keys,
            sign_in,
            appender,
            vault,
            config,
            api_document: crate::openapi::document_for,
            live,
            engine,
            nodes,
            csp_reports: Default::default(),
        };
        let state = AppState(Arc::new(shared));
        state.nodes.take_commands_with(Arc::new(crate::engine_commands::HandedCommands(state.clone())));
        Self { state, security }
    }

    /// Starts the call engine, which places and takes calls through
    /// `telephony` (one node only). Other nodes hand this one the steps
    /// of its calls and of agents' desks.
    pub fn start_engine(&self, telephony: Arc<dyn Telephony>, settings: EngineSettings) {
        self.state.engine.start(telephony, settings);
        self.state.nodes.hold_calls();
    }

    /// Gives up the tenants this node's engine holds, as the process stops.
    pub async fn release_tenants(&self) {
        match self.state.engine.release_tenants().await {
            Ok(()) => tracing::info!("this node gave up its tenants' calls"),
            Err(error) => tracing::warn!(%error, "this node could not give up its tenants; they move once their leases lapse"),
        }
    }

    /// Starts the detection rules over the audit stream, reading new events
    /// every `tick`; security events and incidents also go to the SIEM
    /// outputs of the configuration.
    pub fn start_incident_detection(&self, tick: std::time::Duration, thresholds: trustline_domain::incidents::Thresholds) {
        self.security.start_incident_detection(tick, thresholds);
    }

    /// Starts the security housekeeping (dormant accounts suspended, overdue
    /// access reviews escalated, audit chains verified, breach owners
    /// reminded as the 72-hour clock runs down) every `tick`.
    pub fn start_security_housekeeping(&self, tick: std::time::Duration) {
        self.security.start_housekeeping(tick);
    }

    /// Starts delivering webhooks, looking for due deliveries every `tick`.
    pub fn start_webhooks(&self, tick: std::time::Duration) {
        crate::webhooks::start(self.state.clone(), tick);
    }

    pub fn router(&self) -> Router {
        crate::routes::router(self.state.clone())
    }

    /// The sign-in rules, for credentials that arrive other than over HTTP
    /// (desk phones registering with the SIP edge).
    pub fn sign_in(&self) -> trustline_app::SignIn {
        self.state.sign_in.clone()
    }

    /// This node's name in the nodes table.
    pub fn node_id(&self) -> String {
        self.state.nodes.id().0.clone()
    }

    /// Whether this node hears the others sharing its database (always
    /// false on SQLite, which has one), so steps can be handed between them.
    pub fn hears_other_nodes(&self) -> bool {
        self.state.nodes.hears_others()
    }

    pub fn appender(&self) -> &AuditAppender {
        &self.state.appender
    }
}
