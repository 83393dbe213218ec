//! Inbound routing: which agent takes a call, which waiting call an agent
//! who becomes free takes, overflow between queues, service level, the
//! callback offer, and when a queue is open.

mod queue_rules;
mod router;

pub use queue_rules::{OpeningHours, ServiceLevel, offer_callback};
pub use router::{AgentSkills, CallId, Overflow, QueueConfig, QueueId, Routed, Router, RouterError, RoutingStrategy, SkillId};
