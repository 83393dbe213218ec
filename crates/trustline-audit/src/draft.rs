use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trustline_domain::AuditAction;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    /// Refused by authorization, throttling or validation.
    Denied,
    /// Attempted and failed (e.g. wrong password).
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

/// An event as the caller describes it; the store gives it a place in the chain.
///
/// `details` must never hold a sensitive value in clear: callers pass keyed
/// MACs of such values (see `trustline_crypto::ValueMac`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDraft {
    pub at: i64,
    pub tenant_id: i64,
    /// `user:<id>`, `token:<id>`, `cli`, `system` or `anonymous`.
    pub actor: String,
    /// A dotted name such as `user.create` or `session.login`.
    pub action: String,
    /// What was acted on, e.g. `user:42`.
    pub target: String,
    pub outcome: Outcome,
    /// The client address, or `local` for the command line.
    pub source: String,
    pub details: BTreeMap<String, String>,
}

impl AuditDraft {
    pub fn new(at: i64, tenant_id: i64, actor: impl Into<String>, action: AuditAction, target: impl Into<String>) -> Self {
        Self {
            at,
            tenant_id,
            actor: actor.into(),
            action: action.name().to_owned(),
            target: target.into(),
            outcome: Outcome::Success,
            source: "local".into(),
            details: BTreeMap::new(),
        }
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    pub fn detail(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.details.insert(key.into(), value.into());
        self
    }

    /// The body this draft becomes at position `seq` of its tenant's chain.
    pub fn into_body(self, seq: i64) -> crate::EventBody {
        crate::EventBody {
            details: self.details_json(),
            tenant_id: self.tenant_id,
            seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            target: self.target,
            outcome: self.outcome.as_str().to_owned(),
            source: self.source,
        }
    }

    /// Details as canonical JSON (keys sorted), the form that is hashed and stored.
    pub fn details_json(&self) -> String {
        serde_json::to_string(&self.details).unwrap_or_else(|_| "{}".into())
    }
}

/// The distinct tenants of a batch of drafts, ascending: the order in which a
/// store locks their chain heads, so concurrent batches cannot deadlock.
pub fn tenants_of(drafts: &[AuditDraft]) -> Vec<i64> {
    let mut tenants: Vec<i64> = drafts.iter().map(|d| d.tenant_id).collect();
    tenants.sort_unstable();
    tenants.dedup();
    tenants
}
