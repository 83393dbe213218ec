//! The controls catalogue. Each control names what it protects, where the
//! SOC 2 Trust Services Criteria and ISO/IEC 27001:2022 Annex A ask for it,
//! and how its status is decided: an automated check over the system's
//! facts, or manual evidence where no check can be automated.

/// How a control's status is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    PrivilegedMfa,
    PasswordPolicy,
    SessionLimits,
    SignInThrottling,
    LeastPrivilege,
    DormantAccounts,
    ApiTokensExpire,
    IndependentAuditor,
    AuditChain,
    RecentCheckpoint,
    AuditWritable,
    EncryptionAtRest,
    CiphertextIntegrity,
    RetentionPolicySet,
    RetentionOnSchedule,
    ErasureComplete,
    WebhookDestinations,
    TlsInTransit,
    RecentBackup,
    BackupVerified,
    DependencyInventory,
    AdvisoryCheck,
    TrainingCurrent,
    IncidentDetection,
    IncidentDeadlines,
    BreachNotification,
    SupplierReview,
    RiskReview,
    AccessReview,
    /// Decided by a person; the evidence is attached by hand.
    Manual,
    /// The process behind it is not tracked by Trustline yet; until it is,
    /// evidence is attached by hand.
    NotTracked,
}

/// One control of the catalogue.
#[derive(Clone, Copy, Debug)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    /// What the control protects, and how.
    pub protects: &'static str,
    pub soc2: &'static [&'static str],
    pub iso27001: &'static [&'static str],
    pub check: Check,
    /// How the check decides, for the report and docs/controls.md.
    pub how: &'static str,
}

impl Check {
    /// No automated check decides it: a person attaches the evidence.
    pub fn is_automated(self) -> bool {
        !matches!(self, Check::Manual | Check::NotTracked)
    }
}

const fn control(
    id: &'static str,
    title: &'static str,
    protects: &'static str,
    soc2: &'static [&'static str],
    iso27001: &'static [&'static str],
    check: Check,
    how: &'static str,
) -> Control {
    Control { id, title, protects, soc2, iso27001, check, how }
}

use Check as C;

