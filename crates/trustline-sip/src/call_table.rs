//! The calls the edge is carrying, by the port's leg id: each call's SIP
//! dialog, its audio, and the switches that stop its progress reports once
//! this side hangs up and its audio once it is over.

use crate::media_port::MediaPort;
use rsipstack::dialog::invite_dialog::InviteDialog;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_util::sync::CancellationToken;
use trustline_telephony::{LegId, TelephonyError};

#[derive(Clone)]
pub(crate) struct Call {
    pub dialog: InviteDialog,
    pub media: Arc<MediaPort>,
    /// Cancelled when this side hangs up: the call's follower stops
    /// reporting.
    pub ended_here: CancellationToken,
    /// Cancelled when the call is over, whoever ended it: its audio stops.
    pub over: CancellationToken,
}

impl Call {
    pub fn new(dialog: InviteDialog, media: Arc<MediaPort>, over: CancellationToken) -> Self {
        Self { dialog, media, ended_here: CancellationToken::new(), over }
    }
}

#[derive(Default)]
pub(crate) struct CallTable {
    calls: Mutex<HashMap<LegId, Call>>,
    next: AtomicU64,
}

impl CallTable {
    pub fn next_id(&self) -> LegId {
        LegId(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }

    pub fn insert(&self, id: LegId, call: Call) {
        self.lock().insert(id, call);
    }

    pub fn get(&self, id: LegId) -> Result<Call, TelephonyError> {
        self.lock().get(&id).cloned().ok_or(TelephonyError::UnknownCall)
    }

    pub fn remove(&self, id: LegId) -> Option<Call> {
        self.lock().remove(&id)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<LegId, Call>> {
        // A panic elsewhere cannot leave the map half-changed: every change is one call.
        crate::locks::lock(&self.calls)
    }
}
