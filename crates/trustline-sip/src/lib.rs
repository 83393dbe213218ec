//! The SIP edge towards carriers. This part holds the rules every SIP call
//! attempt ends by: which SIP answer, Q.850 cause (carried in a `Reason`
//! header, RFC 3326) or timer means busy, no answer, a rejected number or a
//! carrier failure; and the audio part of SDP, G.711 only. The dialogs,
//! trunks and media sit on top of these rules.

mod attempt_end;
mod audio_sdp;
mod reason;

pub use attempt_end::AttemptEnd;
pub use audio_sdp::{Direction, G711, RemoteAudio, SdpError, TELEPHONE_EVENT, audio_offer};
pub use reason::{Reason, ReasonError, ReasonProtocol};
