//! The distribution pass: waiting calls to ready agents. The router is
//! built from what is stored (queues, skills, agents' states, waiting
//! calls), so every node agrees with the database; each call then goes to
//! the best ready agent of its queue, queues of higher priority first and,
//! within a queue, people handed on by an agent before the others, then
//! the longest waiting first; calls past their overflow
//! delay may take agents of the overflow queue. Calls left waiting are
//! offered a callback when their expected wait is longer than the queue
//! allows.

use super::{callback, offer};
use crate::engine::Engine;
use crate::news::Origin;
use crate::outbound::call_flow;
use crate::outbound::call_flow::CallError;
use std::collections::{HashMap, HashSet};
use trustline_domain::agent::AgentState;
use trustline_domain::reporting::{InboundFacts, queue_kpis};
use trustline_domain::routing::{CallId, QueueId, QueueSettings, Routed, Router, SkillBook, SkillLevels, meets, offer_callback};
use trustline_domain::{TenantId, UnixTime, UserId};
use trustline_store::{AgentStatus, CallRecord, CallState, Queue, StoreError};

/// Assumed handle time of a queue without a handled call in the last hour.
const DEFAULT_HANDLE_MS: u64 = 180_000;

/// Gives the tenant's waiting calls to its ready agents.
pub(crate) async fn distribute(engine: &Engine, tenant: TenantId) -> Result<(), CallError> {
    // Agents before calls: the calls read are at least as new as the agents,
    // so no agent is given a lesser call because a better one that arrived
    // before they were free was missed.
    let statuses = engine.world.agent_statuses(tenant).await?;
    let mut waiting = engine.world.waiting_calls(tenant).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let queues: Vec<Queue> = engine.world.queues(tenant).await?;
    let now = engine.time.now();
    let settings_of = |id: i64| queues.iter().find(|q| q.id == id).map(|q| &q.settings);
    if offer::ring_out(engine, &waiting, settings_of, now).await? {
        waiting = engine.world.waiting_calls(tenant).await?;
    }
    let skills: HashMap<UserId, SkillLevels> = engine.world.agent_skills(tenant).await?.into_iter().collect();
    // A call ringing at an agent's desk is theirs until it is answered or rings out.
    let mut unrouted: Vec<CallRecord> = waiting.iter().filter(|c| c.state != CallState::Offered).cloned().collect();
    serving_order(&queues, &mut unrouted);
    let assigned = route(&queues, &skills, &statuses, &unrouted, now);
    for (call, agent) in &assigned {
        let Some(call) = unrouted.iter().find(|c| c.id == *call) else { continue };
        let Some(queue) = queues.iter().find(|q| Some(q.id) == call.queue_id) else { continue };
        match take(engine, call, *agent, &queue.settings).await {
            Ok(()) | Err(CallError::Store(StoreError::Conflict(_)) | CallError::Move(_)) => {} // the agent or the call moved meanwhile
            Err(error) => return Err(error),
        }
    }
    let taken: HashSet<i64> = assigned.iter().map(|(call, _)| *call).collect();
    let still: Vec<&CallRecord> = unrouted.iter().filter(|c| !taken.contains(&c.id)).collect();
    offer_callbacks(engine, tenant, &queues, &skills, &statuses, &still, now).await
}

/// Puts waiting calls in the order they are served: queues of higher
/// priority first; within a queue, people an agent handed on (they have
/// waited and talked already) before people nobody has talked to yet; then
/// the longest waiting. Callback offers count positions in this order too.
fn serving_order(queues: &[Queue], calls: &mut [CallRecord]) {
    let priority = |call: &CallRecord| call.queue_id.and_then(|id| queues.iter().find(|q| q.id == id)).map_or(0, |q| q.settings.priority);
    calls.sort_by_key(|c| (std::cmp::Reverse(priority(c)), c.transferred_from.is_none(), c.offered_at, c.id));
}

/// The router's decisions: (call, agent) pairs, offered in `waiting`'s order.
fn route(
    queues: &[Queue],
    skills: &HashMap<UserId, SkillLevels>,
    statuses: &[AgentStatus],
    waiting: &[CallRecord],
    now: UnixTime,
) -> Vec<(i64, UserId)> {
    let mut router = Router::new();
    let mut book = SkillBook::default();
    let index = |id: i64| queues.iter().position(|q| q.id == id).and_then(|i| u32::try_from(i).ok()).map(QueueId);
    for (i, queue) in queues.iter().enumerate() {
        let overflow_to = queue.settings.overflow.as_ref().and_then(|o| queues.iter().position(|q| q.settings.name == o.to));
        let overflow_to = overflow_to.and_then(|i| u32::try_from(i).ok()).map(QueueId);
        let Ok(id) = u32::try_from(i) else { continue };
        // Ids are positions, each added once; levels were checked when saved.
        let _added = router.add_queue(queue.settings.router_config(QueueId(id), &mut book, overflow_to));
    }
    for status in crate::agent_moves::longest_idle_first(statuses) {
        let has = skills.get(&status.user_id).map_or(&[][..], |s| &s[..]);
        if router.log_in(status.user_id.0, book.numbered(has)).is_ok() {
            let _ready = router.agent_ready(status.user_id.0, ms(status.since));
        }
    }
    let mut assigned = Vec::new();
    for call in waiting {
        let Some(queue) = call.queue_id.and_then(index) else { continue };
        let Ok(call_id) = u64::try_from(call.id) else { continue };
        if let Ok(Routed::Agent(agent)) = router.offer(CallId(call_id), queue, ms(call.offered_at)) {
            assigned.push((call.id, UserId(agent)));
        }
    }
    for (call, _, agent) in router.overflow(ms(now)) {
        if let Ok(call) = i64::try_from(call.0) {
            assigned.push((call, UserId(agent)));
        }
    }
    assigned
}

