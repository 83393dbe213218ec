//! A discrete-event simulation in milliseconds of virtual time: agents,
//! calls and the carrier, with the dialer deciding after every event.

mod call_list;

use call_list::CallList;
pub use call_list::{ListConfig, PlacedCall};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use trustline_domain::UnixTime;
use trustline_domain::dialing::DispositionOutcome;
use trustline_domain::dialing::{AbandonmentPolicy, AbandonmentWindow, AgentBusy, DialerView, DialingMode, PacingEstimate, calls_to_place};
use trustline_telephony::{CallOutcome, CarrierProfile, SeededRandom, SimulatedCarrier};

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

pub fn simulate_all(config: &SimulationConfig) -> SimulationReport {
    SimulationReport {
        preview: simulate(config, DialingMode::Preview),
        progressive: simulate(config, DialingMode::Progressive),
        predictive: simulate(config, DialingMode::Predictive),
    }
}

#[derive(Clone, Copy, Debug)]
enum Agent {
    Free,
    Previewing {
        contact: usize,
    },
    /// Waiting for the call placed for them.
    Waiting,
    Talking {
        since: u64,
    },
    WrappingUp {
        since: u64,
    },
}

#[derive(Clone, Copy)]
struct Call {
    contact: usize,
    agent: Option<usize>,
    outcome: CallOutcome,
    dialled_at: u64,
    connected: bool,
}

/// How often the dialer looks again when nothing else happens.
const TICK_MS: u64 = 60_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// Looks for contacts again (a window may have opened).
    Tick,
    PreviewDone(usize),
    CallResolved(usize),
    GiveUp(usize),
    TalkEnd(usize, u32),
    WrapEnd(usize, u32, u32),
}

struct Simulation<'a> {
    config: &'a SimulationConfig,
    mode: DialingMode,
    end: u64,
    now: u64,
    sequence: u64,
    events: BinaryHeap<Reverse<(u64, u64, Event)>>,
    agents: Vec<Agent>,
    /// Free agents, longest idle first.
    idle: VecDeque<usize>,
    calls: Vec<Call>,
    /// Answered calls not tied to an agent, waiting for one.
    waiting: VecDeque<usize>,
    /// Calls placed ahead of agents and not resolved yet.
    ringing: Vec<usize>,
    carrier: SimulatedCarrier,
    list: CallList<'a>,
    wraps: SeededRandom,
    estimate: PacingEstimate,
    window: AbandonmentWindow,
    busy_ms: u64,
    talk_ms: u64,
    conversations: u64,
    answered: u64,
    abandoned: u64,
}

/// Runs one mode for `config.hours` of virtual time.
pub fn simulate(config: &SimulationConfig, mode: DialingMode) -> ModeReport {
    simulate_calls(config, mode).0
}

/// Runs one mode and also returns every call placed, in order.
pub fn simulate_calls(config: &SimulationConfig, mode: DialingMode) -> (ModeReport, Vec<PlacedCall>) {
    let end = (config.hours.max(0.0) * 3_600_000.0) as u64;
    let agents = config.agents as usize;
    let mut simulation = Simulation {
        config,
        mode,
        end,
        now: 0,
        sequence: 0,
        events: BinaryHeap::new(),
        agents: vec![Agent::Free; agents],
        idle: (0..agents).collect(),
        calls: Vec::new(),
        waiting: VecDeque::new(),
        ringing: Vec::new(),
        carrier: SimulatedCarrier::new(config.carrier.clone(), config.seed),
        list: CallList::new(&config.list),
        wraps: SeededRandom::new(config.seed ^ 0x5EED_0F3A_4B00),
        estimate: PacingEstimate::default(),
        window: AbandonmentWindow::new(config.policy.window),
        busy_ms: 0,
        talk_ms: 0,
        conversations: 0,
        answered: 0,
        abandoned: 0,
    };
    simulation.run();
    let report = simulation.report();
    (report, simulation.list.placed)
}

