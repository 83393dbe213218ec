//! Who asks for a service, as the audit log records them.

use trustline_audit::AuditDraft;
use trustline_domain::{AuditAction, TenantId, UnixTime};

#[derive(Clone, Debug)]
pub struct Requester {
    /// `None` before anyone has signed in.
    pub tenant: Option<TenantId>,
    /// `user:{id}`, `token:{id}` or `anonymous`.
    pub actor: String,
    /// The client's address.
    pub source: String,
}

impl Requester {
    /// An audit draft with time, tenant, actor and source filled in.
    pub fn audit(&self, now: UnixTime, action: AuditAction, target: impl Into<String>) -> AuditDraft {
        AuditDraft::new(now, self.tenant.map_or(0, |t| t.0), self.actor.clone(), action, target).source(self.source.clone())
    }
}
