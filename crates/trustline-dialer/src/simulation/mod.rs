//! Capacity planning: the call engine itself, run in virtual time. A paused
//! single-threaded runtime plays hours in seconds: the engine dials through
//! the simulated carrier (the one `serve` uses), over an in-memory world
//! holding the simulated list and agents, who wrap up and preview through
//! the same desk as people do. Nothing here decides when to dial; the
//! figures are those of the code that dials.

mod agents;
mod list;
mod memory_world;

pub use list::{ListConfig, PlacedCall};

use crate::engine::{Engine, EngineSettings};
use crate::time::TokioTime;
use agents::SimulatedAgents;
use memory_world::MemoryWorld;
use serde::Serialize;
use std::sync::Arc;
use trustline_domain::dialing::{AbandonmentPolicy, CampaignSettings, DialingMode, Disposition};
use trustline_domain::{Clock, UnixTime};
use trustline_telephony::{CarrierProfile, SimulatedTelephony};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimulationConfig {
    pub agents: u32,
    pub hours: f64,
    pub seed: u64,
    pub carrier: CarrierProfile,
    /// Median wrap-up after a conversation.
    pub wrap_median_ms: f64,
    /// Time an agent reads a contact before dialling in preview mode.
    pub preview_ms: u32,
    pub policy: AbandonmentPolicy,
    pub list: ListConfig,
}

impl SimulationConfig {
    pub fn new(agents: u32, hours: f64, answer_rate: f64, seed: u64) -> Self {
        Self {
            agents,
            hours,
            seed,
            carrier: CarrierProfile { answer_rate, ..CarrierProfile::default() },
            wrap_median_ms: 15_000.0,
            preview_ms: 10_000,
            policy: AbandonmentPolicy::default(),
            list: ListConfig::default(),
        }
    }
}

/// What one mode achieved. Occupancy is time in conversation or wrap-up
/// over staffed time (previewing and waiting for an answer are not).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModeReport {
    pub occupancy: f64,
    /// Abandoned over answered by a person.
    pub abandonment_rate: f64,
    pub talk_minutes_per_agent_hour: f64,
    /// Conversations per agent hour.
    pub contacts_per_agent_hour: f64,
    pub calls_placed: u64,
    pub answered: u64,
    pub abandoned: u64,
}

/// One report per mode, keyed by mode name in JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimulationReport {
    pub preview: ModeReport,
    pub progressive: ModeReport,
    pub predictive: ModeReport,
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    #[error("the simulation's runtime could not start: {0}")]
    Runtime(#[from] std::io::Error),
    #[error("the simulated agents could not log in: {0}")]
    LogIn(#[from] crate::agent_moves::MoveError),
    #[error("the simulation of {0} mode stopped unexpectedly")]
    Stopped(&'static str),
}

/// Runs every mode, side by side.
pub fn simulate_all(config: &SimulationConfig) -> Result<SimulationReport, SimulationError> {
    std::thread::scope(|scope| {
        let [preview, progressive, predictive] = DialingMode::ALL.map(|mode| scope.spawn(move || simulate(config, mode)));
        let joined = |run: std::thread::ScopedJoinHandle<'_, Result<ModeReport, SimulationError>>, mode: DialingMode| {
            run.join().map_err(|_| SimulationError::Stopped(mode.as_str()))?
        };
        Ok(SimulationReport {
            preview: joined(preview, DialingMode::Preview)?,
            progressive: joined(progressive, DialingMode::Progressive)?,
            predictive: joined(predictive, DialingMode::Predictive)?,
        })
    })
}

/// Runs one mode for `config.hours` of virtual time.
pub fn simulate(config: &SimulationConfig, mode: DialingMode) -> Result<ModeReport, SimulationError> {
    Ok(simulate_calls(config, mode)?.0)
}

/// Runs one mode and also returns every call placed, in order. The run
/// has a thread and a runtime of its own, so it may be called from
/// anywhere, a runtime's thread included.
pub fn simulate_calls(config: &SimulationConfig, mode: DialingMode) -> Result<(ModeReport, Vec<PlacedCall>), SimulationError> {
    std::thread::scope(|scope| {
        let run = scope.spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()?;
            runtime.block_on(run(config, mode))
        });
        run.join().map_err(|_| SimulationError::Stopped(mode.as_str()))?
    })
}

/// Wall-clock time in the simulation: the list's start plus the virtual time gone by.
struct VirtualWall {
    start: UnixTime,
    origin: tokio::time::Instant,
}

impl Clock for VirtualWall {
    fn now(&self) -> UnixTime {
        self.start.saturating_add(i64::try_from(self.origin.elapsed().as_secs()).unwrap_or(i64::MAX))
    }
}

/// The campaign the simulated agents work.
fn campaign(config: &SimulationConfig, mode: DialingMode) -> CampaignSettings {
    CampaignSettings {
        name: "Simulated campaign".into(),
        mode,
        lists: vec!["Simulated list".into()],
        caller_id: None,
        retry: config.list.retry,
        abandonment: config.policy,
        hours: Vec::new(),
        holidays: Vec::new(),
        script: String::new(),
        dispositions: Disposition::defaults(),
        // Agents take the wrap-up they need.
        wrap_up_seconds: 0,
        alerts: Default::default(),
    }
}

