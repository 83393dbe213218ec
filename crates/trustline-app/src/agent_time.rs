//! The agent time report's figures: for each agent logged in during a
//! period, the seconds spent in each state, the calls handled and what they
//! last worked on (a campaign or a queue). Views (JSON, CSV) are the edge's.

use std::collections::BTreeMap;
use trustline_domain::agent::{StateTimes, state_times};
use trustline_domain::reporting::{HandledCalls, handled_calls};
use trustline_domain::{Period, TenantId};
use trustline_store::{CallRecord, Store, StoreError, User};

/// One agent's row.
pub struct AgentTimeRow {
    pub user: User,
    pub times: StateTimes,
    pub calls: HandledCalls,
    /// The campaign or queue of their newest call in the period.
    pub last_worked_on: Option<String>,
}

/// The rows of the agents of `tenant` who were logged in during `period`,
/// in user order.
pub async fn agent_time(store: &dyn Store, tenant: TenantId, period: Period) -> Result<Vec<AgentTimeRow>, StoreError> {
    let users = store.list_users(tenant).await?;
    let initial: BTreeMap<i64, String> = store.agent_states_at(tenant, period.from).await?.into_iter().map(|(u, s)| (u.0, s)).collect();
    let mut moves: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for (user, entry) in store.agent_moves_between(tenant, period.from, period.to).await? {
        moves.entry(user.0).or_default().push((entry.at, entry.to));
    }
    let mut calls: BTreeMap<i64, Vec<CallRecord>> = BTreeMap::new();
    for call in store.calls_between(tenant, period.from, period.to).await? {
        if let Some(agent) = call.agent_id {
            calls.entry(agent.0).or_default().push(call);
        }
    }
    let campaigns: BTreeMap<i64, String> = store.campaigns(tenant).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let queues: BTreeMap<i64, String> = store.queues(tenant).await?.into_iter().map(|q| (q.id, q.name)).collect();
    let mut rows = Vec::new();
    for user in users {
        let id = user.id.0;
        let theirs: Vec<(i64, &str)> = moves.get(&id).map(|m| m.iter().map(|(at, s)| (*at, s.as_str())).collect()).unwrap_or_default();
        let times = state_times(initial.get(&id).map(String::as_str), &theirs, period.from, period.to);
        if times.logged_in() == 0 {
            continue;
        }
        let mine = calls.get(&id).map_or(&[][..], Vec::as_slice);
        let handled = handled_calls(mine.iter().map(|c| (c.connected_at, c.disposed_at)));
        let newest = mine.iter().max_by_key(|c| (c.offered_at, c.id));
        let last_worked_on = newest
            .and_then(|c| c.campaign_id.and_then(|id| campaigns.get(&id)).or_else(|| c.queue_id.and_then(|id| queues.get(&id))).cloned());
        rows.push(AgentTimeRow { user, times, calls: handled, last_worked_on });
    }
    Ok(rows)
}
