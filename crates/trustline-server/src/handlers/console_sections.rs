//! The admin console's sections, each with the action its page needs: the
//! console's tabs and the header's link to it both come from here.

use crate::auth::Principal;
use trustline_domain::Action;

/// The sections, each with the action its page needs.
pub(crate) const SECTIONS: [(&str, &str, Action); 8] = [
    ("/admin/users", "Users", Action::UserCreate),
    ("/admin/imports", "Call lists", Action::ContactImport),
    ("/admin/campaigns", "Campaigns", Action::CampaignManage),
    ("/admin/queues", "Queues and skills", Action::QueueManage),
    ("/admin/retention", "Retention", Action::RetentionManage),
    ("/admin/tokens", "API tokens", Action::TokenManage),
    ("/admin/webhooks", "Webhooks", Action::WebhookManage),
    ("/admin/trunks", "SIP trunks", Action::TrunkManage),
];

/// The first section `principal` may open, where the console's link leads.
pub(crate) fn first_section(principal: &Principal) -> Option<&'static str> {
    SECTIONS.iter().find(|(_, _, action)| principal.may(*action)).map(|(href, _, _)| *href)
}
