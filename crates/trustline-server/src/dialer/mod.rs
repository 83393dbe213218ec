//! The live dialer. Every running campaign of every tenant is looked at
//! after each change (an agent freed, a call resolved) and at least every
//! `DialerSettings::tick`, after the switchboard has given waiting inbound
//! calls to ready agents: progressive campaigns dial one contact per free
//! agent, predictive ones as many as pacing allows, preview ones wait for
//! agents to ask (see `desk`). Every call passes the dialing gate at the
//! moment it is placed.
//!
//! Run it on one node: campaigns are not shared between nodes' dialers.

pub(crate) mod after_call_work;
pub(crate) mod call_flow;
mod campaign_run;
pub(crate) mod desk;
mod gate;

use crate::state::AppState;
use call_flow::{CampaignCall, Origin};
use campaign_run::CampaignRun;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use trustline_domain::agent::AgentState;
use trustline_domain::dialing::{AgentBusy, CampaignSettings, CampaignStatus, DialerView, DialingMode, calls_to_place};
use trustline_domain::{TenantId, UnixTime, UserId};
use trustline_store::{AgentStatus, CallDirection, CallState, Campaign, StoreError};
use trustline_telephony::{LegId, Telephony};

pub(crate) use call_flow::CallError;

/// How the dialer runs.
#[derive(Clone, Debug)]
pub struct DialerSettings {
    /// Longest time between two looks at the campaigns.
    pub tick: Duration,
}

impl Default for DialerSettings {
    fn default() -> Self {
        Self { tick: Duration::from_secs(1) }
    }
}

/// The dialer's shared state: reachable from handlers (agents dial, hang up
/// and set dispositions) and from the calls it follows.
#[derive(Default)]
pub(crate) struct Dialer {
    telephony: OnceLock<Arc<dyn Telephony>>,
    wake: Notify,
    runs: tokio::sync::Mutex<HashMap<i64, CampaignRun>>,
    /// The carrier's leg of each call in progress on this node.
    legs: Mutex<HashMap<i64, LegId>>,
    /// Inbound calls on this node whose caller was offered a callback.
    callback_offers: Mutex<HashSet<i64>>,
}

impl Dialer {
    /// Asks for a look at the campaigns now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn telephony(&self) -> Option<&Arc<dyn Telephony>> {
        self.telephony.get()
    }

    fn legs(&self) -> std::sync::MutexGuard<'_, HashMap<i64, LegId>> {
        self.legs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn track_leg(&self, call: i64, leg: LegId) {
        self.legs().insert(call, leg);
    }

    pub(crate) fn forget_leg(&self, call: i64) {
        self.legs().remove(&call);
        self.callback_offers.lock().unwrap_or_else(PoisonError::into_inner).remove(&call);
    }

    /// Whether the caller of `call` is offered a callback for the first
    /// time; they are asked once.
    pub(crate) fn first_callback_offer(&self, call: i64) -> bool {
        self.callback_offers.lock().unwrap_or_else(PoisonError::into_inner).insert(call)
    }

    /// The offer was not made after all; it may be later.
    pub(crate) fn forget_callback_offer(&self, call: i64) {
        self.callback_offers.lock().unwrap_or_else(PoisonError::into_inner).remove(&call);
    }

    /// Ends a call's carrier leg, if it is in progress on this node.
    pub async fn hang_up(&self, leg: LegId) -> bool {
        let Some(telephony) = self.telephony() else { return false };
        telephony.hang_up(leg).await.is_ok()
    }

    pub fn leg_of(&self, call: i64) -> Option<LegId> {
        self.legs().get(&call).copied()
    }

    async fn ringing(&self, campaign: i64, call: i64, placed: bool) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            if placed {
                run.ringing.push((call, Instant::now()));
            } else {
                run.ringing.retain(|(c, _)| *c != call);
            }
        }
    }

    async fn record_attempt(&self, campaign: i64, person: bool, ring_ms: u32) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            run.estimate.record_attempt(person, ring_ms);
        }
    }

    async fn record_answer(&self, campaign: i64, at: UnixTime, abandoned: bool) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            run.window.record(at, abandoned);
        }
    }

    /// A conversation and its wrap-up, for pacing.
    pub async fn record_handled(&self, campaign: i64, talk_ms: u32, wrap_ms: u32) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            run.estimate.record_handled(talk_ms, wrap_ms);
        }
    }
}

