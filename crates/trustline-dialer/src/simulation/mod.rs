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
