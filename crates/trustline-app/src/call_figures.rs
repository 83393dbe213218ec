//! Each campaign's and each queue's figures over the calls of a period:
//! the calls are read once and handed to the domain's KPI rules. Views
//! (JSON, CSV) are the edge's.

use std::collections::{BTreeMap, HashMap};
use trustline_domain::reporting::{CallFacts, CallKpis, InboundFacts, QueueKpis, call_kpis, queue_kpis};
use trustline_domain::routing::ServiceLevelGoal;
use trustline_domain::{Period, TenantId};
use trustline_store::{CallDirection, CallRecord, Store, StoreError};

/// Outbound calls taken by an agent within this many seconds of the answer
/// meet the service level (the usual 80/20 target's 20).
pub const SERVICE_LEVEL_SECONDS: i64 = 20;

pub struct CampaignFigures {
    pub id: i64,
    pub name: String,
    pub figures: CallKpis,
}

pub struct QueueFigures {
    pub id: i64,
    pub name: String,
    /// The queue's own goal, which its service level is measured against.
    pub goal: ServiceLevelGoal,
    pub figures: QueueKpis,
}

/// Every campaign of `tenant`, with the figures of its calls placed in
/// `period` (a campaign without calls has empty figures).
pub async fn campaign_figures(store: &dyn Store, tenant: TenantId, period: Period) -> Result<Vec<CampaignFigures>, StoreError> {
    let mut by_campaign: BTreeMap<i64, Vec<CallFacts>> = BTreeMap::new();
    let calls = store.calls_between(tenant, period.from, period.to).await?;
    for (campaign, call) in counted(&calls, |call| call.campaign_id) {
        by_campaign.entry(campaign).or_default().push(call.outbound_facts());
    }
    let names: BTreeMap<i64, String> = store.campaigns(tenant).await?.into_iter().map(|c| (c.id, c.name)).collect();
    Ok(names
        .into_iter()
        .map(|(id, name)| {
            let figures = call_kpis(by_campaign.get(&id).map_or(&[][..], Vec::as_slice), SERVICE_LEVEL_SECONDS);
            CampaignFigures { id, name, figures }
        })
        .collect())
}

/// Every queue of `tenant`, with the figures of the calls that arrived in
/// `period`, against the queue's own service-level goal.
pub async fn queue_figures(store: &dyn Store, tenant: TenantId, period: Period) -> Result<Vec<QueueFigures>, StoreError> {
    let mut by_queue: BTreeMap<i64, Vec<InboundFacts>> = BTreeMap::new();
    let calls = store.calls_between(tenant, period.from, period.to).await?;
    // A queue's figures are of the calls that came to it, not of calls its agents placed.
    let arrived = |call: &CallRecord| call.queue_id.filter(|_| call.direction == CallDirection::Inbound);
    for (queue, call) in counted(&calls, arrived) {
        by_queue.entry(queue).or_default().push(call.inbound_facts());
    }
    let mut rows = Vec::new();
    for queue in store.queues(tenant).await? {
        let goal = queue.settings.service_level;
        let figures = queue_kpis(by_queue.get(&queue.id).map_or(&[][..], Vec::as_slice), goal.seconds);
        rows.push(QueueFigures { id: queue.id, name: queue.name, goal, figures });
    }
    Ok(rows)
}

/// The calls counted in the figures of what `of` names (a campaign, a
/// queue), with it: a person handed from one agent to another within the
/// same campaign or queue is one call there, so the transfer's new call is
/// not counted again (a transfer to another queue is an arrival there).
fn counted(calls: &[CallRecord], of: impl Fn(&CallRecord) -> Option<i64>) -> impl Iterator<Item = (i64, &CallRecord)> {
    let owners: HashMap<i64, Option<i64>> = calls.iter().map(|call| (call.id, of(call))).collect();
    calls.iter().filter_map(move |call| {
        let owner = of(call)?;
        let handed_within = call.transferred_from.and_then(|from| owners.get(&from).copied().flatten()) == Some(owner);
        (!handed_within).then_some((owner, call))
    })
}
