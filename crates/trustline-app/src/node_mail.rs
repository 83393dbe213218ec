//! This server node among the others sharing the database: it beats in the
//! nodes table, and hands commands to the node that must carry them out (a
//! call's controls go to the node holding its audio) and carries out
//! those handed to it.
//!
//! A command is a row, sealed under a key derived from the master key (a
//! database writer without it can neither read one nor forge one), and a
//! signal on the nodes' channel. The receiving node takes it once; a command
//! nobody took within [`TAKE_WITHIN`] is withdrawn, so it is certain it was
//! never carried out and the asking node may act without it. A command
//! taken but not answered within [`ANSWER_WITHIN`] may or may not have
//! been carried out, and is reported so.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use trustline_crypto::{hex, random_bytes};
use trustline_domain::{Clock, TenantId, UnixTime};
use trustline_store::{NodeBeat, NodeId, NodeSignal, Store, StoreError, tenant_calls_lease};

/// How often a node beats.
const BEAT_EVERY: Duration = Duration::from_secs(2);
/// A receiving node takes a command within this, or it is withdrawn.
pub const TAKE_WITHIN: Duration = Duration::from_secs(2);
/// A taken command is answered within this, or reported unanswered.
/// (A desk phone rings for up to 30 seconds before its step answers.)
pub const ANSWER_WITHIN: Duration = Duration::from_secs(45);
/// Between looks for a reply whose signal went astray.
const LOOK_EVERY: Duration = Duration::from_millis(250);
/// A command older than this (by the receiver's clock) is refused, and one
/// seen within it is refused again: a sealed command copied into another
/// row is never played twice.
const FRESH_SECONDS: i64 = 30;
/// How long a command's row is kept: older ones were given up by their
/// sender, and the server's housekeeping forgets them. Nodes that beat
/// within it are considered when looking for the node holding calls.
pub const NODE_COMMANDS_KEPT_SECONDS: i64 = 3_600;

/// Carries out what other nodes hand this one: the body as sent, and what
/// goes back.
#[async_trait]
pub trait CommandTaker: Send + Sync {
    async fn carry_out(&self, body: Vec<u8>) -> Vec<u8>;
}

/// Why a command did not come back answered.
#[derive(Debug, thiserror::Error)]
pub enum HandOverError {
    #[error("node {0} did not take the command in time; it was withdrawn and nothing was done")]
    NotTaken(NodeId),
    #[error("node {0} took the command but did not answer in time; it may have been carried out")]
    Unanswered(NodeId),
    #[error("a command or its reply could not be sealed or opened")]
    Seal,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a sealed command holds besides its body.
#[derive(Serialize, Deserialize)]
struct Envelope {
    sent_at: UnixTime,
    /// Never twice: a sealed command copied into a new row is refused.
    nonce: String,
    body: Vec<u8>,
}

/// This node. Cheap to clone: clones share it.
#[derive(Clone)]
pub struct NodeMail(Arc<Parts>);

pub struct Parts {
    id: NodeId,
    started_at: UnixTime,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    keys: Arc<crate::Keys>,
    holds_calls: AtomicBool,
    /// Whether this node's listener is connected, so others' replies and commands reach it.
    hearing: AtomicBool,
    beat_now: Notify,
    /// Commands this node sent, waiting for their reply's signal.
    waiting: Mutex<HashMap<i64, Arc<Notify>>>,
    /// Nonces of the commands this node took while they were fresh.
    seen: Mutex<HashMap<String, UnixTime>>,
    taker: OnceLock<Arc<dyn CommandTaker>>,
}

impl std::ops::Deref for NodeMail {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl NodeMail {
    /// Names this node afresh and starts its beat and its listener. Must be
    /// called inside a Tokio runtime.
    pub fn start(store: Arc<dyn Store>, clock: Arc<dyn Clock>, keys: Arc<crate::Keys>) -> Self {
        let id = NodeId(hex(random_bytes::<12>().as_ref()));
        let node = Self(Arc::new(Parts {
            id,
            started_at: clock.now(),
            store,
            clock,
            keys,
            holds_calls: AtomicBool::new(false),
            hearing: AtomicBool::new(false),
            beat_now: Notify::new(),
            waiting: Mutex::default(),
            seen: Mutex::default(),
            taker: OnceLock::new(),
        }));
        tokio::spawn(node.clone().keep_beating());
        tokio::spawn(node.clone().listen());
        node
    }

    pub fn id(&self) -> &NodeId {
        &self.id
    }

    /// This node runs the call engine from now on: calls' audio lives here.
    pub fn hold_calls(&self) {
        self.holds_calls.store(true, Ordering::SeqCst);
        self.beat_now.notify_one();
    }

    /// Whether commands can go to other nodes and come back (PostgreSQL,
    /// listener connected); on SQLite there is one node.
    pub fn hears_others(&self) -> bool {
        self.hearing.load(Ordering::SeqCst)
    }

    pub fn holds_calls(&self) -> bool {
        self.holds_calls.load(Ordering::SeqCst)
    }

    /// Carries out commands handed to this node with `taker` (the first given stays).
    pub fn take_commands_with(&self, taker: Arc<dyn CommandTaker>) {
        let _first = self.taker.set(taker);
    }

