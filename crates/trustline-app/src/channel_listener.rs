//! Listening to a channel other nodes announce on (the live feed's, the
//! nodes' own): connected again after any failure, with a flag saying
//! whether it is connected now, so that senders know whether what they
//! announce comes back.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use trustline_store::{LiveListener, StoreResult};

/// Hands each payload heard to `heard`, connecting with `connect` again
/// `retry` after a failure, until `connect` says the engine has no such
/// channel (one node). `what` names the listener in the log.
pub(crate) async fn keep_listening<C, F>(connect: C, hearing: &AtomicBool, what: &str, retry: Duration, mut heard: impl FnMut(String))
where
    C: Fn() -> F,
    F: Future<Output = StoreResult<Option<Box<dyn LiveListener>>>>,
{
    loop {
        let mut listener = match connect().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "{what} cannot listen for other nodes; retrying");
                tokio::time::sleep(retry).await;
                continue;
            }
        };
        hearing.store(true, Ordering::SeqCst);
        loop {
            match listener.next().await {
                Ok(payload) => heard(payload),
                Err(error) => {
                    tracing::warn!(%error, "{what} lost its listener; reconnecting");
                    break;
                }
            }
        }
        hearing.store(false, Ordering::SeqCst);
    }
}