fn ms(seconds: UnixTime) -> u64 {
    u64::try_from(seconds).unwrap_or(0).saturating_mul(1000)
}

/// Reserves `agent` and joins them to the waiting caller (or rings their
/// desk, if the queue gives agents time to accept; or calls back a caller
/// waiting for a callback).
async fn take(engine: &Engine, call: &CallRecord, agent: UserId, settings: &QueueSettings) -> Result<(), CallError> {
    let (tenant, id, origin) = (call.tenant_id, call.id, Origin::of(call));
    let status = engine.world.agent_status(tenant, agent).await?;
    if call.state == CallState::Queued && settings.answer_within_seconds.is_some() {
        return offer::ring(engine, call, agent, status.as_ref()).await;
    }
    call_flow::reserve_agent(engine, tenant, agent, status.as_ref(), origin).await?;
    let taken = match call.state {
        CallState::Callback => callback::call_back(engine, call, agent, settings.number.as_str()).await,
        _ => match call_flow::connect(engine, tenant, id, CallState::Queued, agent, origin).await {
            Ok(()) => {
                if let Some(leg) = engine.leg_of(id) {
                    engine.join_desk(leg, tenant, agent).await;
                }
                Ok(())
            }
            Err(error) => Err(error),
        },
    };
    if taken.is_err() {
        // The caller left first: the agent is free again.
        call_flow::release_agent(engine, tenant, agent).await?;
    }
    taken
}

/// Offers a callback, once, to each caller still holding whose expected
/// wait (their position times the queue's handle time, over the agents
/// serving it) is longer than their queue allows.
async fn offer_callbacks(
    engine: &Engine,
    tenant: TenantId,
    queues: &[Queue],
    skills: &HashMap<UserId, SkillLevels>,
    statuses: &[AgentStatus],
    waiting: &[&CallRecord],
    now: UnixTime,
) -> Result<(), CallError> {
    let mut handle_ms: Option<HashMap<i64, u64>> = None;
    for queue in queues {
        let Some(max_wait_seconds) = queue.settings.callback_after_seconds else { continue };
        let serving = statuses
            .iter()
            .filter(|s| s.state != AgentState::Offline)
            .filter(|s| meets(&queue.settings.skills, skills.get(&s.user_id).map_or(&[][..], |s| &s[..])))
            .count();
        let in_queue = waiting.iter().filter(|c| c.queue_id == Some(queue.id));
        for (position, call) in in_queue.enumerate() {
            if call.state != CallState::Queued || !engine.first_callback_offer(call.id) {
                continue;
            }
            if handle_ms.is_none() {
                handle_ms = Some(recent_handle_ms(engine, tenant, now).await?);
            }
            let average = handle_ms.as_ref().and_then(|h| h.get(&queue.id)).copied().unwrap_or(DEFAULT_HANDLE_MS);
            if !offer_callback(position + 1, serving, average, u64::from(max_wait_seconds) * 1000) {
                engine.forget_callback_offer(call.id);
                continue;
            }
            let Some(leg) = engine.leg_of(call.id) else { continue };
            let (engine, id, origin) = (engine.clone(), call.id, Origin::of(call));
            tokio::spawn(async move {
                if let Err(error) = callback::offer(&engine, tenant, id, leg, origin).await {
                    tracing::warn!(%error, call = id, "a callback offer could not be recorded");
                }
            });
        }
    }
    Ok(())
}

/// Each queue's average handle time over the last hour, where known.
async fn recent_handle_ms(engine: &Engine, tenant: TenantId, now: UnixTime) -> Result<HashMap<i64, u64>, CallError> {
    let calls = engine.world.calls_between(tenant, now - 3600, now + 1).await?;
    let mut by_queue: HashMap<i64, Vec<InboundFacts>> = HashMap::new();
    for call in &calls {
        if let Some(queue) = call.queue_id {
            by_queue.entry(queue).or_default().push(call.inbound_facts());
        }
    }
    Ok(by_queue
        .into_iter()
        .filter_map(|(queue, facts)| {
            let seconds = queue_kpis(&facts, 20).average_handle_seconds?;
            Some((queue, (seconds * 1000.0) as u64))
        })
        .collect())
}
