//! How a call ended, in one vocabulary for the engine that sets it, the
//! store that keeps it (as the stable names below), the reports that count
//! it and the API that shows it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallResult {
    /// A person talked with an agent.
    Person,
    /// The person answered (or waited in a queue) and hung up before an agent took the call.
    Abandoned,
    Busy,
    NoAnswer,
    /// Answered by a machine, detected and dropped.
    Machine,
    /// The carrier refused the call.
    Rejected,
    /// A previewed contact the agent passed over without dialling.
    Skipped,
    /// The carrier or the network could not place it or carry it on.
    Failed,
    /// The node holding its audio stopped or was cut off while it was open:
    /// the line went with it (the node taking its tenant over ended it).
    Lost,
    /// The agent gave up on it before anyone answered.
    Cancelled,
    /// An incoming call outside its queue's opening hours.
    Closed,
    /// The agent handed the person on (to a queue, another agent or an
    /// outside number), who went on talking on a call of their own.
    Transferred,
}

/// A result name that is not one of [`CallResult`]'s.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown call result {0:?}")]
pub struct UnknownCallResult(pub String);

impl CallResult {
    pub const ALL: [CallResult; 12] = [
        CallResult::Person,
        CallResult::Abandoned,
        CallResult::Busy,
        CallResult::NoAnswer,
        CallResult::Machine,
        CallResult::Rejected,
        CallResult::Skipped,
        CallResult::Failed,
        CallResult::Lost,
        CallResult::Cancelled,
        CallResult::Closed,
        CallResult::Transferred,
    ];

    /// The stable name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Person => "person",
            CallResult::Abandoned => "abandoned",
            CallResult::Busy => "busy",
            CallResult::NoAnswer => "no_answer",
            CallResult::Machine => "machine",
            CallResult::Rejected => "rejected",
            CallResult::Skipped => "skipped",
            CallResult::Failed => "failed",
            CallResult::Lost => "lost",
            CallResult::Cancelled => "cancelled",
            CallResult::Closed => "closed",
            CallResult::Transferred => "transferred",
        }
    }

    pub fn parse(name: &str) -> Result<Self, UnknownCallResult> {
        Self::ALL.into_iter().find(|r| r.as_str() == name).ok_or_else(|| UnknownCallResult(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_result_reads_back_from_its_name_and_serializes_as_it() {
        for result in CallResult::ALL {
            assert_eq!(CallResult::parse(result.as_str()), Ok(result));
            assert_eq!(serde_json::to_value(result).unwrap(), serde_json::Value::String(result.as_str().to_owned()));
        }
        assert_eq!(CallResult::parse("sold"), Err(UnknownCallResult("sold".into())));
    }
}
