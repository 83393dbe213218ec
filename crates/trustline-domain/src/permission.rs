//! The one permission matrix: which role may perform which action.
//!
//! The HTTP edge names an [`Action`] for every protected route and asks
//! [`permits`]; nothing else decides access. Tests walk this table to build the
//! role-by-route matrix, so a change here changes what is tested.

use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// See one's own account, sign out, change one's own password.
    AccountView,
    UserRead,
    UserCreate,
    UserDisable,
    UserResetMfa,
    UserChangeRole,
    TokenManage,
    AuditRead,
    TenantSettingsRead,
    TenantSettingsUpdate,
    /// See contacts, masked unless the caller is working that contact.
    ContactRead,
    /// Create and correct contacts, record consent, add notes.
    ContactWrite,
    /// See a contact unmasked outside one's own work, with a reason (audited).
    ContactReveal,
    /// Hand a contact to an agent to work (they then see it unmasked).
    ContactAssign,
    /// Import call lists and manage the do-not-contact list.
    ContactImport,
    /// Define the tenant's custom contact fields.
    CustomFieldsManage,
    /// Act on data-subject requests: export, erase, restrict, object.
    SubjectRights,
    /// Set retention policies.
    RetentionManage,
    /// Work as an agent: log in and out of work, take breaks.
    AgentWork,
    /// See agents' states and their history.
    AgentMonitor,
    /// Call numbers no campaign chose (a manual call) and hand calls to
    /// outside numbers: both are billed to the tenant's trunk, and an
    /// outside transfer takes the person out of its records, so not every
    /// agent may.
    CallExternal,
    /// See campaigns and call lists.
    CampaignRead,
    /// Create, change, start, pause and finish campaigns.
    CampaignManage,
    /// See inbound queues and agents' skills.
    QueueRead,
    /// Create and change inbound queues; set agents' skills.
    QueueManage,
    /// Subscribe CRMs to events (webhooks) and see their deliveries.
    WebhookManage,
    TrunkManage,
    /// See the security controls and their live evidence (the trust center).
    TrustRead,
    /// Define security courses and record who completed them.
    TrainingManage,
    /// See security incidents and their timelines.
    IncidentRead,
    /// Report, assign, work and close security incidents.
    IncidentManage,
    /// Attach evidence to the controls no automated check decides.
    TrustManage,
}

use Role::{Admin, Agent, Auditor, Owner, Supervisor};

