//! Inbound routing: which agent takes a call, which waiting call an agent
//! who becomes free takes, overflow between queues, service level, the
//! callback offer, and when a queue is open.

mod queue_rules;
mod queue_settings;
mod router;
mod skills;

pub use queue_rules::{OpeningHours, ServiceLevel, offer_callback};
pub use queue_settings::{QueueInput, QueueOverflow, QueueSettings, ServiceLevelGoal};
pub use router::{AgentSkills, CallId, Overflow, QueueConfig, QueueId, Routed, Router, RouterError, RoutingStrategy, SkillId};
pub use skills::{MAX_SKILLS, SKILL_NAME, SkillBook, SkillLevel, SkillLevels, check_skills, meets};
