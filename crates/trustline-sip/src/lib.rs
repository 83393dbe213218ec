//! The SIP edge towards carriers: the telephony port over SIP. Calls go
//! out through a trunk and come in from it; everything else that knocks
//! gets 403 and no dialog. Around it sit the rules every SIP call attempt
//! ends by (which SIP answer, Q.850 cause in a `Reason` header (RFC 3326)
//! or timer means busy, no answer, a rejected number or a carrier
//! failure) and the audio part of SDP, G.711 only.

mod attempt_end;
mod audio_sdp;
mod call_dialog;
mod call_mix;
mod call_progress;
mod call_table;
mod callback_offer;
mod connection_door;
mod desk_line;
mod desk_phone_line;
mod desk_registrar;
mod digest_header;
mod edge;
mod edge_settings;
mod error;
mod g711;
mod inbound_call;
mod locks;
mod media_counters;
mod media_port;
mod outbound_call;
mod phone_number;
mod reason;
mod rtp_packet;
mod signalling_targets;
mod signalling_tls;
mod sip_telephony;
mod source_standing;
mod srtp;
mod stranger_throttle;
mod tone;
mod trunk_directory;
mod trunk_registration;

pub use attempt_end::AttemptEnd;
pub use audio_sdp::{Direction, G711, RemoteAudio, SdesCrypto, SdpError, TELEPHONE_EVENT};
pub use desk_registrar::{DeskPhoneGate, PhoneAttempt, PhoneBinding, PhoneHolder};
pub use digest_header::{DigestCredentials, DigestHeaderError};
pub use edge_settings::{EdgeSettings, SoftphonePlace, Trunk, TrunkProxy};
pub use error::EdgeError;
pub use media_counters::MediaFigures;
pub use reason::{Reason, ReasonError, ReasonProtocol};
pub use rtp_packet::{KeyEvent, RtpError, RtpPacket};
pub use signalling_tls::SignallingTls;
pub use sip_telephony::SipTelephony;
pub use srtp::{MasterKey, SrtpError, SrtpReceiver, SrtpSender, SrtpSuite};
pub use trunk_directory::{TenantTrunk, TrunkLogin};
pub use trunk_registration::{RegistrationOutcome, RegistrationReport};