/// Every control Trustline claims.
pub const CATALOGUE: &[Control] = &[
    // Access control.
    control(
        "AC-01",
        "Multi-factor authentication for privileged accounts",
        "Accounts that administer the tenant or read its audit log cannot be taken over with a password alone.",
        &["CC6.1", "CC6.6"],
        &["5.17", "8.5"],
        C::PrivilegedMfa,
        "Every enabled owner, admin and auditor account has a confirmed authenticator.",
    ),
    control(
        "AC-02",
        "Password strength and hashing",
        "Stolen password databases resist cracking; weak passwords are refused.",
        &["CC6.1"],
        &["5.17", "8.5"],
        C::PasswordPolicy,
        "The running policy requires at least 12 characters and a strength score of 3 or more.",
    ),
    control(
        "AC-03",
        "Session lifetime limits",
        "An unattended or stolen session stops working soon.",
        &["CC6.1", "CC6.6"],
        &["8.5"],
        C::SessionLimits,
        "Idle sessions end within 30 minutes and every session within 12 hours.",
    ),
    control(
        "AC-04",
        "Sign-in throttling",
        "Password guessing and credential stuffing are slowed to uselessness.",
        &["CC6.1", "CC6.8"],
        &["8.5"],
        C::SignInThrottling,
        "At most 10 failed sign-ins per account and 100 per address within the window.",
    ),
    control(
        "AC-05",
        "Least privilege by role",
        "Each role can do only what its work needs; auditors cannot change anything or read personal data.",
        &["CC6.1", "CC6.3"],
        &["5.15", "5.18", "8.2", "8.3"],
        C::LeastPrivilege,
        "The permission matrix in force gives auditors no write action and no personal data, and agents no administration.",
    ),
    control(
        "AC-06",
        "Dormant accounts disabled",
        "Accounts nobody uses cannot be used by somebody else.",
        &["CC6.2", "CC6.3"],
        &["5.18"],
        C::DormantAccounts,
        "No enabled account has gone 90 days without signing in (counting from creation when it never has).",
    ),
    control(
        "AC-07",
        "Periodic access reviews",
        "Access that is no longer needed is found and removed.",
        &["CC6.2", "CC6.3"],
        &["5.18", "8.2"],
        C::AccessReview,
        "An access review campaign (every enabled account confirmed or revoked; revocations disable the account at once) was completed within 90 days, and none is past its 14 days with decisions pending.",
    ),
    control(
        "AC-08",
        "Scoped, expiring API tokens",
        "A leaked integration token is limited in what it can do and for how long.",
        &["CC6.1", "CC6.6"],
        &["5.17", "8.5"],
        C::ApiTokensExpire,
        "Every active API token has scopes and expires within 365 days of its creation.",
    ),
    control(
        "AC-09",
        "Independent audit role",
        "Someone other than the administrators can review the audit log.",
        &["CC4.1", "CC6.3"],
        &["5.3", "5.35"],
        C::IndependentAuditor,
        "At least one enabled auditor account exists.",
    ),
    control(
        "AC-10",
        "Tenant isolation",
        "One customer's staff can never reach another customer's data.",
        &["CC6.1", "C1.1"],
        &["8.3"],
        C::Manual,
        "Enforced in the one authorization guard (the tenant comes from the session only) and proven by the permission tests; attach the test run.",
    ),
    // Logging and monitoring.
    control(
        "AU-01",
        "Tamper-evident audit log",
        "Every change and every read of personal data is recorded, and any later edit, deletion, insertion or reordering is detectable.",
        &["CC7.2", "CC4.1"],
        &["8.15"],
        C::AuditChain,
        "The tenant's audit chain verifies link by link, seal by seal, up to its head.",
    ),
    control(
        "AU-02",
        "Signed audit checkpoints",
        "The head of the audit chain is pinned by a signature, so a rewrite of the whole log is detectable.",
        &["CC7.2"],
        &["8.15"],
        C::RecentCheckpoint,
        "The newest signed checkpoint is at most one hour old.",
    ),
    control(
        "AU-03",
        "Fail-closed audit writing",
        "No change or read of personal data can happen without its audit event.",
        &["CC7.2"],
        &["8.15", "8.16"],
        C::AuditWritable,
        "A write transaction that appends to the audit log can be opened now.",
    ),
    control(
        "AU-04",
        "Security monitoring and alerting",
        "Attacks such as credential stuffing or mass export raise an incident.",
        &["CC7.2", "CC7.3"],
        &["8.16"],
        C::IncidentDetection,
        "The detection rules (credential stuffing, brute force, repeated refusals, mass reveal or export) read the audit stream, evidenced within the last 2 hours.",
    ),
    control(
        "AU-05",
        "Security events to the SIEM",
        "Security events reach the customer's own monitoring.",
        &["CC7.2"],
        &["8.15", "8.16"],
        C::NotTracked,
        "The SIEM stream is not offered by Trustline yet; attach the log shipping in place.",
    ),
    control(
        "AU-06",
        "Clock synchronisation",
        "Audit times can be trusted and compared.",
        &["CC7.2"],
        &["8.17"],
        C::Manual,
        "The servers' time source (NTP) is configured by the operator; attach its configuration.",
    ),
    // Data protection.
    control(
        "DP-01",
        "Personal data encrypted at rest",
        "A copy of the database or a backup reveals no personal data.",
        &["CC6.1", "CC6.7", "C1.1"],
        &["8.24", "5.34"],
        C::EncryptionAtRest,
        "A sample of stored contacts is opened; no personal value appears in the stored row.",
    ),
    control(
        "DP-02",
        "Ciphertexts bound to their records",
        "Encrypted values cannot be moved between people or fields unnoticed.",
        &["CC6.1", "PI1.3"],
        &["8.24"],
        C::CiphertextIntegrity,
        "Every sampled contact opens with its own key; none fails authentication.",
    ),
    control(
        "DP-03",
        "Retention policy in force",
        "Personal data is kept no longer than needed.",
        &["C1.2", "P4.2"],
        &["5.34", "8.10"],
        C::RetentionPolicySet,
        "The tenant has a retention period for idle contacts.",
    ),
    control(
        "DP-04",
        "Retention applied on schedule",
        "Data past its retention period is actually removed.",
        &["C1.2", "P4.2"],
        &["8.10"],
        C::RetentionOnSchedule,
        "The retention job ran within twice its interval.",
    ),
    control(
        "DP-05",
        "Erasure by crypto-shredding",
        "An erased person's data is unreadable everywhere, backups included.",
        &["C1.2", "P4.3"],
        &["8.10", "5.34"],
        C::ErasureComplete,
        "Every erasure in the ledger left no data key and no personal value behind.",
    ),
    control(
        "DP-06",
        "Masked views and audited reveals",
        "Agents see only the contact they work; every other full view needs a reason and is recorded.",
        &["CC6.1", "P4.1"],
        &["8.11", "5.34"],
        C::Manual,
        "Enforced in the contact views and proven by the masking tests; attach the test run.",
    ),
    control(
        "DP-07",
        "Encryption in transit",
        "Sessions and personal data cannot be read on the network.",
        &["CC6.7"],
        &["8.20", "8.24"],
        C::TlsInTransit,
        "The server was last started with TLS (cookies Secure, HSTS).",
    ),
    control(
        "DP-08",
        "Safe outbound integrations",
        "Webhooks cannot be turned against the internal network and carry no personal data.",
        &["CC6.6", "CC6.7"],
        &["8.20", "8.21", "5.14"],
        C::WebhookDestinations,
        "Every webhook destination is a public HTTPS address under the strict policy.",
    ),
    control(
        "DP-09",
        "Consent and do-not-contact",
        "People who object are never called again.",
        &["P2.1", "P3.1"],
        &["5.34"],
        C::Manual,
        "Enforced by the dialing gate for every call and proven by the dialer tests; attach the test run.",
    ),
    control(
        "DP-10",
        "Data subject requests",
        "People can get a copy of their data or have it erased.",
        &["P5.1", "P5.2", "P4.3"],
        &["5.34"],
        C::Manual,
        "Export and erasure are built in; attach the request log.",
    ),
    // Availability and operations.
    control(
        "OP-01",
        "Recent backup",
        "The service can be restored after a loss.",
        &["A1.2"],
        &["8.13"],
        C::RecentBackup,
        "A backup was written within the last 26 hours.",
    ),
    control(
        "OP-02",
        "Backups verified",
        "Backups actually restore.",
        &["A1.3"],
        &["8.13", "5.30"],
        C::BackupVerified,
        "A backup was read back in full and verified within the last 7 days.",
    ),
    control(
        "OP-03",
        "Dependency inventory",
        "The exact components of each release are known.",
        &["CC7.1", "CC8.1"],
        &["8.8", "5.21"],
        C::DependencyInventory,
        "The binary carries the exact versions of every package it was built from.",
    ),
    control(
        "OP-04",
        "Vulnerability advisories checked",
        "Known vulnerabilities in components are found and fixed.",
        &["CC7.1"],
        &["8.8"],
        C::AdvisoryCheck,
        "An advisory check of the dependencies ran within 30 days and found nothing open; unknown until one is recorded.",
    ),
    control(
        "OP-05",
        "Change management",
        "Changes are reviewed and tested before release.",
        &["CC8.1"],
        &["8.32", "8.25", "8.29"],
        C::Manual,
        "Every change passes the full test suite in CI before it lands; attach the CI record.",
    ),
    control(
        "OP-06",
        "Capacity and availability monitoring",
        "Outages are seen and acted on.",
        &["A1.1"],
        &["8.6", "8.16"],
        C::Manual,
        "Health and readiness endpoints are provided; attach the monitoring that watches them.",
    ),
    control(
        "OP-07",
        "Secure development",
        "Code is written and checked against common weaknesses.",
        &["CC8.1"],
        &["8.25", "8.28", "8.29"],
        C::Manual,
        "Lints, fuzzing of input parsers and integration tests run on every change; attach the CI record.",
    ),
    control(
        "OP-08",
        "Business continuity",
        "The contact center keeps working through a disruption.",
        &["A1.2", "A1.3"],
        &["5.29", "5.30"],
        C::Manual,
        "Attach the continuity plan and its last exercise.",
    ),
    // People and suppliers.
    control(
        "PP-01",
        "Security awareness training",
        "Everyone who touches personal data knows how to protect it.",
        &["CC1.4", "CC2.2"],
        &["6.3"],
        C::TrainingCurrent,
        "At least one security course is required, and everyone whose role reads personal data has completed each required course within its validity period (revealing and exporting are refused otherwise).",
    ),
    control(
        "PP-02",
        "Supplier and sub-processor review",
        "Suppliers that touch the data are certified and reviewed.",
        &["CC9.2"],
        &["5.19", "5.20", "5.21", "5.22"],
        C::SupplierReview,
        "Suppliers are registered, each reviewed within 12 months, not rejected, and holding a valid SOC 2 or ISO 27001 certificate when it touches personal data.",
    ),
    control(
        "PP-03",
        "Incident response",
        "Incidents are handled to a deadline with a root cause and lessons learned.",
        &["CC7.3", "CC7.4", "CC7.5"],
        &["5.24", "5.25", "5.26", "5.27", "5.28"],
        C::IncidentDeadlines,
        "No open incident is past its response deadline (critical 4 h, high 24 h, medium 72 h, low 7 days).",
    ),
    control(
        "PP-04",
        "Breach notification within 72 hours",
        "Regulators and people are told of personal-data breaches in time (GDPR art. 33).",
        &["CC7.4", "P6.3"],
        &["5.26", "5.34"],
        C::BreachNotification,
        "No declared personal-data breach is past its 72 hours without the regulator's notification recorded.",
    ),
    control(
        "PP-05",
        "Risk assessment",
        "Risks are known, owned, treated and reviewed.",
        &["CC3.1", "CC3.2"],
        &["5.7", "5.8"],
        C::RiskReview,
        "Risks are registered and none is past its review date (every 90 days for a score of 15 or more, 180 for 8 or more, otherwise yearly).",
    ),
    control(
        "PP-06",
        "Information security policies",
        "Rules are written, approved and known.",
        &["CC1.1", "CC5.3"],
        &["5.1", "5.2"],
        C::Manual,
        "Attach the approved policy set.",
    ),
    control(
        "PP-07",
        "Screening and terms of employment",
        "People given access are vetted and bound to confidentiality.",
        &["CC1.4"],
        &["6.1", "6.2", "6.6"],
        C::Manual,
        "Attach the screening and confidentiality records.",
    ),
    control(
        "PP-08",
        "Leavers lose access at once",
        "People who leave cannot sign in again.",
        &["CC6.2"],
        &["5.18", "6.5"],
        C::Manual,
        "Disabling an account ends its sessions and revokes its tokens at once; attach the leavers' record.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_every_control_is_referenced() {
        assert!(CATALOGUE.len() >= 40, "{}", CATALOGUE.len());
        let mut ids = HashSet::new();
        for c in CATALOGUE {
            assert!(ids.insert(c.id), "{} twice", c.id);
            assert!(!c.soc2.is_empty() && !c.iso27001.is_empty(), "{}", c.id);
            assert!(!c.title.is_empty() && !c.protects.is_empty() && !c.how.is_empty(), "{}", c.id);
        }
        let automated = CATALOGUE.iter().filter(|c| c.check.is_automated()).count();
        assert!(automated >= 20, "{automated}");
    }
}
