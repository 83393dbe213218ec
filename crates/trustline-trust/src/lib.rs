//! The trust center: every security control Trustline claims, with its
//! references in the SOC 2 Trust Services Criteria and ISO/IEC 27001:2022
//! Annex A, and the check that computes its status from facts of the
//! running system. Pure: the caller gathers the facts (from the database,
//! the configuration, the last runs of scheduled jobs); this crate judges
//! them, so each check can be driven both ways in tests.

mod assessment;
mod catalogue;
mod facts;
mod oscal;
mod questionnaire;
mod render;
pub mod sbom;

pub use assessment::{Assessment, ControlResult, Status, assess};
pub use catalogue::{CATALOGUE, Check, Control};
pub use facts::{
    AccessReviewFacts, AccountFact, AuditFacts, ConfigFacts, EncryptionSample, IncidentFacts, JobRun, ManualEvidence, RegisterFacts,
    TokenFact, TrainingFacts, TrustFacts,
};
pub use oscal::oscal;
pub use questionnaire::{Answer, questionnaire};
pub use render::{CONTROLS_CSS, controls_markdown, controls_table, html};
