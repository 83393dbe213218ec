//! What the checks judge: facts of the running system, gathered by the
//! caller at one moment. Absent facts (`None`) mean "not known"; a check
//! never reads "not known" as compliant.

use serde::Serialize;
use trustline_domain::{LoginThrottle, PasswordPolicy, Role, SessionPolicy, UnixTime};

/// One staff account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountFact {
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub mfa: bool,
    pub created_at: UnixTime,
    pub last_sign_in_at: Option<UnixTime>,
}

/// One active (not revoked) API token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenFact {
    pub name: String,
    pub scopes: usize,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// The last run of a scheduled job or a recorded check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobRun {
    pub at: UnixTime,
    pub ok: bool,
    pub detail: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditFacts {
    /// `Ok(events)` when the chain verified, `Err(where it broke)`; `None`
    /// if it was not checked.
    pub chain: Option<Result<i64, String>>,
    pub last_checkpoint_at: Option<UnixTime>,
    /// Whether an audited write can be made now.
    pub writable: Option<bool>,
}

/// A sample of stored contacts, opened and compared with their rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EncryptionSample {
    pub sampled: u32,
    /// Contacts with a personal value readable in their stored row.
    pub plaintext: u32,
    /// Contacts whose ciphertexts did not open with their own key.
    pub unreadable: u32,
}

/// The security settings the server runs with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigFacts {
    pub password: PasswordPolicyFact,
    pub session_idle_seconds: i64,
    pub session_absolute_seconds: i64,
    pub throttle_window_seconds: i64,
    pub throttle_per_account: u32,
    pub throttle_per_address: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PasswordPolicyFact {
    pub min_chars: usize,
    pub min_strength: u8,
}

impl ConfigFacts {
    pub fn of(password: &PasswordPolicy, session: &SessionPolicy, throttle: &LoginThrottle) -> Self {
        Self {
            password: PasswordPolicyFact { min_chars: password.min_chars, min_strength: password.min_strength },
            session_idle_seconds: session.idle_seconds,
            session_absolute_seconds: session.absolute_seconds,
            throttle_window_seconds: throttle.window_seconds,
            throttle_per_account: throttle.max_failures_per_account,
            throttle_per_address: throttle.max_failures_per_address,
        }
    }
}

/// Everything the checks read, for one tenant at one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrustFacts {
    pub tenant: String,
    pub at: UnixTime,
    pub accounts: Vec<AccountFact>,
    pub tokens: Vec<TokenFact>,
    /// (role, action, allowed) for every role and action in force.
    pub permissions: Vec<(Role, String, bool)>,
    pub config: ConfigFacts,
    pub audit: AuditFacts,
    pub encryption: Option<EncryptionSample>,
    pub retention_idle_days: Option<u32>,
    pub retention_last_run: Option<JobRun>,
    pub retention_interval_seconds: i64,
    /// Erased contacts that still have a data key or a personal value.
    pub erasures_incomplete: Option<u32>,
    pub erasures: u32,
    /// Webhook URLs, each with whether the strict policy allows it.
    pub webhooks: Vec<(String, bool)>,
    /// The last server start: whether it served TLS.
    pub server_tls: Option<JobRun>,
    pub last_backup: Option<JobRun>,
    pub last_backup_verification: Option<JobRun>,
    pub dependencies: usize,
    pub last_advisory_check: Option<JobRun>,
    pub training: Option<TrainingFacts>,
    pub last_detection_run: Option<JobRun>,
    /// Incidents past their deadlines; `None` if not checked.
    pub incidents: Option<IncidentFacts>,
    /// The newest evidence attached by hand to each control.
    pub manual_evidence: Vec<ManualEvidence>,
    pub suppliers: Option<RegisterFacts>,
    pub risks: Option<RegisterFacts>,
    pub access_reviews: Option<AccessReviewFacts>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AccessReviewFacts {
    pub last_completed_at: Option<UnixTime>,
    /// Campaigns past their due date with decisions pending.
    pub overdue: Vec<String>,
}

/// A register's entries, and those out of compliance (`name: why`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RegisterFacts {
    pub entries: usize,
    pub overdue: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManualEvidence {
    pub control_id: String,
    pub summary: String,
    pub reference: String,
    pub attached_at: UnixTime,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IncidentFacts {
    pub active: usize,
    /// Titles of active incidents past their response deadline.
    pub overdue: Vec<String>,
    /// Titles of breaches past 72 hours without a recorded notification.
    pub breaches_unnotified: Vec<String>,
}

/// Security training of the people whose role reads personal data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TrainingFacts {
    pub required_courses: usize,
    pub people: usize,
    /// `username: why`, for each person not current.
    pub lapsed: Vec<String>,
}