/// Role x action. A role not listed for an action is refused.
const MATRIX: &[(Action, &[Role])] = &[
    (Action::AccountView, &[Owner, Admin, Supervisor, Agent, Auditor]),
    // Supervisors see their team; auditors review who has access.
    (Action::UserRead, &[Owner, Admin, Supervisor, Auditor]),
    (Action::UserCreate, &[Owner, Admin]),
    (Action::UserDisable, &[Owner, Admin]),
    (Action::UserResetMfa, &[Owner, Admin]),
    (Action::UserChangeRole, &[Owner, Admin]),
    (Action::TokenManage, &[Owner, Admin]),
    (Action::AuditRead, &[Owner, Admin, Auditor]),
    (Action::TenantSettingsRead, &[Owner, Admin, Auditor]),
    (Action::TenantSettingsUpdate, &[Owner]),
    // Auditors review access to personal data, not the data itself.
    (Action::ContactRead, &[Owner, Admin, Supervisor, Agent]),
    (Action::ContactWrite, &[Owner, Admin, Supervisor, Agent]),
    (Action::ContactReveal, &[Owner, Admin, Supervisor, Agent]),
    (Action::ContactAssign, &[Owner, Admin, Supervisor]),
    (Action::ContactImport, &[Owner, Admin, Supervisor]),
    (Action::CustomFieldsManage, &[Owner, Admin]),
    (Action::SubjectRights, &[Owner, Admin]),
    (Action::RetentionManage, &[Owner, Admin]),
    // Supervisors and administrators may take calls too (blended teams).
    (Action::AgentWork, &[Owner, Admin, Supervisor, Agent]),
    (Action::AgentMonitor, &[Owner, Admin, Supervisor]),
    (Action::CallExternal, &[Owner, Admin, Supervisor]),
    (Action::CampaignRead, &[Owner, Admin, Supervisor, Agent]),
    (Action::CampaignManage, &[Owner, Admin, Supervisor]),
    (Action::QueueRead, &[Owner, Admin, Supervisor, Agent]),
    (Action::QueueManage, &[Owner, Admin, Supervisor]),
    (Action::WebhookManage, &[Owner, Admin]),
    (Action::TrunkManage, &[Owner, Admin]),
    // Auditors review the controls; they see facts about accounts, never personal data.
    (Action::TrustRead, &[Owner, Admin, Auditor]),
    (Action::TrainingManage, &[Owner, Admin]),
    (Action::IncidentRead, &[Owner, Admin, Auditor]),
    (Action::IncidentManage, &[Owner, Admin]),
    (Action::TrustManage, &[Owner, Admin]),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope {0:?}")]
pub struct UnknownAction(pub String);

impl Action {
    pub const ALL: [Action; 32] = [
        Action::AccountView,
        Action::UserRead,
        Action::UserCreate,
        Action::UserDisable,
        Action::UserResetMfa,
        Action::UserChangeRole,
        Action::TokenManage,
        Action::AuditRead,
        Action::TenantSettingsRead,
        Action::TenantSettingsUpdate,
        Action::ContactRead,
        Action::ContactWrite,
        Action::ContactReveal,
        Action::ContactAssign,
        Action::ContactImport,
        Action::CustomFieldsManage,
        Action::SubjectRights,
        Action::RetentionManage,
        Action::AgentWork,
        Action::AgentMonitor,
        Action::CallExternal,
        Action::CampaignRead,
        Action::CampaignManage,
        Action::QueueRead,
        Action::QueueManage,
        Action::WebhookManage,
        Action::TrunkManage,
        Action::TrustRead,
        Action::TrainingManage,
        Action::IncidentRead,
        Action::IncidentManage,
        Action::TrustManage,
    ];

    /// Every action's name, for the API document.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|a| a.as_str()).collect()
    }

    /// The stable name used for API token scopes and audit events.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AccountView => "account.view",
            Action::UserRead => "user.read",
            Action::UserCreate => "user.create",
            Action::UserDisable => "user.disable",
            Action::UserResetMfa => "user.reset_mfa",
            Action::UserChangeRole => "user.change_role",
            Action::TokenManage => "token.manage",
            Action::AuditRead => "audit.read",
            Action::TenantSettingsRead => "tenant.settings.read",
            Action::TenantSettingsUpdate => "tenant.settings.update",
            Action::ContactRead => "contact.read",
            Action::ContactWrite => "contact.write",
            Action::ContactReveal => "contact.reveal",
            Action::ContactAssign => "contact.assign",
            Action::ContactImport => "contact.import",
            Action::CustomFieldsManage => "custom_fields.manage",
            Action::SubjectRights => "subject.rights",
            Action::RetentionManage => "retention.manage",
            Action::AgentWork => "agent.work",
            Action::AgentMonitor => "agent.monitor",
            Action::CallExternal => "call.external",
            Action::CampaignRead => "campaign.read",
            Action::CampaignManage => "campaign.manage",
            Action::QueueRead => "queue.read",
            Action::QueueManage => "queue.manage",
            Action::WebhookManage => "webhook.manage",
            Action::TrunkManage => "trunk.manage",
            Action::TrustRead => "trust.read",
            Action::TrainingManage => "training.manage",
            Action::IncidentRead => "incident.read",
            Action::IncidentManage => "incident.manage",
            Action::TrustManage => "trust.manage",
        }
    }

    /// Actions that reveal or export personal data: refused to anyone
    /// whose required security training is not current.
    pub fn needs_current_training(self) -> bool {
        matches!(self, Action::ContactReveal | Action::SubjectRights)
    }

    pub fn parse(value: &str) -> Result<Self, UnknownAction> {
        Action::ALL.into_iter().find(|a| a.as_str() == value).ok_or_else(|| UnknownAction(value.to_owned()))
    }
}

/// Whether `role` may perform `action`.
pub fn permits(role: Role, action: Action) -> bool {
    MATRIX.iter().find(|(a, _)| *a == action).is_some_and(|(_, roles)| roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_the_matrix_once() {
        for action in Action::ALL {
            assert_eq!(MATRIX.iter().filter(|(a, _)| *a == action).count(), 1, "{action:?}");
            assert_eq!(Action::parse(action.as_str()), Ok(action));
        }
        assert_eq!(MATRIX.len(), Action::ALL.len());
    }

    #[test]
    fn auditors_are_read_only() {
        for action in Action::ALL {
            let writes = !matches!(
                action,
                Action::AccountView
                    | Action::UserRead
                    | Action::AuditRead
                    | Action::TenantSettingsRead
                    | Action::TrustRead
                    | Action::IncidentRead
            );
            if writes {
                assert!(!permits(Role::Auditor, action), "{action:?}");
            }
        }
    }

    #[test]
    fn agents_work_contacts_and_nothing_else() {
        let agent_actions = [
            Action::AccountView,
            Action::ContactRead,
            Action::ContactWrite,
            Action::ContactReveal,
            Action::AgentWork,
            Action::CampaignRead,
            Action::QueueRead,
        ];
        for action in Action::ALL {
            assert_eq!(permits(Role::Agent, action), agent_actions.contains(&action), "{action:?}");
        }
    }

    #[test]
    fn auditors_never_see_personal_data() {
        for action in [Action::ContactRead, Action::ContactReveal, Action::SubjectRights] {
            assert!(!permits(Role::Auditor, action), "{action:?}");
        }
    }

    #[test]
    fn owners_may_do_everything() {
        assert!(Action::ALL.into_iter().all(|a| permits(Role::Owner, a)));
    }
}
