//! The progress reports a call sends whoever follows it (the dialer, the
//! switchboard): a small buffer, and keys that never hold it up.

use tokio::sync::mpsc;
use trustline_telephony::CallProgress;

/// Events buffered between a call and its follower.
const BUFFER: usize = 16;

pub(crate) fn channel() -> (mpsc::Sender<CallProgress>, mpsc::Receiver<CallProgress>) {
    mpsc::channel(BUFFER)
}

/// Reports a key the other side pressed. A follower that does not read
/// keys must not hold the call up, and the last place is kept for the
/// report that ends the call, so a key is dropped rather than waited for.
pub(crate) fn report_key(progress: &mpsc::Sender<CallProgress>, key: char) {
    if progress.capacity() > 1 {
        let _ = progress.try_send(CallProgress::Dtmf(key));
    }
}
