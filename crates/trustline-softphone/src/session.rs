//! One desk's session as its owner holds it: audio to play to the agent,
//! the agent's voice to whoever listens, and the moment it ends.

use crate::law::Law;
use crate::shard::{Control, Play};
use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// Where the agent's voice goes, packet by packet, as it arrives.
pub trait AgentVoice: Send + Sync {
    /// One packet's payload of the agent's voice (8 kHz G.711).
    fn spoke(&self, law: Law, payload: &[u8]);
}

/// An open softphone session. Dropping it hangs the session up.
pub struct DeskSession {
    pub(crate) id: u64,
    pub(crate) laws: Vec<Law>,
    pub(crate) audio: mpsc::Sender<Play>,
    pub(crate) control: mpsc::UnboundedSender<Control>,
    pub(crate) ended: CancellationToken,
}

impl DeskSession {
    /// Plays one packet's payload of audio to the agent. Audio is dropped,
    /// never queued behind a slow session: late audio is worse than a gap.
    pub fn play(&self, law: Law, payload: &[u8]) {
        // A full queue or a stopped service loses this packet only.
        let _ = self.audio.try_send(Play { id: self.id, law, payload: payload.into() });
    }

    /// Whether the browser agreed to receive `law`.
    pub fn takes(&self, law: Law) -> bool {
        self.laws.contains(&law)
    }

    /// Resolves when the session is over: the browser hung up or went
    /// silent past ICE's timeout, or the service stopped.
    pub fn ended(&self) -> WaitForCancellationFutureOwned {
        self.ended.clone().cancelled_owned()
    }

    pub fn is_ended(&self) -> bool {
        self.ended.is_cancelled()
    }
}

impl Drop for DeskSession {
    fn drop(&mut self) {
        // A stopped service has closed every session already.
        let _ = self.control.send(Control::Close { id: self.id });
    }
}
