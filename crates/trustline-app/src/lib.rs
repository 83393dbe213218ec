//! Trustline's application services: what the HTTP edge, the background
//! jobs and the command line all need, with no HTTP in it: signing in,
//! working incidents, report figures, and more. That includes
//! the live feed of floor changes, the webhook outbox, the call engine
//! wired to the store, the vault and both (`floor_engine`), and the security
//! jobs (incident detection, housekeeping) with their SIEM stream.
//!
//! Each service takes the store and keys it works on and the time as a
//! parameter; none decides who may call it (the edge's guard does) and none
//! builds SQL (the store does).

mod agent_time;
mod agent_view;
mod app_error;
mod audit_appender;
mod audit_check;
mod call_figures;
mod channel_listener;
mod checkpoints;
mod control_history;
mod desk_phone_logins;
mod evidence;
mod floor_news;
mod incident_watch;
mod incident_work;
mod keys;
mod live_feed;
mod node_mail;
mod policies;
mod requester;
mod retention;
mod security_housekeeping;
mod security_stream;
mod security_watch;
mod sign_in;
mod system_clock;
mod tenant_end;
mod training_standing;
mod trunk_logins;
mod trust_facts;
mod webhook_outbox;

pub use agent_time::{AgentTimeRow, agent_time};
pub use agent_view::StateView;
pub use app_error::AppError;
pub use audit_appender::AuditAppender;
pub use audit_check::{TenantVerification, verify_tenant};
pub use call_figures::{CampaignFigures, QueueFigures, SERVICE_LEVEL_SECONDS, campaign_figures, queue_figures};
pub use checkpoints::{write_checkpoint, write_checkpoints};
pub use control_history::keep as keep_control_history;
pub use desk_phone_logins::{DESK_PHONE_REALM, IssuedDeskPhoneLogin, issue_desk_phone_login, open_desk_phone_login};
pub use evidence::{EvidenceError, MAX_EVIDENCE_PERIOD_SECONDS, evidence_bundle, evidence_period, evidence_period_lasting};
pub use floor_news::{FloorNews, floor_engine};
pub use incident_work::{IncidentChange, change_incident};
pub use keys::{Keys, UnlockError, unlock, unlock_as};
pub use live_feed::{LiveEvent, LiveFeed};
pub use node_mail::{ANSWER_WITHIN, CommandTaker, HandOverError, NODE_COMMANDS_KEPT_SECONDS, NodeMail, TAKE_WITHIN};
pub use policies::Policies;
pub use requester::Requester;
pub use retention::run_retention;
pub use security_stream::{InvalidSyslogTarget, SecurityStream, SiemOutputs, SyslogTarget, Urgency};
pub use security_watch::SecurityWatch;
pub use sign_in::{DeskPhoneAttempt, DeskPhoneHolder, EnrolmentSecret, OpenedSession, SignIn};
pub use system_clock::SystemClock;
pub use tenant_end::{DeletionCertificate, end_tenant};
pub use training_standing::training_standing;
pub use trunk_logins::{open_login as open_trunk_login, seal_login as seal_trunk_login};
pub use trust_facts::gather as gather_trust_facts;
pub use webhook_outbox::{events_of as webhook_events_of, publish as publish_webhook, secret_place as webhook_secret_place};
