//! Agents' softphones: the WebRTC audio session each desk's browser opens
//! when its agent starts work. Every desk shares one UDP port: this side is
//! ICE-lite (it only answers connectivity checks), media is DTLS-SRTP, and
//! audio is G.711 both ways so a call's audio is relayed, never transcoded
//! (RFC 7874 makes G.711 mandatory for browsers).
//!
//! The session knows nothing of calls: it plays what it is given to the
//! agent and hands the agent's voice to whoever listens. `BrowserPeer`
//! stands in for a browser, for tests and the desks benchmark.

mod browser_peer;
mod demux;
mod desk_peer;
mod error;
mod ice_name;
mod law;
mod session;
mod shard;
mod softphones;

pub use browser_peer::{BrowserPeer, Hearing};
pub use desk_peer::{DeskPeer, MAX_OFFER_BYTES};
pub use error::SoftphoneError;
pub use ice_name::addressed_ufrag;
pub use law::Law;
pub use session::{AgentVoice, DeskSession};
pub use softphones::{SoftphoneSettings, Softphones};