impl Simulation<'_> {
    fn set_agent(&mut self, agent: usize, state: Agent) {
        if let Some(slot) = self.agents.get_mut(agent) {
            *slot = state;
        }
    }

    fn schedule(&mut self, at: u64, event: Event) {
        self.sequence += 1;
        self.events.push(Reverse((at, self.sequence, event)));
    }

    fn run(&mut self) {
        self.schedule(TICK_MS, Event::Tick);
        self.dial();
        while let Some(Reverse((at, _, event))) = self.events.pop() {
            if at > self.end {
                break;
            }
            self.now = at;
            match event {
                Event::Tick => self.schedule(at + TICK_MS, Event::Tick),
                Event::PreviewDone(agent) => self.preview_done(agent),
                Event::CallResolved(call) => self.resolve(call),
                Event::GiveUp(call) => self.give_up(call),
                Event::TalkEnd(agent, talk) => self.wrap_up(agent, talk),
                Event::WrapEnd(agent, talk, wrap) => {
                    self.estimate.record_handled(talk, wrap);
                    self.free(agent);
                }
            }
            self.dial();
        }
    }

    /// Time from `start` for `length`, cut at the end of the run.
    fn within_run(&self, start: u64, length: u64) -> u64 {
        (start + length).min(self.end).saturating_sub(start)
    }

    /// Wall-clock time now.
    fn seconds(&self) -> UnixTime {
        self.config.list.start.saturating_add(i64::try_from(self.now / 1000).unwrap_or(i64::MAX))
    }

    fn dial(&mut self) {
        if self.now >= self.end {
            return;
        }
        match self.mode {
            DialingMode::Preview => {
                while let Some(&agent) = self.idle.front() {
                    let Some(contact) = self.list.next(self.seconds()) else { break };
                    self.idle.pop_front();
                    self.set_agent(agent, Agent::Previewing { contact });
                    self.schedule(self.now + u64::from(self.config.preview_ms), Event::PreviewDone(agent));
                }
            }
            DialingMode::Progressive => {
                while let Some(&agent) = self.idle.front() {
                    let Some(contact) = self.list.next(self.seconds()) else { break };
                    self.idle.pop_front();
                    self.place_call(Some(agent), contact);
                }
            }
            DialingMode::Predictive => {
                let busy: Vec<AgentBusy> = self
                    .agents
                    .iter()
                    .filter_map(|agent| match *agent {
                        Agent::Talking { since } => Some(AgentBusy::Talking { elapsed_ms: elapsed(self.now, since) }),
                        Agent::WrappingUp { since } => Some(AgentBusy::WrappingUp { elapsed_ms: elapsed(self.now, since) }),
                        _ => None,
                    })
                    .collect();
                let ringing: Vec<u32> =
                    self.ringing.iter().filter_map(|&call| self.calls.get(call)).map(|c| elapsed(self.now, c.dialled_at)).collect();
                let view = DialerView {
                    free_agents: self.idle.len() as u32,
                    busy: &busy,
                    ringing: &ringing,
                    answer_wait_ms: self.config.policy.max_wait_ms,
                };
                let target = self.config.policy.target_rate(&self.window, self.seconds());
                for _ in 0..calls_to_place(DialingMode::Predictive, view, &self.estimate, target) {
                    let Some(contact) = self.list.next(self.seconds()) else { break };
                    self.place_call(None, contact);
                }
            }
        }
    }

    /// The contact is checked again when the agent has read it: the window
    /// may have closed meanwhile.
    fn preview_done(&mut self, agent: usize) {
        let Some(&Agent::Previewing { contact }) = self.agents.get(agent) else { return };
        if self.list.check(contact, self.seconds()) {
            self.place_call(Some(agent), contact);
        } else {
            self.free(agent);
        }
    }

    fn place_call(&mut self, agent: Option<usize>, contact: usize) {
        self.list.dialled(contact, self.seconds());
        let outcome = self.carrier.dial();
        let call = self.calls.len();
        self.calls.push(Call { contact, agent, outcome, dialled_at: self.now, connected: false });
        match agent {
            Some(agent) => self.set_agent(agent, Agent::Waiting),
            None => self.ringing.push(call),
        }
        self.schedule(self.now + u64::from(outcome.resolved_after_ms()), Event::CallResolved(call));
    }

    fn resolve(&mut self, call: usize) {
        let Some(&Call { contact, agent, outcome, dialled_at, .. }) = self.calls.get(call) else { return };
        if agent.is_none() {
            self.ringing.retain(|&c| c != call);
        }
        let person = matches!(outcome, CallOutcome::Person { .. });
        self.estimate.record_attempt(person, elapsed(self.now, dialled_at));
        if !person {
            self.list.outcome(contact, DispositionOutcome::RetryLater);
            if let Some(agent) = agent {
                self.free(agent);
            }
            return;
        }
        self.answered += 1;
        match agent.or_else(|| self.idle.pop_front()) {
            Some(agent) => self.connect(call, agent),
            None => {
                self.waiting.push_back(call);
                self.schedule(self.now + u64::from(self.config.policy.max_wait_ms), Event::GiveUp(call));
            }
        }
    }

    fn give_up(&mut self, call: usize) {
        if self.calls.get(call).is_none_or(|c| c.connected) {
            return;
        }
        self.waiting.retain(|&c| c != call);
        if let Some(placed) = self.calls.get(call) {
            self.list.outcome(placed.contact, DispositionOutcome::RetryLater);
        }
        self.abandoned += 1;
        self.window.record(self.seconds(), true);
    }

    fn connect(&mut self, call: usize, agent: usize) {
        let Some(placed) = self.calls.get_mut(call) else { return };
        placed.connected = true;
        let (contact, outcome) = (placed.contact, placed.outcome);
        self.list.outcome(contact, DispositionOutcome::Final);
        let CallOutcome::Person { talk_ms, .. } = outcome else { return };
        self.window.record(self.seconds(), false);
        self.set_agent(agent, Agent::Talking { since: self.now });
        self.conversations += 1;
        let talked = self.within_run(self.now, u64::from(talk_ms));
        self.talk_ms += talked;
        self.busy_ms += talked;
        self.schedule(self.now + u64::from(talk_ms), Event::TalkEnd(agent, talk_ms));
    }

    fn wrap_up(&mut self, agent: usize, talk_ms: u32) {
        let wrap_ms = self.wraps.log_normal(self.config.wrap_median_ms, 0.5).clamp(1_000.0, 600_000.0) as u32;
        self.set_agent(agent, Agent::WrappingUp { since: self.now });
        self.busy_ms += self.within_run(self.now, u64::from(wrap_ms));
        self.schedule(self.now + u64::from(wrap_ms), Event::WrapEnd(agent, talk_ms, wrap_ms));
    }

    /// An agent is free: an answered call waiting for someone comes first.
    fn free(&mut self, agent: usize) {
        self.set_agent(agent, Agent::Free);
        if let Some(call) = self.waiting.pop_front() {
            self.connect(call, agent);
        } else {
            self.idle.push_back(agent);
        }
    }

    fn report(&self) -> ModeReport {
        let staffed_ms = self.config.agents as f64 * self.end as f64;
        let agent_hours = staffed_ms / 3_600_000.0;
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        ModeReport {
            occupancy: ratio(self.busy_ms as f64, staffed_ms),
            abandonment_rate: ratio(self.abandoned as f64, self.answered as f64),
            talk_minutes_per_agent_hour: ratio(self.talk_ms as f64 / 60_000.0, agent_hours),
            contacts_per_agent_hour: ratio(self.conversations as f64, agent_hours),
            calls_placed: self.calls.len() as u64,
            answered: self.answered,
            abandoned: self.abandoned,
        }
    }
}

fn elapsed(now: u64, since: u64) -> u32 {
    u32::try_from(now.saturating_sub(since)).unwrap_or(u32::MAX)
}