async fn run(config: &SimulationConfig, mode: DialingMode) -> Result<(ModeReport, Vec<PlacedCall>), SimulationError> {
    let length = std::time::Duration::from_secs_f64(config.hours.max(0.0) * 3600.0);
    let wall = VirtualWall { start: config.list.start, origin: tokio::time::Instant::now() };
    let time = Arc::new(TokioTime::new(Arc::new(wall)));
    let (world, news) = MemoryWorld::new(config.list.clone(), campaign(config, mode), time.clone());
    let world = Arc::new(world);
    let engine = Engine::new(world.clone(), time);
    let agents = SimulatedAgents {
        count: config.agents,
        mode,
        wrap_median_ms: config.wrap_median_ms,
        preview_ms: config.preview_ms,
        seed: config.seed,
    };
    agents.log_in(&engine).await?;
    let floor = tokio::spawn(agents.work(engine.clone(), news));
    engine.start(Arc::new(SimulatedTelephony::new(config.carrier.clone(), config.seed, 1.0)), EngineSettings::default());
    tokio::time::sleep(length).await;
    floor.abort();
    let ledger = world.ledger();
    let staffed_ms = f64::from(config.agents) * length.as_secs_f64() * 1000.0;
    let agent_hours = staffed_ms / 3_600_000.0;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let report = ModeReport {
        occupancy: ratio(ledger.busy_ms as f64, staffed_ms),
        abandonment_rate: ratio(ledger.abandoned as f64, ledger.answered as f64),
        talk_minutes_per_agent_hour: ratio(ledger.talk_ms as f64 / 60_000.0, agent_hours),
        contacts_per_agent_hour: ratio(ledger.conversations as f64, agent_hours),
        calls_placed: ledger.placed.len() as u64,
        answered: ledger.answered,
        abandoned: ledger.abandoned,
    };
    Ok((report, ledger.placed))
}

#[cfg(test)]
mod tests {
    //! The engine driven in virtual time by the test itself, millisecond by
    //! millisecond: an answered call placed ahead of agents waits for one on
    //! an alarm, not by polling, so it is abandoned at its deadline exactly,
    //! and taken at once by an agent freed before it.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::agent_moves::carry_out;
    use crate::world::World;
    use memory_world::TENANT;
    use std::time::Duration;
    use trustline_audit::AuditDraft;
    use trustline_domain::agent::{AgentEvent, BreakReason};
    use trustline_domain::{AuditAction, CallResult, UserId};
    use trustline_store::{CallRecord, CallState};

    const AGENT: UserId = UserId(1);

    /// One agent, logged in, and a predictive campaign whose every call is answered.
    async fn floor() -> (Engine, Arc<MemoryWorld>) {
        let mut config = SimulationConfig::new(1, 1.0, 1.0, 7);
        config.carrier = CarrierProfile { answer_rate: 1.0, machine_rate: 0.0, busy_rate: 0.0, ..CarrierProfile::default() };
        let wall = VirtualWall { start: config.list.start, origin: tokio::time::Instant::now() };
        let time = Arc::new(TokioTime::new(Arc::new(wall)));
        let (world, _news) = MemoryWorld::new(config.list.clone(), campaign(&config, DialingMode::Predictive), time.clone());
        let world = Arc::new(world);
        let engine = Engine::new(world.clone(), time);
        let agents = SimulatedAgents { count: 1, mode: DialingMode::Predictive, wrap_median_ms: 1.0, preview_ms: 0, seed: 7 };
        agents.log_in(&engine).await.unwrap();
        engine.start(Arc::new(SimulatedTelephony::new(config.carrier, config.seed, 1.0)), EngineSettings::default());
        (engine, world)
    }

    async fn the_call(world: &MemoryWorld) -> Option<CallRecord> {
        world.call(TENANT, 1).await.unwrap()
    }

    /// Steps virtual time a millisecond at a time until the first call is in `state`; the engine's clock then.
    async fn until(engine: &Engine, world: &MemoryWorld, state: CallState) -> u64 {
        for _ in 0..120_000 {
            if the_call(world).await.is_some_and(|c| c.state == state) {
                return engine.time.millis();
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("the call never reached {state:?}: {:?}", the_call(world).await);
    }

    async fn step_to(engine: &Engine, at: u64) {
        while engine.time.millis() < at {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    async fn agent_event(engine: &Engine, event: AgentEvent, name: &str) {
        let audit = AuditDraft::new(engine.time.now(), TENANT.0, "user:1", AuditAction::AgentState, "user:1");
        carry_out(engine, TENANT, AGENT, event, name, audit).await.unwrap();
    }

    fn lunch() -> AgentEvent {
        AgentEvent::TakeBreak { reason: BreakReason::parse("lunch").unwrap() }
    }

    #[tokio::test(start_paused = true)]
    async fn an_answered_call_nobody_takes_is_abandoned_at_its_deadline_exactly() {
        let (engine, world) = floor().await;
        until(&engine, &world, CallState::Ringing).await;
        agent_event(&engine, lunch(), "take_break").await;
        let answered = until(&engine, &world, CallState::Answered).await;
        step_to(&engine, answered + 1_998).await;
        assert_eq!(the_call(&world).await.unwrap().state, CallState::Answered, "still waiting within the 2 s allowed");
        step_to(&engine, answered + 2_002).await;
        let call = the_call(&world).await.unwrap();
        assert_eq!((call.state, call.result, call.agent_id), (CallState::Done, Some(CallResult::Abandoned), None));
    }

    #[tokio::test(start_paused = true)]
    async fn an_agent_freed_while_an_answered_call_waits_takes_it_at_once() {
        let (engine, world) = floor().await;
        until(&engine, &world, CallState::Ringing).await;
        agent_event(&engine, lunch(), "take_break").await;
        let answered = until(&engine, &world, CallState::Answered).await;
        step_to(&engine, answered + 550).await;
        agent_event(&engine, AgentEvent::EndBreak, "end_break").await;
        let connected = until(&engine, &world, CallState::Connected).await;
        assert!(connected <= answered + 552, "taken when the agent was freed, not at a poll: {connected} after an answer at {answered}");
        let call = the_call(&world).await.unwrap();
        assert_eq!((call.agent_id, call.result), (Some(AGENT), None));
    }
}