    /// The other node working `tenant`'s calls (holding its lease), or, when
    /// none holds it now and this node runs no engine, the one that beat
    /// last among those that do; `None` for this node, or if none runs one.
    pub async fn node_for_tenant(&self, tenant: TenantId) -> Result<Option<NodeId>, StoreError> {
        let now = self.clock.now();
        if let Some(lease) = self.store.lease(&tenant_calls_lease(tenant)).await?.filter(|l| l.expires_at > now) {
            return Ok(Some(lease.holder).filter(|holder| *holder != self.id));
        }
        if self.holds_calls() {
            return Ok(None);
        }
        let since = now - NODE_COMMANDS_KEPT_SECONDS;
        Ok(self.store.nodes_seen_since(since).await?.into_iter().find(|n| n.holds_calls).map(|n| n.id))
    }

    async fn keep_beating(self) {
        loop {
            let beat =
                NodeBeat { id: self.id.clone(), started_at: self.started_at, seen_at: self.clock.now(), holds_calls: self.holds_calls() };
            if let Err(error) = self.store.beat(&beat).await {
                tracing::warn!(%error, "this node could not beat");
            }
            let _either = tokio::time::timeout(BEAT_EVERY, self.beat_now.notified()).await;
        }
    }

    async fn listen(self) {
        let connect = || self.store.listen_nodes();
        crate::channel_listener::keep_listening(connect, &self.hearing, "this node", Duration::from_secs(1), |payload| {
            match NodeSignal::parse(&payload) {
                Some(NodeSignal::Command { id, to }) if to == self.id => {
                    tokio::spawn(self.clone().carry_out(id));
                }
                Some(NodeSignal::Reply { id, to }) if to == self.id => {
                    if let Some(waiting) = self.waiting.lock().unwrap_or_else(PoisonError::into_inner).get(&id) {
                        waiting.notify_one();
                    }
                }
                _ => {}
            }
        })
        .await;
    }

    /// The place a command between two nodes is sealed for: it opens for that pair only.
    fn place(from: &NodeId, to: &NodeId, reply: bool) -> String {
        format!("node-command:{from}:{to}:{}", if reply { "reply" } else { "ask" })
    }

    async fn carry_out(self, id: i64) {
        let now = self.clock.now();
        let (from, sealed) = match self.store.take_node_command(id, &self.id, now).await {
            Ok(Some(taken)) => taken,
            Ok(None) => return,
            Err(error) => return tracing::warn!(%error, command = id, "a command for this node could not be taken"),
        };
        let opened = self.keys.node_commands.open(&sealed, &Self::place(&from, &self.id, false)).ok();
        let envelope = opened.and_then(|plain| serde_json::from_slice::<Envelope>(&plain).ok());
        let Some(envelope) = envelope.filter(|e| (now - e.sent_at).abs() <= FRESH_SECONDS && self.first_sight(&e.nonce, now)) else {
            // Never carried out: forged, stale, played again or from another installation.
            return tracing::error!(command = id, from = %from, "a command that does not open under this installation's key, is stale or was seen before was refused");
        };
        let Some(taker) = self.taker.get() else {
            return tracing::warn!(command = id, "a command arrived before this node could carry any out");
        };
        let reply = taker.carry_out(envelope.body).await;
        let sealed = match self.keys.node_commands.seal(&reply, &Self::place(&from, &self.id, true)) {
            Ok(sealed) => sealed,
            Err(error) => return tracing::error!(%error, command = id, "a reply could not be sealed"),
        };
        if let Err(error) = self.store.answer_node_command(id, &from, &sealed).await {
            tracing::warn!(%error, command = id, "a reply could not be sent");
        }
    }

    /// Whether `nonce` is new; remembered while a command bearing it could be fresh.
    fn first_sight(&self, nonce: &str, now: UnixTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.retain(|_, at| now - *at <= 2 * FRESH_SECONDS);
        seen.insert(nonce.to_owned(), now).is_none()
    }

    /// Hands `body` to node `to` and waits for its answer.
    pub async fn hand_over(&self, to: &NodeId, body: Vec<u8>) -> Result<Vec<u8>, HandOverError> {
        let nonce = hex(random_bytes::<16>().as_ref());
        let envelope = serde_json::to_vec(&Envelope { sent_at: self.clock.now(), nonce, body }).map_err(|_| HandOverError::Seal)?;
        let sealed = self.keys.node_commands.seal(&envelope, &Self::place(&self.id, to, false)).map_err(|_| HandOverError::Seal)?;
        let replied = Arc::new(Notify::new());
        let id = self.store.send_node_command(&self.id, to, &sealed, self.clock.now()).await?;
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner).insert(id, replied.clone());
        let answer = self.wait_for_reply(id, to, &replied).await;
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
        let sealed = answer?;
        let reply = self.keys.node_commands.open(&sealed, &Self::place(&self.id, to, true)).map_err(|_| HandOverError::Seal)?;
        Ok(reply.to_vec())
    }

    async fn wait_for_reply(&self, id: i64, to: &NodeId, replied: &Notify) -> Result<Vec<u8>, HandOverError> {
        let started = tokio::time::Instant::now();
        let mut taken = false;
        loop {
            if let Some(reply) = self.store.collect_node_reply(id).await? {
                return Ok(reply);
            }
            let waited = started.elapsed();
            if !taken && waited >= TAKE_WITHIN {
                if self.store.withdraw_node_command(id).await? {
                    return Err(HandOverError::NotTaken(to.clone()));
                }
                taken = true;
            }
            if waited >= ANSWER_WITHIN {
                return Err(HandOverError::Unanswered(to.clone()));
            }
            let _either = tokio::time::timeout(LOOK_EVERY, replied.notified()).await;
        }
    }
}
