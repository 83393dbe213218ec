//! The telephony port: what the dialer and the switchboard ask of a carrier,
//! whatever is behind it (the simulated carrier, or the SIP edge). A dialled
//! call reports its progress on a channel; an incoming call arrives on the
//! incoming channel with its own progress; either may be hung up from this
//! side at any time. Where a call's audio goes (an agent's desk, another
//! call, hold) is set by `bridge`, `unbridge` and `hold`.

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};
use trustline_domain::{TenantId, UserId};

/// A call to place for `tenant` (whose trunk carries it). `to` and
/// `caller_id` are E.164 numbers; `to` is personal data and must never be
/// logged.
#[derive(Clone, PartialEq, Eq)]
pub struct DialRequest {
    pub tenant: TenantId,
    pub to: String,
    pub caller_id: Option<String>,
}

impl std::fmt::Debug for DialRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DialRequest").field("tenant", &self.tenant).field("to", &"<redacted>").field("caller_id", &self.caller_id).finish()
    }
}

/// Whose trunk a call came in on: the installation's, which may ring any
/// tenant's numbers, or trunks of the tenants named, whose calls may ring
/// only their own numbers (a carrier shared by two tenants names both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrunkOwner {
    Installation,
    Tenants(Vec<TenantId>),
}

impl TrunkOwner {
    /// Whether a call on this trunk may ring a number of `tenant`'s.
    pub fn may_reach(&self, tenant: TenantId) -> bool {
        match self {
            TrunkOwner::Installation => true,
            TrunkOwner::Tenants(owners) => owners.contains(&tenant),
        }
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
    /// The carrier could not carry the call (it failed, refused us, or never answered).
    CarrierFailure,
}

impl CallFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            CallFailure::Busy => "busy",
            CallFailure::NoAnswer => "no_answer",
            CallFailure::Machine => "machine",
            CallFailure::Rejected => "rejected",
            CallFailure::CarrierFailure => "carrier_failure",
        }
    }
}

/// What happens to a dialled call, in order: `Ringing` and `EarlyMedia`
/// (either, both or none), then either `Failed`, or `Answered` and (unless
/// this side hangs up first) `RemoteHangUp`. `Dtmf` comes whenever the
/// other side presses a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallProgress {
    /// The called phone rings.
    Ringing,
    /// The network plays something before the answer (a ring tone, an announcement).
    EarlyMedia,
    /// A person answered.
    Answered,
    /// A key the other side pressed: `0`-`9`, `*`, `#`, `A`-`D`.
    Dtmf(char),
    /// The person hung up.
    RemoteHangUp,
    Failed(CallFailure),
}

/// How a call attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    Answered,
    Failed(CallFailure),
    /// The line went before anyone answered or the carrier said why.
    Gone,
}

/// A placed call: its id and its progress. The channel closes when the call
/// is over.
#[derive(Debug)]
pub struct CallLeg {
    pub id: LegId,
    pub progress: mpsc::Receiver<CallProgress>,
}

impl CallLeg {
    /// Waits for the event that settles the attempt, passing over how it
    /// is going (ringing, early media, keys).
    pub async fn settled(&mut self) -> Settlement {
        while let Some(event) = self.progress.recv().await {
            match event {
                CallProgress::Answered => return Settlement::Answered,
                CallProgress::Failed(failure) => return Settlement::Failed(failure),
                CallProgress::RemoteHangUp => return Settlement::Gone,
                CallProgress::Ringing | CallProgress::EarlyMedia | CallProgress::Dtmf(_) => {}
            }
        }
        Settlement::Gone
    }
}

/// Where a call's audio goes when it is bridged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// An agent's desk: the media session their browser (or desk phone)
    /// opened when they started work.
    Desk { tenant: TenantId, agent: UserId },
    /// Another call: two outside parties talk to each other (a transfer to
    /// an outside number).
    Leg(LegId),
}

/// How a supervisor joins an agent's call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MonitorMode {
    /// The supervisor hears the caller and the agent; nobody hears them.
    Listen,
    /// The agent hears the supervisor too; the caller does not.
    Whisper,
    /// Everyone hears everyone.
    Barge,
}

impl MonitorMode {
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMode::Listen => "listen",
            MonitorMode::Whisper => "whisper",
            MonitorMode::Barge => "barge",
        }
    }
}

/// Keys a caller can press, as RFC 4733 sends them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DtmfDigits(String);

