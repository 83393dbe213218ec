//! The telephony port: what the dialer and the switchboard ask of a carrier,
//! whatever is behind it (the simulated carrier here, SIP later). A dialled
//! call reports its progress on a channel; an incoming call arrives on the
//! incoming channel with its own progress; either may be hung up from this
//! side at any time.

use async_trait::async_trait;
use tokio::sync::mpsc;

/// A call to place. `to` and `caller_id` are E.164 numbers; `to` is
/// personal data and must never be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct DialRequest {
    pub to: String,
    pub caller_id: Option<String>,
}

impl std::fmt::Debug for DialRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DialRequest").field("to", &"<redacted>").field("caller_id", &self.caller_id).finish()
    }
}

/// The carrier's name for a call in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LegId(pub u64);

/// Why a dialled call reached nobody.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallFailure {
    Busy,
    NoAnswer,
    /// Answered by a machine (voicemail), detected and dropped.
    Machine,
    /// The carrier refused the call (bad number, no route).
    Rejected,
}

impl CallFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            CallFailure::Busy => "busy",
            CallFailure::NoAnswer => "no_answer",
            CallFailure::Machine => "machine",
            CallFailure::Rejected => "rejected",
        }
    }
}

/// What happens to a dialled call, in order: either `Failed`, or `Answered`
/// then (unless this side hangs up first) `RemoteHangUp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallProgress {
    /// A person answered.
    Answered,
    /// The person hung up.
    RemoteHangUp,
    Failed(CallFailure),
}

/// A placed call: its id and its progress. The channel closes when the call
/// is over.
#[derive(Debug)]
pub struct CallLeg {
    pub id: LegId,
    pub progress: mpsc::Receiver<CallProgress>,
}

/// A call coming in from the network, answered by the switchboard.
pub struct IncomingCall {
    pub id: LegId,
    /// The caller's number in E.164, if presented. Personal data: never logged.
    pub from: Option<String>,
    /// The number dialled.
    pub to: String,
    /// `RemoteHangUp` when the caller hangs up; closes when the call is over.
    pub progress: mpsc::Receiver<CallProgress>,
}

impl std::fmt::Debug for IncomingCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncomingCall").field("id", &self.id).field("from", &"<redacted>").field("to", &self.to).finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TelephonyError {
    #[error("the carrier cannot be reached: {0}")]
    Unavailable(String),
    #[error("no such call")]
    UnknownCall,
}

#[async_trait]
pub trait Telephony: Send + Sync {
    async fn dial(&self, request: DialRequest) -> Result<CallLeg, TelephonyError>;
    /// Ends the call from this side; no further progress is reported.
    async fn hang_up(&self, leg: LegId) -> Result<(), TelephonyError>;
    /// Calls coming in. The receiver is handed out once, to whoever asks first.
    fn incoming(&self) -> Option<mpsc::Receiver<IncomingCall>>;
    /// Joins an incoming caller to the agent who took the call.
    async fn bridge(&self, leg: LegId) -> Result<(), TelephonyError>;
    /// Asks a waiting caller whether they want to be called back instead of
    /// holding; `true` if they accept (they then leave the line).
    async fn offer_callback(&self, leg: LegId) -> Result<bool, TelephonyError>;
    /// Puts the person in a conversation on hold (they hear hold music, the
    /// agent is off the line) or back (`false`).
    async fn hold(&self, leg: LegId, on: bool) -> Result<(), TelephonyError>;
}
