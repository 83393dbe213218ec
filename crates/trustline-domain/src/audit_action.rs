//! The audit log's vocabulary: every action an event can record, each with
//! the stable dotted name stored in the log (`session.login`). Writers and
//! readers (incident detection, the trust center) name actions through this
//! one list, so renaming or dropping an action is a compile error where it is
//! used, never a detection rule that silently stops matching.

macro_rules! audit_actions {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// An action the audit log records.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant),*
        }

        impl AuditAction {
            /// Every action, in the order of their names.
            pub const ALL: &[AuditAction] = &[$(AuditAction::$variant),*];

            /// The name stored in the log; stable, so old events keep their meaning.
            pub const fn name(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name),*
                }
            }
        }
    };
}

audit_actions! {
    AccessDenied => "access.denied",
    AccessReviewDecide => "access_review.decide",
    AccessReviewRevoke => "access_review.revoke",
    AccessReviewStart => "access_review.start",
    AgentOffer => "agent.offer",
    AgentSkills => "agent.skills",
    AgentState => "agent.state",
    AgentStateSet => "agent.state_set",
    AgentWithdraw => "agent.withdraw",
    AuditExport => "audit.export",
    AuditRead => "audit.read",
    AuditSearch => "audit.search",
    BackupCreate => "backup.create",
    BackupRestore => "backup.restore",
    CallAccept => "call.accept",
    CallArrive => "call.arrive",
    CallConference => "call.conference",
    CallConnect => "call.connect",
    CallConsult => "call.consult",
    CallDecline => "call.decline",
    CallDisposition => "call.disposition",
    CallHold => "call.hold",
    CallMonitor => "call.monitor",
    CallOffer => "call.offer",
    CallPlace => "call.place",
    CallResume => "call.resume",
    CallTransfer => "call.transfer",
    CallUnanswered => "call.unanswered",
    CampaignCreate => "campaign.create",
    CampaignStatus => "campaign.status",
    CampaignUpdate => "campaign.update",
    ContactAssign => "contact.assign",
    ContactConsent => "contact.consent",
    ContactCreate => "contact.create",
    ContactDoNotContact => "contact.do_not_contact",
    ContactErase => "contact.erase",
    ContactList => "contact.list",
    ContactLookup => "contact.lookup",
    ContactNoteAdd => "contact.note_add",
    ContactObjection => "contact.objection",
    ContactRead => "contact.read",
    ContactRectify => "contact.rectify",
    ContactRestriction => "contact.restriction",
    ContactReveal => "contact.reveal",
    ContactView => "contact.view",
    CustomFieldDelete => "custom_field.delete",
    CustomFieldPut => "custom_field.put",
    DeskPhoneIssue => "desk_phone.issue",
    DeskPhoneRegister => "desk_phone.register",
    DeskPhoneRevoke => "desk_phone.revoke",
    ImportChunk => "import.chunk",
    ImportFinish => "import.finish",
    ImportStart => "import.start",
    IncidentChange => "incident.change",
    IncidentRaise => "incident.raise",
    IncidentRemind => "incident.remind",
    IncidentReport => "incident.report",
    KeyIndexCreate => "key.index_create",
    KeyMasterRotate => "key.master_rotate",
    KeySubjectRewrap => "key.subject_rewrap",
    KeyTenantCreate => "key.tenant_create",
    KeyTenantRetire => "key.tenant_retire",
    MfaEnrol => "mfa.enrol",
    MfaEnrolmentStart => "mfa.enrolment_start",
    NumberAssign => "number.assign",
    NumberRelease => "number.release",
    QueueCreate => "queue.create",
    QueueUpdate => "queue.update",
    ReportExport => "report.export",
    RetentionPolicyUpdate => "retention.policy_update",
    RetentionRun => "retention.run",
    RiskAdd => "risk.add",
    RiskReview => "risk.review",
    RiskUpdate => "risk.update",
    SessionExpire => "session.expire",
    SessionLogin => "session.login",
    SessionLogout => "session.logout",
    SessionMfa => "session.mfa",
    SessionRotate => "session.rotate",
    SubjectErase => "subject.erase",
    SubjectExport => "subject.export",
    SupplierAdd => "supplier.add",
    SupplierReview => "supplier.review",
    SupplierUpdate => "supplier.update",
    TenantCreate => "tenant.create",
    TenantEnd => "tenant.end",
    TenantSettingsUpdate => "tenant.settings.update",
    TokenCreate => "token.create",
    TokenRevoke => "token.revoke",
    TrainingCompletion => "training.completion",
    TrainingCourseCreate => "training.course_create",
    TrustEvidence => "trust.evidence",
    TrustEvidenceExport => "trust.evidence_export",
    TrustRead => "trust.read",
    TrunkCreate => "trunk.create",
    TrunkDelete => "trunk.delete",
    TrunkUpdate => "trunk.update",
    UserChangeRole => "user.change_role",
    UserCreate => "user.create",
    UserDisable => "user.disable",
    UserEnable => "user.enable",
    UserList => "user.list",
    UserManualCalls => "user.manual_calls",
    UserPasswordChange => "user.password_change",
    UserPasswordReset => "user.password_reset",
    UserRead => "user.read",
    UserResetMfa => "user.reset_mfa",
    UserSuspendDormant => "user.suspend_dormant",
    WebhookCreate => "webhook.create",
    WebhookDelete => "webhook.delete",
}

impl AuditAction {
    /// The action a stored event records; `None` for a name this version
    /// does not write.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_is_dotted_lowercase_unique_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for &action in AuditAction::ALL {
            let name = action.name();
            assert!(seen.insert(name), "{name} twice");
            assert!(name.contains('.') && name.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'), "{name}");
            assert_eq!(AuditAction::from_name(name), Some(action));
        }
        assert_eq!(AuditAction::from_name("session.signin"), None);
    }
}