impl DtmfDigits {
    /// At most 32 keys: `0`-`9`, `*`, `#`, `A`-`D`.
    pub fn parse(keys: &str) -> Result<Self, TelephonyError> {
        if keys.is_empty() || keys.len() > 32 {
            return Err(TelephonyError::BadDigits("between 1 and 32 keys"));
        }
        if !keys.chars().all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D')) {
            return Err(TelephonyError::BadDigits("only 0-9, *, # and A-D"));
        }
        Ok(Self(keys.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the switchboard says of a call coming in. The carrier answers the
/// call only when it is taken: a refused call is never answered, so never
/// billed to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Take,
    /// No queue answers the number (on the trunk the call came on).
    NoSuchNumber,
    /// The queue is closed now.
    Closed,
    /// Another node works the tenant's calls now: the carrier should try
    /// another of the installation's addresses.
    Elsewhere,
}

/// A call coming in from the network, answered by the switchboard.
pub struct IncomingCall {
    pub id: LegId,
    /// The caller's number in E.164, if presented. Personal data: never logged.
    pub from: Option<String>,
    /// The number dialled.
    pub to: String,
    pub trunk: TrunkOwner,
    /// Where the switchboard says whether it takes the call; a call left
    /// without an answer is refused.
    pub admission: oneshot::Sender<Admission>,
    /// `RemoteHangUp` when the caller hangs up; closes when the call is over.
    pub progress: mpsc::Receiver<CallProgress>,
}

impl std::fmt::Debug for IncomingCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncomingCall")
            .field("id", &self.id)
            .field("from", &"<redacted>")
            .field("to", &self.to)
            .field("trunk", &self.trunk)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TelephonyError {
    #[error("the carrier cannot be reached: {0}")]
    Unavailable(String),
    #[error("no such call")]
    UnknownCall,
    #[error("not valid keys: {0}")]
    BadDigits(&'static str),
    #[error("not a number the carrier can dial: {0}")]
    BadNumber(&'static str),
    #[error("no SIP trunk carries this tenant's calls")]
    NoTrunk,
    #[error("the agent's desk has no audio session open")]
    DeskOffline,
    #[error("the call is not joined to an agent's desk")]
    NotAtDesk,
    #[error("the call has no audio yet (it is not answered)")]
    NoAudioYet,
    #[error("this installation's carrier carries no audio to desks (its calls are simulated)")]
    NoSoftphone,
    #[error("not a usable softphone offer: {0}")]
    BadOffer(String),
    #[error("every softphone place is taken")]
    SoftphonesFull,
    #[error("no desk phone of the agent's is registered")]
    NoDeskPhone,
    #[error("the desk phone did not answer: {0}")]
    DeskPhoneUnanswered(&'static str),
}

/// Resolves when an answered desk phone's line ends from the phone (the
/// agent put it down, or it went away); dropped unresolved when this side
/// ends the line (work stopped).
pub type PhonePutDown = tokio::sync::oneshot::Receiver<()>;

#[async_trait]
pub trait Telephony: Send + Sync {
    async fn dial(&self, request: DialRequest) -> Result<CallLeg, TelephonyError>;
    /// Ends the call from this side; no further progress is reported.
    async fn hang_up(&self, leg: LegId) -> Result<(), TelephonyError>;
    /// Calls coming in. The receiver is handed out once, to whoever asks first.
    fn incoming(&self) -> Option<mpsc::Receiver<IncomingCall>>;
    /// Joins the call to `to`: the caller hears the party and the party the
    /// caller. Re-pointing a bridged call moves it (no renegotiation).
    async fn bridge(&self, leg: LegId, to: Party) -> Result<(), TelephonyError>;
    /// Takes the call out of its bridge: the caller hears hold music until
    /// bridged again or hung up.
    async fn unbridge(&self, leg: LegId) -> Result<(), TelephonyError>;
    /// Asks a waiting caller whether they want to be called back instead of
    /// holding; `true` if they accept (they then leave the line).
    async fn offer_callback(&self, leg: LegId) -> Result<bool, TelephonyError>;
    /// Puts the person in a conversation on hold (they hear hold music, the
    /// agent is off the line) or back (`false`).
    async fn hold(&self, leg: LegId, on: bool) -> Result<(), TelephonyError>;
    /// Hands the call to an outside number: dials it and, once it answers,
    /// bridges the two. The returned leg reports the new party's progress;
    /// the caller stays on `leg` until the new party answers.
    async fn transfer(&self, leg: LegId, to: DialRequest) -> Result<CallLeg, TelephonyError>;
    /// Plays keys to the other side of the call (RFC 4733 events).
    async fn send_dtmf(&self, leg: LegId, keys: &DtmfDigits) -> Result<(), TelephonyError>;
    /// Joins the supervisor at their desk to a call bridged to an agent's
    /// desk as `mode` says, or takes them off it (`None`). A call leaves
    /// its monitoring when it is bridged elsewhere, unbridged or over.
    async fn monitor(&self, leg: LegId, tenant: TenantId, supervisor: UserId, mode: Option<MonitorMode>) -> Result<(), TelephonyError>;
    /// Joins the `guest` (another call, or a colleague's desk) to the call
    /// bridged to an agent's desk, for a conference of three: the person,
    /// the agent and the guest each hear the other two; a supervisor on the
    /// call stays as they joined. The conference ends when the call is
    /// bridged elsewhere or unbridged.
    async fn conference(&self, leg: LegId, guest: Party) -> Result<(), TelephonyError>;
    /// The desks of `agent` and `colleague` hear each other (one consults
    /// the other while the person waits), until either desk is bridged to
    /// a call or [`Self::unlink_desk`].
    async fn link_desks(&self, tenant: TenantId, agent: UserId, colleague: UserId) -> Result<(), TelephonyError>;
    /// Takes `agent`'s desk off whatever it talks to: another desk (both
    /// ways), or a call it joined as a conference's guest.
    async fn unlink_desk(&self, tenant: TenantId, agent: UserId);
    /// Opens `agent`'s softphone from their browser's WebRTC offer (SDP);
    /// the answer goes back to the browser. It replaces a session the desk
    /// had, and a call bridged to the desk is heard on it at once.
    async fn open_softphone(&self, tenant: TenantId, agent: UserId, offer: &str) -> Result<String, TelephonyError>;
    /// Closes `agent`'s softphone, if one is open.
    async fn close_softphone(&self, tenant: TenantId, agent: UserId);
    /// Whether agents' softphones can open: calls carry audio to desks.
    fn serves_softphones(&self) -> bool;
    /// Rings `agent`'s registered desk phone and, once it answers, makes
    /// it their desk (in place of a softphone) until either side hangs up
    /// or [`Self::close_softphone`].
    async fn ring_desk_phone(&self, tenant: TenantId, agent: UserId) -> Result<PhonePutDown, TelephonyError>;
}
