use serde::{Deserialize, Serialize};

/// How a campaign decides when to dial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DialingMode {
    /// The agent sees the contact first and starts the call.
    Preview,
    /// One call per free agent, placed as soon as the agent is free.
    Progressive,
    /// Calls placed ahead of free agents from live estimates, within the
    /// abandonment cap.
    Predictive,
}

#[derive(Debug, thiserror::Error)]
#[error("unknown dialing mode {0:?} (preview, progressive or predictive)")]
pub struct UnknownDialingMode(pub String);

impl DialingMode {
    pub const ALL: [DialingMode; 3] = [DialingMode::Preview, DialingMode::Progressive, DialingMode::Predictive];

    pub fn as_str(self) -> &'static str {
        match self {
            DialingMode::Preview => "preview",
            DialingMode::Progressive => "progressive",
            DialingMode::Predictive => "predictive",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownDialingMode> {
        Self::ALL.into_iter().find(|m| m.as_str() == text).ok_or_else(|| UnknownDialingMode(text.to_owned()))
    }
}