/// Starts the dialer with `telephony`: settles calls left open by a previous
/// run, then dials until the process ends.
pub(crate) fn start(state: AppState, telephony: Arc<dyn Telephony>, settings: DialerSettings) {
    if state.dialer.telephony.set(telephony.clone()).is_err() {
        tracing::warn!("the dialer was already started");
        return;
    }
    crate::switchboard::start(state.clone(), &telephony);
    tokio::spawn(async move {
        if let Err(error) = settle_open_calls(&state).await {
            tracing::error!(%error, "calls left open by the last run could not be settled");
        }
        loop {
            if let Err(error) = look(&state).await {
                tracing::warn!(%error, "the dialer could not look at the campaigns");
            }
            let _woken = tokio::time::timeout(settings.tick, state.dialer.wake.notified()).await;
        }
    });
}

/// Calls open when the process stopped have no carrier leg any more: ones
/// not yet talking end, conversations go to wrap-up so the agent can set
/// the disposition. Callers waiting for a callback keep waiting: they are
/// off the line already.
async fn settle_open_calls(state: &AppState) -> Result<(), CallError> {
    for call in state.store.open_calls().await? {
        let result = match call.state {
            CallState::Offered if call.direction == CallDirection::Outbound => Some("skipped"),
            CallState::Offered | CallState::Queued | CallState::Ringing | CallState::Answered => Some("failed"),
            CallState::Connected => None,
            CallState::Callback | CallState::WrapUp | CallState::Done => continue,
        };
        let settled = match (result, call.agent_id) {
            (Some(result), agent) => {
                call_flow::end_unreached(state, call.tenant_id, Origin::of(&call), call.id, call.state, result, agent).await
            }
            (None, Some(agent)) => call_flow::remote_hang_up(state, call.tenant_id, call.id, agent, Origin::of(&call)).await,
            (None, None) => continue,
        };
        if let Err(error) = settled {
            tracing::warn!(%error, call = call.id, "an open call could not be settled");
        }
    }
    Ok(())
}

fn running(campaigns: Vec<Campaign>) -> Vec<(Campaign, Arc<CampaignSettings>)> {
    campaigns
        .into_iter()
        .filter(|c| c.status == CampaignStatus::Running)
        .map(|c| {
            let settings = Arc::new(c.settings.clone());
            (c, settings)
        })
        .collect()
}

async fn look(state: &AppState) -> Result<(), CallError> {
    for tenant in state.store.list_tenants().await?.into_iter().filter(|t| t.ended_at.is_none()) {
        // Wrap-ups past their limit end, so the agent is free again.
        if let Err(error) = after_call_work::end_overdue(state, tenant.id).await {
            tracing::warn!(%error, tenant = tenant.id.0, "wrap-ups past their limit could not be closed");
        }
        // No call goes to an agent whose desk is gone.
        if let Err(error) = crate::desk_presence::log_out_deserted(state, tenant.id).await {
            tracing::warn!(%error, tenant = tenant.id.0, "agents whose desk is gone could not be logged out");
        }
        // Waiting callers first: blended agents take them before campaigns dial.
        if let Err(error) = crate::switchboard::distribute(state, tenant.id).await {
            tracing::warn!(%error, tenant = tenant.id.0, "waiting calls could not be distributed");
        }
        let campaigns = running(state.store.campaigns(tenant.id).await?);
        let dialling: Vec<_> = campaigns.into_iter().filter(|(_, s)| s.mode != DialingMode::Preview).collect();
        if dialling.is_empty() {
            continue;
        }
        let statuses = state.store.agent_statuses(tenant.id).await?;
        let free = longest_idle_first(&statuses);
        let mut busy: Vec<&AgentStatus> = statuses.iter().filter(|s| matches!(s.state, AgentState::OnCall | AgentState::WrapUp)).collect();
        busy.sort_by_key(|s| s.user_id);
        // Blended agents are shared between the campaigns in turn.
        let count = dialling.len();
        for (i, (campaign, settings)) in dialling.iter().enumerate() {
            let share: Vec<UserId> = free.iter().skip(i).step_by(count).map(|s| s.user_id).collect();
            let busy_share: Vec<&AgentStatus> = busy.iter().skip(i).step_by(count).copied().collect();
            let call = CampaignCall { tenant: tenant.id, campaign: campaign.id, settings: settings.clone() };
            dial_campaign(state, &call, &share, &busy_share).await?;
        }
    }
    Ok(())
}

