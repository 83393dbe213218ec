//! Group commit for audit events that are not part of a data change (reads of
//! personal data, refusals, failed sign-ins). Concurrent requests hand their
//! events to one writer task, which commits whatever has queued up in a single
//! durable transaction and then answers every waiter. A request continues only
//! once its event is committed, so a failed write still fails the request.

use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use trustline_audit::AuditDraft;
use trustline_store::{Store, StoreError};

/// Upper bound on events per transaction, to bound latency under load.
const MAX_BATCH: usize = 2048;

type Reply = oneshot::Sender<Result<(), String>>;

#[derive(Clone)]
pub struct AuditAppender {
    queue: mpsc::Sender<(AuditDraft, Reply)>,
}

impl AuditAppender {
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (queue, receiver) = mpsc::channel(MAX_BATCH * 4);
        tokio::spawn(write_batches(store, receiver));
        Self { queue }
    }

    /// Returns once the event is durably committed.
    pub async fn append(&self, draft: AuditDraft) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::AuditWrite("the audit writer has stopped".into());
        self.queue.send((draft, reply)).await.map_err(|_| closed())?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StoreError::AuditWrite(message.into())),
            Err(_) => Err(closed()),
        }
    }
}

async fn write_batches(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<(AuditDraft, Reply)>) {
    let mut drafts = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    while let Some((draft, reply)) = receiver.recv().await {
        drafts.push(draft);
        replies.push(reply);
        while drafts.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok((draft, reply)) => {
                    drafts.push(draft);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        let result = store.append_audit(std::mem::take(&mut drafts)).await.map_err(|e| {
            tracing::error!(error = %e, "audit batch failed");
            e.to_string()
        });
        for reply in replies.drain(..) {
            let _ = reply.send(result.clone());
        }
    }
}
