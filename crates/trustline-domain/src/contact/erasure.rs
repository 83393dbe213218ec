/// Why a person's data was erased (GDPR art. 17 grounds). The erasure ledger
/// keeps this code, never free text, so it holds no personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasureReason {
    /// The person asked.
    Request,
    ConsentWithdrawn,
    Objection,
    Unlawful,
    LegalObligation,
    /// A retention policy's period ran out.
    Retention,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown erasure reason {0:?}; expected request, consent_withdrawn, objection, unlawful or legal_obligation")]
pub struct UnknownErasureReason(pub String);

impl ErasureReason {
    /// The reasons a person can give; `Retention` is the retention job's own.
    pub const REQUESTABLE: [ErasureReason; 5] = [
        ErasureReason::Request,
        ErasureReason::ConsentWithdrawn,
        ErasureReason::Objection,
        ErasureReason::Unlawful,
        ErasureReason::LegalObligation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErasureReason::Request => "request",
            ErasureReason::ConsentWithdrawn => "consent_withdrawn",
            ErasureReason::Objection => "objection",
            ErasureReason::Unlawful => "unlawful",
            ErasureReason::LegalObligation => "legal_obligation",
            ErasureReason::Retention => "retention",
        }
    }

    /// A reason given in a request (not `retention`).
    pub fn parse_requested(value: &str) -> Result<Self, UnknownErasureReason> {
        Self::REQUESTABLE.into_iter().find(|r| r.as_str() == value).ok_or_else(|| UnknownErasureReason(value.to_owned()))
    }
}
