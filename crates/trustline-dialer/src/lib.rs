//! The call engine: everything that moves calls and agents while they
//! work. Outbound, the live dialer runs campaigns (progressive, predictive
//! with its pacing and abandonment cap, preview) through the dialing gate;
//! inbound, the switchboard takes arrivals, routes them to agents by queue,
//! skills and priority, rings desks and offers callbacks; the desk is the
//! agent's side of both (dial, skip, hold, hang up, disposition), and agent
//! moves apply the domain's state machine to the state on record.
//!
//! The engine owns these rules and no I/O of its own. It reaches the
//! outside through three ports: the `World` (campaigns, agents, calls and
//! contacts, each change written with its audit event; `StoreWorld` over
//! the database in a server), `Telephony` (the carrier), and `EngineTime`
//! (wall-clock time, and milliseconds with alarms, so that nothing polls and
//! a paused runtime runs it in virtual time).
//!
//! `simulation` plays a campaign in virtual time against the simulated
//! carrier for capacity planning.

mod agent_moves;
mod call_moves;
mod consult;
mod desk_presence;
mod engine;
mod inbound;
mod line;
mod monitoring;
mod news;
mod outbound;
mod simulation;
mod softphone;
mod start;
mod store_world;
mod tenant_hold;
mod time;
mod transfer;
mod world;

pub use agent_moves::{MoveError, carry_out};
pub use call_moves::CallError;
pub use consult::{
    ConsultKind, complete_consult, conference, consult, consult_colleague, consultation_of, consulted_in, end_consult, leave_consultation,
};
pub use desk_presence::seen;
pub use engine::{Consultation, Consulted, Engine, EngineSettings};
pub use inbound::{accept, answer_by, decline};
pub use monitoring::monitor_agent;
pub use news::{News, Origin};
pub use outbound::desk::{self, DeskError, DispositionError, DispositionRequest};
pub use outbound::manual_call::call_number;
pub use simulation::{
    ListConfig, ModeReport, PlacedCall, SimulationConfig, SimulationError, SimulationReport, simulate, simulate_all, simulate_calls,
};
pub use softphone::{close_softphone, open_softphone, ring_desk_phone, serves_softphones};
pub use store_world::{Announcer, StoreWorld};
pub use time::{Alarm, EngineTime, TokioTime};
pub use transfer::{TransferTarget, transfer, transfer_outside};
pub use world::{Holding, World};
