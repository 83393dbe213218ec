//! The server nodes sharing the database, and the commands they hand one
//! another: a call's controls are carried out by the node holding its
//! audio, whichever node the request reached.

use crate::{LiveListener, StoreResult};
use async_trait::async_trait;
use trustline_domain::UnixTime;

/// One server process, named afresh at each start: a node that restarts
/// is a new node, and what the old one held is known to be gone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub String);

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A node's beat: it is alive while it keeps beating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeBeat {
    pub id: NodeId,
    pub started_at: UnixTime,
    pub seen_at: UnixTime,
    /// It runs the call engine: calls' audio lives there.
    pub holds_calls: bool,
}

/// What a node hears on the nodes' channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeSignal {
    /// A command waits for node `to`.
    Command { id: i64, to: NodeId },
    /// The command `id` that node `to` sent has its reply.
    Reply { id: i64, to: NodeId },
}

#[async_trait]
pub trait NodeStore: Send + Sync {
    /// Records a node's beat (inserting it at its first).
    async fn beat(&self, beat: &NodeBeat) -> StoreResult<()>;
    /// Nodes seen at or after `since`, newest beat first.
    async fn nodes_seen_since(&self, since: UnixTime) -> StoreResult<Vec<NodeBeat>>;
    /// The node holding call `call`'s audio (`None` before nodes were named).
    async fn call_owner(&self, call: i64) -> StoreResult<Option<NodeId>>;
    /// Leaves a sealed command for node `to` and signals it; its id.
    async fn send_node_command(&self, from: &NodeId, to: &NodeId, body: &[u8], at: UnixTime) -> StoreResult<i64>;
    /// Takes command `id` if it waits for node `to` and nobody took or
    /// withdrew it: its body, once.
    async fn take_node_command(&self, id: i64, to: &NodeId, at: UnixTime) -> StoreResult<Option<(NodeId, Vec<u8>)>>;
    /// Answers a taken command, and signals its sender.
    async fn answer_node_command(&self, id: i64, sender: &NodeId, reply: &[u8]) -> StoreResult<()>;
    /// The reply to command `id`, once there is one; the command is gone after.
    async fn collect_node_reply(&self, id: i64) -> StoreResult<Option<Vec<u8>>>;
    /// Withdraws command `id` unless it was taken: `true` if nobody will carry it out.
    async fn withdraw_node_command(&self, id: i64) -> StoreResult<bool>;
    /// Forgets commands left before `at` (their sender gave up on them).
    async fn forget_node_commands_before(&self, at: UnixTime) -> StoreResult<u64>;
    /// A listener for the nodes' channel; `None` when the engine serves a
    /// single node. Its payloads read with [`NodeSignal::parse`].
    async fn listen_nodes(&self) -> StoreResult<Option<Box<dyn LiveListener>>>;
}

impl NodeSignal {
    /// The payload carried on the channel: `command <id> <to>` or `reply <id> <to>`.
    pub fn payload(&self) -> String {
        match self {
            NodeSignal::Command { id, to } => format!("command {id} {to}"),
            NodeSignal::Reply { id, to } => format!("reply {id} {to}"),
        }
    }

    pub fn parse(payload: &str) -> Option<NodeSignal> {
        let mut words = payload.split(' ');
        let (kind, id, to) = (words.next()?, words.next()?.parse().ok()?, NodeId(words.next()?.to_owned()));
        if words.next().is_some() || to.0.is_empty() {
            return None;
        }
        match kind {
            "command" => Some(NodeSignal::Command { id, to }),
            "reply" => Some(NodeSignal::Reply { id, to }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_read_back_and_nothing_else_reads() {
        for signal in [NodeSignal::Command { id: 7, to: NodeId("a1".into()) }, NodeSignal::Reply { id: 9, to: NodeId("b2".into()) }] {
            assert_eq!(NodeSignal::parse(&signal.payload()), Some(signal));
        }
        for odd in ["", "command", "command 7", "command x a1", "command 7 a1 extra", "other 7 a1", "command 7 "] {
            assert_eq!(NodeSignal::parse(odd), None, "{odd:?}");
        }
    }
}
