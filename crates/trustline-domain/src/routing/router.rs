//! The router keeps, for every queue, its ready agents in the order the
//! queue's strategy picks them, so a decision is a lookup: offering a call
//! takes the first ready agent of its queue; an agent who becomes free takes
//! the most urgent waiting call among the queues they serve (queue priority
//! first, then the longest wait).
//!
//! Time is in milliseconds, passed in by the caller.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, VecDeque};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SkillId(pub u16);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// Skills with levels 1 (basic) to 10 (expert).
pub type AgentSkills = Vec<(SkillId, u8)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingStrategy {
    /// The agent who has waited longest since their last call.
    LongestIdle,
    /// The agent with the highest levels in the queue's skills, then the
    /// longest idle.
    SkillsWeighted,
}

impl RoutingStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            RoutingStrategy::LongestIdle => "longest_idle",
            RoutingStrategy::SkillsWeighted => "skills_weighted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::LongestIdle, Self::SkillsWeighted].into_iter().find(|s| s.as_str() == text)
    }
}

/// After `after_ms` of waiting, a call may also go to agents of `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow {
    pub after_ms: u64,
    pub to: QueueId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    pub id: QueueId,
    /// Every skill at least at its level.
    pub requires: AgentSkills,
    /// Higher goes first when an agent serving several queues becomes free.
    pub priority: u8,
    pub strategy: RoutingStrategy,
    pub overflow: Option<Overflow>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routed {
    /// The call goes to this agent, who is now reserved.
    Agent(i64),
    /// No agent is ready: the call waits at this position (1 = next).
    Queued { position: usize },
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouterError {
    #[error("there is no queue {0:?}")]
    UnknownQueue(QueueId),
    #[error("queue {0:?} exists already")]
    DuplicateQueue(QueueId),
    #[error("agent {0} is not logged in")]
    UnknownAgent(i64),
    #[error("skill levels are 1 to 10")]
    SkillLevel,
}

/// Order of ready agents within a queue: best first.
type ReadyKey = (Reverse<u32>, u64, usize);

struct Queue {
    config: QueueConfig,
    ready: BTreeSet<ReadyKey>,
    /// (call, arrived at), oldest first.
    waiting: VecDeque<(CallId, u64)>,
}

struct Agent {
    id: i64,
    /// (queue index, key in that queue's ready set) for every queue served.
    serves: Vec<(usize, u32)>,
    ready_since: Option<u64>,
}

#[derive(Default)]
pub struct Router {
    queues: Vec<Queue>,
    queue_index: HashMap<QueueId, usize>,
    agents: Vec<Option<Agent>>,
    agent_index: HashMap<i64, usize>,
    free_slots: Vec<usize>,
}

fn score(strategy: RoutingStrategy, requires: &AgentSkills, skills: &AgentSkills) -> Option<u32> {
    let mut total = 0u32;
    for &(skill, minimum) in requires {
        let level = skills.iter().find(|(s, _)| *s == skill).map(|&(_, level)| level)?;
        if level < minimum {
            return None;
        }
        total += u32::from(level);
    }
    Some(match strategy {
        RoutingStrategy::LongestIdle => 0,
        RoutingStrategy::SkillsWeighted => total,
    })
}

impl Router {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a queue; agents logged in afterwards are matched against it.
    pub fn add_queue(&mut self, config: QueueConfig) -> Result<(), RouterError> {
        if self.queue_index.contains_key(&config.id) {
            return Err(RouterError::DuplicateQueue(config.id));
        }
        if config.requires.iter().any(|&(_, level)| !(1..=10).contains(&level)) {
            return Err(RouterError::SkillLevel);
        }
        self.queue_index.insert(config.id, self.queues.len());
        self.queues.push(Queue { config, ready: BTreeSet::new(), waiting: VecDeque::new() });
        Ok(())
    }

    fn queue(&self, id: QueueId) -> Result<usize, RouterError> {
        self.queue_index.get(&id).copied().ok_or(RouterError::UnknownQueue(id))
    }

    fn agent(&self, id: i64) -> Result<usize, RouterError> {
        self.agent_index.get(&id).copied().ok_or(RouterError::UnknownAgent(id))
    }

    /// An agent logs in (not yet ready), serving every queue whose skills
    /// they have.
    pub fn log_in(&mut self, id: i64, skills: AgentSkills) -> Result<(), RouterError> {
        if skills.iter().any(|&(_, level)| !(1..=10).contains(&level)) {
            return Err(RouterError::SkillLevel);
        }
        if self.agent_index.contains_key(&id) {
            self.log_out(id)?;
        }
        let serves = self
            .queues
            .iter()
            .enumerate()
            .filter_map(|(index, q)| score(q.config.strategy, &q.config.requires, &skills).map(|s| (index, s)))
            .collect();
        let agent = Agent { id, serves, ready_since: None };
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                if let Some(entry) = self.agents.get_mut(slot) {
                    *entry = Some(agent);
                }
                slot
            }
            None => {
                self.agents.push(Some(agent));
                self.agents.len() - 1
            }
        };
        self.agent_index.insert(id, slot);
        Ok(())
    }

    pub fn log_out(&mut self, id: i64) -> Result<(), RouterError> {
        let slot = self.agent(id)?;
        self.unready(slot);
        if let Some(entry) = self.agents.get_mut(slot) {
            *entry = None;
        }
        self.agent_index.remove(&id);
        self.free_slots.push(slot);
        Ok(())
    }

    fn unready(&mut self, slot: usize) {
        let Some(Some(agent)) = self.agents.get_mut(slot) else { return };
        let Some(since) = agent.ready_since.take() else { return };
        for &(queue, score) in &agent.serves {
            if let Some(q) = self.queues.get_mut(queue) {
                q.ready.remove(&(Reverse(score), since, slot));
            }
        }
    }

    /// Queues served by the agent in `slot`, most urgent waiting call first.
    fn most_urgent_call(&self, slot: usize, now: u64) -> Option<usize> {
        let agent = self.agents.get(slot)?.as_ref()?;
        let mut best: Option<(u8, Reverse<u64>, usize)> = None;
        let mut consider = |queue: usize| {
            if let Some(q) = self.queues.get(queue)
                && let Some(&(_, arrived)) = q.waiting.front()
            {
                let key = (q.config.priority, Reverse(arrived), queue);
                if best.is_none_or(|b| key > b) {
                    best = Some(key);
                }
            }
        };
        for &(queue, _) in &agent.serves {
            consider(queue);
        }
        // Calls that have waited past their queue's overflow into a queue
        // this agent serves.
        for (index, q) in self.queues.iter().enumerate() {
            if let Some(overflow) = q.config.overflow
                && let Some(&(_, arrived)) = q.waiting.front()
                && now.saturating_sub(arrived) >= overflow.after_ms
                && self.queue_index.get(&overflow.to).is_some_and(|to| agent.serves.iter().any(|(served, _)| served == to))
            {
                consider(index);
            }
        }
        best.map(|(_, _, queue)| queue)
    }

    /// The agent is ready for work at `now`. If a call is waiting for them,
    /// they take it at once (and stay reserved): the call is returned.
    pub fn agent_ready(&mut self, id: i64, now: u64) -> Result<Option<(CallId, QueueId)>, RouterError> {
        let slot = self.agent(id)?;
        self.unready(slot);
        if let Some(queue) = self.most_urgent_call(slot, now)
            && let Some(q) = self.queues.get_mut(queue)
            && let Some((call, _)) = q.waiting.pop_front()
        {
            return Ok(Some((call, q.config.id)));
        }
        let Some(Some(agent)) = self.agents.get_mut(slot) else { return Err(RouterError::UnknownAgent(id)) };
        agent.ready_since = Some(now);
        for &(queue, score) in &agent.serves {
            if let Some(q) = self.queues.get_mut(queue) {
                q.ready.insert((Reverse(score), now, slot));
            }
        }
        Ok(None)
    }

    /// The agent is busy (on a call, in wrap-up, on a break) and is offered nothing.
    pub fn agent_busy(&mut self, id: i64) -> Result<(), RouterError> {
        let slot = self.agent(id)?;
        self.unready(slot);
        Ok(())
    }

    fn take_ready(&mut self, queue: usize) -> Option<i64> {
        let &(_, _, slot) = self.queues.get(queue)?.ready.first()?;
        self.unready(slot);
        self.agents.get(slot)?.as_ref().map(|a| a.id)
    }

    /// A call arrives in `queue` at `now`: to the queue's best ready agent,
    /// or to the back of the queue.
    pub fn offer(&mut self, call: CallId, queue: QueueId, now: u64) -> Result<Routed, RouterError> {
        let index = self.queue(queue)?;
        if let Some(agent) = self.take_ready(index) {
            return Ok(Routed::Agent(agent));
        }
        let q = self.queues.get_mut(index).ok_or(RouterError::UnknownQueue(queue))?;
        q.waiting.push_back((call, now));
        Ok(Routed::Queued { position: q.waiting.len() })
    }

    /// The caller hung up while waiting.
    pub fn withdraw(&mut self, call: CallId, queue: QueueId) -> Result<bool, RouterError> {
        let index = self.queue(queue)?;
        let q = self.queues.get_mut(index).ok_or(RouterError::UnknownQueue(queue))?;
        let before = q.waiting.len();
        q.waiting.retain(|&(c, _)| c != call);
        Ok(q.waiting.len() < before)
    }

    /// Calls that have waited past their overflow and find a ready agent in
    /// the overflow queue now: (call, its queue, agent), each agent reserved.
    pub fn overflow(&mut self, now: u64) -> Vec<(CallId, QueueId, i64)> {
        let mut routed = Vec::new();
        for index in 0..self.queues.len() {
            let Some(q) = self.queues.get(index) else { continue };
            let Some(overflow) = q.config.overflow else { continue };
            let Ok(target) = self.queue(overflow.to) else { continue };
            let from = q.config.id;
            loop {
                let due = self
                    .queues
                    .get(index)
                    .and_then(|q| q.waiting.front())
                    .is_some_and(|&(_, at)| now.saturating_sub(at) >= overflow.after_ms);
                if !due {
                    break;
                }
                let Some(agent) = self.take_ready(target) else { break };
                if let Some((call, _)) = self.queues.get_mut(index).and_then(|q| q.waiting.pop_front()) {
                    routed.push((call, from, agent));
                }
            }
        }
        routed
    }

    /// Calls waiting in `queue`, and ready agents serving it.
    pub fn depth(&self, queue: QueueId) -> Result<(usize, usize), RouterError> {
        let q = self.queues.get(self.queue(queue)?).ok_or(RouterError::UnknownQueue(queue))?;
        Ok((q.waiting.len(), q.ready.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALES: QueueId = QueueId(1);
    const SUPPORT: QueueId = QueueId(2);
    const VIP: QueueId = QueueId(3);
    const ENGLISH: SkillId = SkillId(1);
    const FRENCH: SkillId = SkillId(2);
    const BILLING: SkillId = SkillId(3);

    fn queue(id: QueueId, requires: AgentSkills, priority: u8, strategy: RoutingStrategy) -> QueueConfig {
        QueueConfig { id, requires, priority, strategy, overflow: None }
    }

    fn router() -> Router {
        let mut router = Router::new();
        router.add_queue(queue(SALES, vec![(ENGLISH, 1)], 1, RoutingStrategy::LongestIdle)).unwrap();
        router.add_queue(queue(SUPPORT, vec![(ENGLISH, 1), (BILLING, 3)], 1, RoutingStrategy::SkillsWeighted)).unwrap();
        router.add_queue(queue(VIP, vec![(FRENCH, 5)], 9, RoutingStrategy::LongestIdle)).unwrap();
        router
    }

    #[test]
    fn calls_go_only_to_agents_with_the_skills() {
        let mut router = router();
        router.log_in(10, vec![(ENGLISH, 5)]).unwrap();
        router.log_in(11, vec![(FRENCH, 4)]).unwrap();
        router.agent_ready(10, 0).unwrap();
        router.agent_ready(11, 0).unwrap();
        assert_eq!(router.offer(CallId(1), SUPPORT, 5).unwrap(), Routed::Queued { position: 1 }, "nobody has billing 3");
        assert_eq!(router.offer(CallId(2), VIP, 5).unwrap(), Routed::Queued { position: 1 }, "French 4 is below 5");
        assert_eq!(router.offer(CallId(3), SALES, 5).unwrap(), Routed::Agent(10));
        assert_eq!(router.offer(CallId(4), SALES, 6).unwrap(), Routed::Queued { position: 1 }, "agent 10 is reserved now");
    }

    #[test]
    fn longest_idle_and_skills_weighted_pick_differently() {
        let mut router = router();
        router.log_in(20, vec![(ENGLISH, 2), (BILLING, 3)]).unwrap();
        router.log_in(21, vec![(ENGLISH, 9), (BILLING, 9)]).unwrap();
        router.agent_ready(20, 100).unwrap();
        router.agent_ready(21, 200).unwrap();
        assert_eq!(router.offer(CallId(1), SUPPORT, 300).unwrap(), Routed::Agent(21), "the expert, though idle for less time");
        router.agent_ready(21, 400).unwrap();
        assert_eq!(router.offer(CallId(2), SALES, 500).unwrap(), Routed::Agent(20), "the longest idle");
    }

    #[test]
    fn a_free_agent_takes_the_most_urgent_call_they_can_serve() {
        let mut router = router();
        router.log_in(30, vec![(ENGLISH, 5), (FRENCH, 8)]).unwrap();
        router.offer(CallId(1), SALES, 10).unwrap();
        router.offer(CallId(2), SALES, 20).unwrap();
        router.offer(CallId(3), VIP, 30).unwrap();
        router.offer(CallId(4), SUPPORT, 5).unwrap();
        // VIP has the higher priority even though it waited less; support
        // needs billing, which this agent lacks.
        assert_eq!(router.agent_ready(30, 40).unwrap(), Some((CallId(3), VIP)));
        assert_eq!(router.agent_ready(30, 50).unwrap(), Some((CallId(1), SALES)), "then the oldest");
        assert_eq!(router.agent_ready(30, 60).unwrap(), Some((CallId(2), SALES)));
        assert_eq!(router.agent_ready(30, 70).unwrap(), None);
        assert_eq!(router.depth(SUPPORT).unwrap(), (1, 0));
        assert_eq!(router.depth(SALES).unwrap(), (0, 1));
    }

    #[test]
    fn waiting_calls_overflow_after_their_delay() {
        let mut router = Router::new();
        let overflow = Some(Overflow { after_ms: 30_000, to: SALES });
        router.add_queue(QueueConfig { overflow, ..queue(SUPPORT, vec![(BILLING, 1)], 1, RoutingStrategy::LongestIdle) }).unwrap();
        router.add_queue(queue(SALES, vec![(ENGLISH, 1)], 1, RoutingStrategy::LongestIdle)).unwrap();
        router.log_in(40, vec![(ENGLISH, 3)]).unwrap();
        router.agent_ready(40, 0).unwrap();
        assert_eq!(router.offer(CallId(1), SUPPORT, 1_000).unwrap(), Routed::Queued { position: 1 });
        assert!(router.overflow(20_000).is_empty(), "not yet");
        assert_eq!(router.overflow(31_000), vec![(CallId(1), SUPPORT, 40)]);
        // And an agent who frees up takes overflowed calls too.
        router.offer(CallId(2), SUPPORT, 40_000).unwrap();
        assert_eq!(router.agent_ready(40, 50_000).unwrap(), None, "10 s is before the overflow");
        router.agent_busy(40).unwrap();
        assert_eq!(router.agent_ready(40, 71_000).unwrap(), Some((CallId(2), SUPPORT)));
    }

    #[test]
    fn busy_logged_out_and_withdrawn_are_honoured() {
        let mut router = router();
        router.log_in(50, vec![(ENGLISH, 1)]).unwrap();
        router.agent_ready(50, 0).unwrap();
        router.agent_busy(50).unwrap();
        assert_eq!(router.offer(CallId(1), SALES, 1).unwrap(), Routed::Queued { position: 1 });
        assert!(router.withdraw(CallId(1), SALES).unwrap());
        router.log_out(50).unwrap();
        assert_eq!(router.agent_ready(50, 2), Err(RouterError::UnknownAgent(50)));
        assert_eq!(router.offer(CallId(2), QueueId(99), 3), Err(RouterError::UnknownQueue(QueueId(99))));
        assert_eq!(router.log_in(51, vec![(ENGLISH, 11)]), Err(RouterError::SkillLevel));
        assert_eq!(router.add_queue(queue(SALES, vec![], 1, RoutingStrategy::LongestIdle)), Err(RouterError::DuplicateQueue(SALES)));
    }
}
