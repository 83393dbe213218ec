use serde::{Deserialize, Serialize};

/// Whether the person agreed to be contacted (e.g. for marketing calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Consent {
    Unknown,
    Granted,
    Withdrawn,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown consent {0:?}; expected unknown, granted or withdrawn")]
pub struct UnknownConsent(pub String);

impl Consent {
    pub fn as_str(self) -> &'static str {
        match self {
            Consent::Unknown => "unknown",
            Consent::Granted => "granted",
            Consent::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Result<Self, UnknownConsent> {
        [Consent::Unknown, Consent::Granted, Consent::Withdrawn]
            .into_iter()
            .find(|c| c.as_str() == value)
            .ok_or_else(|| UnknownConsent(value.to_owned()))
    }
}

/// Where a consent decision came from, e.g. `call`, `web form`, `letter`.
pub type ConsentSource = crate::OneLine<100>;

/// On or off, for a flag such as do-not-contact or restriction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    pub fn is_on(self) -> bool {
        self == Switch::On
    }
}

/// A change to a contact's consent state as asked for: each kind carries
/// exactly what it needs.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConsentUpdate {
    Consent {
        value: Consent,
        source: ConsentSource,
    },
    DoNotContact {
        value: Switch,
        source: ConsentSource,
    },
    /// GDPR art. 18.
    Restriction {
        value: Switch,
        source: ConsentSource,
    },
    /// GDPR art. 21: the contact becomes do-not-contact.
    Objection {
        source: ConsentSource,
    },
}

impl ConsentUpdate {
    pub fn kind(&self) -> ConsentKind {
        match self {
            ConsentUpdate::Consent { .. } => ConsentKind::Consent,
            ConsentUpdate::DoNotContact { .. } => ConsentKind::DoNotContact,
            ConsentUpdate::Restriction { .. } => ConsentKind::Restriction,
            ConsentUpdate::Objection { .. } => ConsentKind::Objection,
        }
    }

    pub fn source(&self) -> &str {
        match self {
            ConsentUpdate::Consent { source, .. }
            | ConsentUpdate::DoNotContact { source, .. }
            | ConsentUpdate::Restriction { source, .. }
            | ConsentUpdate::Objection { source } => source.as_str(),
        }
    }
}

/// What a consent-history entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    Consent,
    DoNotContact,
    /// GDPR art. 18: keep the data but stop processing it.
    Restriction,
    /// GDPR art. 21: the person objects; they become do-not-contact.
    Objection,
}

impl ConsentKind {
    /// What the audit log records when a contact's state of this kind changes.
    pub fn audit_action(self) -> crate::AuditAction {
        match self {
            ConsentKind::Consent => crate::AuditAction::ContactConsent,
            ConsentKind::DoNotContact => crate::AuditAction::ContactDoNotContact,
            ConsentKind::Restriction => crate::AuditAction::ContactRestriction,
            ConsentKind::Objection => crate::AuditAction::ContactObjection,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Consent => "consent",
            ConsentKind::DoNotContact => "do_not_contact",
            ConsentKind::Restriction => "restriction",
            ConsentKind::Objection => "objection",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [ConsentKind::Consent, ConsentKind::DoNotContact, ConsentKind::Restriction, ConsentKind::Objection]
            .into_iter()
            .find(|k| k.as_str() == value)
    }
}
