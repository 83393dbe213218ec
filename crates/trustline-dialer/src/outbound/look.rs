//! The engine's loop. Every running campaign of every tenant is looked at
//! after each change (an agent freed, a call resolved) and at least every
//! `EngineSettings::tick`: answered calls waiting for an agent are served
//! first, then overdue wrap-ups end, deserted desks are logged out and the
//! switchboard gives waiting inbound calls to ready agents; then
//! progressive campaigns dial one contact per free agent, predictive ones
//! as many as pacing allows, and preview ones wait for agents to ask (see
//! `desk`). Every call passes the dialing gate at the moment it is placed.
//!
//! Each tenant is looked at by the node holding its lease (`tenant_hold`).

use super::after_call_work;
use super::answered;
use super::call_flow::{self, CallError};
use super::campaign_run::{CampaignCall, run_of, running};
use crate::agent_moves::longest_idle_first;
use crate::engine::{Engine, EngineSettings};
use trustline_domain::UserId;
use trustline_domain::agent::AgentState;
use trustline_domain::dialing::{AgentBusy, DialerView, DialingMode, calls_to_place};
use trustline_store::{AgentStatus, StoreError};

/// Looks at the campaigns after each wake and at least every tick, until
/// the process ends.
pub(crate) fn start(engine: &Engine, settings: EngineSettings) {
    let engine = engine.clone();
    let tick = u64::try_from(settings.tick.as_millis()).unwrap_or(u64::MAX);
    tokio::spawn(async move {
        loop {
            if let Err(error) = look(&engine).await {
                tracing::warn!(%error, "the engine could not look at the campaigns");
            }
            engine.woken_or_at(engine.time.millis().saturating_add(tick)).await;
        }
    });
}

async fn look(engine: &Engine) -> Result<(), CallError> {
    for tenant in engine.world.working_tenants().await? {
        // Another node works this tenant's calls.
        if !crate::tenant_hold::works(engine, tenant).await {
            continue;
        }
        // A person on the line waiting for an agent is abandoned within seconds: first.
        if let Err(error) = answered::serve(engine, tenant).await {
            tracing::warn!(%error, tenant = tenant.0, "answered calls could not be given agents");
        }
        // Wrap-ups past their limit end, so the agent is free again.
        if let Err(error) = after_call_work::end_overdue(engine, tenant).await {
            tracing::warn!(%error, tenant = tenant.0, "wrap-ups past their limit could not be closed");
        }
        // No call goes to an agent whose desk is gone.
        if let Err(error) = crate::desk_presence::log_out_deserted(engine, tenant).await {
            tracing::warn!(%error, tenant = tenant.0, "agents whose desk is gone could not be logged out");
        }
        // Waiting callers first: blended agents take them before campaigns dial.
        if let Err(error) = crate::inbound::distribution::distribute(engine, tenant).await {
            tracing::warn!(%error, tenant = tenant.0, "waiting calls could not be distributed");
        }
        let campaigns = running(tenant, engine.world.campaigns(tenant).await?);
        let dialling: Vec<_> = campaigns.into_iter().filter(|c| c.settings.mode != DialingMode::Preview).collect();
        if dialling.is_empty() {
            continue;
        }
        let statuses = engine.world.agent_statuses(tenant).await?;
        let free = longest_idle_first(&statuses);
        let mut busy: Vec<&AgentStatus> = statuses.iter().filter(|s| matches!(s.state, AgentState::OnCall | AgentState::WrapUp)).collect();
        busy.sort_by_key(|s| s.user_id);
        // Blended agents are shared between the campaigns in turn.
        let count = dialling.len();
        for (i, call) in dialling.iter().enumerate() {
            let share: Vec<UserId> = free.iter().skip(i).step_by(count).map(|s| s.user_id).collect();
            let busy_share: Vec<&AgentStatus> = busy.iter().skip(i).step_by(count).copied().collect();
            dial_campaign(engine, call, &share, &busy_share).await?;
        }
    }
    Ok(())
}

async fn dial_campaign(engine: &Engine, call: &CampaignCall, free: &[UserId], busy: &[&AgentStatus]) -> Result<(), CallError> {
    let Some(telephony) = engine.telephony().cloned() else { return Ok(()) };
    let now = engine.time.now();
    let mut runs = engine.runs.lock().await;
    let run = run_of(&mut runs, engine.world.as_ref(), call, now).await?;
    let mut picks = Vec::new();
    match call.settings.mode {
        DialingMode::Preview => {}
        DialingMode::Progressive => {
            for agent in free {
                let Some(candidate) = run.next(engine.world.as_ref(), call.tenant, call.campaign, &call.settings, now).await? else {
                    break;
                };
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
            let ringing = run.ringing_ms(engine.time.millis());
            let view = DialerView {
                free_agents: u32::try_from(free.len()).unwrap_or(u32::MAX),
                busy: &busy,
                ringing: &ringing,
                answer_wait_ms: call.settings.abandonment.max_wait_ms,
            };
            let target = call.settings.abandonment.target_rate(&run.window, now);
            for _ in 0..calls_to_place(DialingMode::Predictive, view, &run.estimate, target) {
                let Some(candidate) = run.next(engine.world.as_ref(), call.tenant, call.campaign, &call.settings, now).await? else {
                    break;
                };
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
        match call_flow::place(engine, &telephony, call, &candidate, agent).await {
            Ok(_) => {}
            Err(CallError::Store(StoreError::Conflict(_)) | CallError::Move(_)) => {} // the agent moved meanwhile
            Err(error) => return Err(error),
        }
    }
    Ok(())
}