async fn dial_campaign(state: &AppState, call: &CampaignCall, free: &[UserId], busy: &[&AgentStatus]) -> Result<(), CallError> {
    let dialer = state.dialer.clone();
    let Some(telephony) = dialer.telephony().cloned() else { return Ok(()) };
    let now = state.clock.now();
    let mut runs = dialer.runs.lock().await;
    let run = run_of(&mut runs, state, call, now).await?;
    let mut picks = Vec::new();
    match call.settings.mode {
        DialingMode::Preview => {}
        DialingMode::Progressive => {
            for agent in free {
                let Some(candidate) = run.next(state.store.as_ref(), call.tenant, call.campaign, &call.settings, now).await? else { break };
                picks.push((candidate, Some(*agent)));
            }
        }
        DialingMode::Predictive => {
            let busy: Vec<AgentBusy> = busy
                .iter()
                .map(|s| {
                    let elapsed_ms = u32::try_from((now - s.since).max(0).saturating_mul(1000)).unwrap_or(u32::MAX);
                    if s.state == AgentState::OnCall { AgentBusy::Talking { elapsed_ms } } else { AgentBusy::WrappingUp { elapsed_ms } }
                })
                .collect();
            let ringing = run.ringing_ms();
            let view = DialerView {
                free_agents: u32::try_from(free.len()).unwrap_or(u32::MAX),
                busy: &busy,
                ringing: &ringing,
                answer_wait_ms: call.settings.abandonment.max_wait_ms,
            };
            let target = call.settings.abandonment.target_rate(&run.window, now);
            for _ in 0..calls_to_place(DialingMode::Predictive, view, &run.estimate, target) {
                let Some(candidate) = run.next(state.store.as_ref(), call.tenant, call.campaign, &call.settings, now).await? else { break };
                picks.push((candidate, None));
            }
        }
    }
    drop(runs);
    for (candidate, agent) in picks {
        // A personal callback waits until its own agent is free.
        let agent = match candidate.attempts.as_ref().and_then(|a| a.callback_agent) {
            Some(owner) if free.contains(&owner) => Some(owner),
            Some(_) => continue,
            None => agent,
        };
        match call_flow::place(state, &dialer, &telephony, call, &candidate, agent).await {
            Ok(_) => {}
            Err(CallError::Store(StoreError::Conflict(_)) | CallError::Move(_)) => {} // the agent moved meanwhile
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// The tenant a campaign belongs to is checked by the caller.
pub(crate) fn campaign_call(tenant: TenantId, campaign: &Campaign) -> CampaignCall {
    CampaignCall { tenant, campaign: campaign.id, settings: Arc::new(campaign.settings.clone()) }
}

/// The campaign's run, loaded from the database the first time it is needed.
async fn run_of<'a>(
    runs: &'a mut HashMap<i64, CampaignRun>,
    state: &AppState,
    call: &CampaignCall,
    now: UnixTime,
) -> Result<&'a mut CampaignRun, StoreError> {
    Ok(match runs.entry(call.campaign) {
        Entry::Occupied(run) => run.into_mut(),
        Entry::Vacant(slot) => slot.insert(CampaignRun::load(state.store.as_ref(), call.tenant, call.campaign, &call.settings, now).await?),
    })
}

/// Agents free to take work, longest idle first.
pub(crate) fn longest_idle_first(statuses: &[AgentStatus]) -> Vec<&AgentStatus> {
    let mut free: Vec<&AgentStatus> = statuses.iter().filter(|s| s.state.can_take_work()).collect();
    free.sort_by_key(|s| s.since);
    free
}
