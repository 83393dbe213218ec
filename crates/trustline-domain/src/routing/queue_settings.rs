//! An inbound queue's settings as an administrator writes them, checked
//! field by field: the number callers dial, the skills it requires, its
//! priority and routing strategy, overflow, service-level goal, callback
//! offer, opening hours, script and dispositions.

use super::skills::{SkillBook, SkillLevels, check_skills};
use super::{OpeningHours, Overflow, QueueConfig, QueueId, RoutingStrategy};
use crate::UnixTime;
use crate::alerts::QueueAlerts;
use crate::contact::{E164, FieldError};
use crate::dialing::calling_window::{DailyHours, WeeklyHours};
use crate::dialing::campaign::{WorkRules, check_work_rules};
use crate::dialing::{Disposition, DispositionOutcome};
use crate::text::required_text;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [
    { "properties": { "overflow_after_seconds": { "type": "null" }, "overflow_to": { "type": "null" } } },
    {
        "required": ["overflow_after_seconds", "overflow_to"],
        "properties": { "overflow_after_seconds": { "type": "integer" }, "overflow_to": { "type": "string" } },
    },
]))]
pub struct QueueInput {
    #[schemars(length(min = 1, max = 100), pattern(crate::NOT_BLANK))]
    pub name: String,
    /// The number callers dial to reach this queue, in E.164.
    #[schemars(pattern(E164::PATTERN))]
    pub number: String,
    /// Skills an agent needs, each at least at its level.
    #[serde(default)]
    pub skills: SkillLevels,
    /// 1 to 9; an agent serving several queues takes the highest first. Default 5.
    #[schemars(range(min = 1, max = 9))]
    pub priority: Option<u8>,
    /// `longest_idle` (default) or `skills_weighted`.
    #[schemars(extend("enum" = ["longest_idle", "skills_weighted", null]))]
    pub strategy: Option<String>,
    /// After this wait a call may also go to the agents of `overflow_to`;
    /// give both or neither.
    #[schemars(range(min = 1, max = 3600))]
    pub overflow_after_seconds: Option<u32>,
    /// The name of another of the tenant's queues calls overflow to.
    #[schemars(pattern(crate::NOT_BLANK))]
    pub overflow_to: Option<String>,
    /// Answered within this many seconds counts towards the service level (default 20).
    #[schemars(range(min = 1, max = 3600))]
    pub service_level_seconds: Option<u32>,
    /// The share to answer within that time (default 0.8).
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 1))]
    pub service_level_target: Option<f64>,
    /// Offer callers a callback when their expected wait is longer than this.
    #[schemars(range(min = 10, max = 3600))]
    pub callback_after_seconds: Option<u32>,
    /// An agent has this long (5 to 120 s) to accept an incoming call, which
    /// rings at their desk meanwhile; unanswered, it goes back to the queue.
    /// None: calls connect to the agent at once.
    #[schemars(range(min = 5, max = 120))]
    pub answer_within_seconds: Option<u32>,
    /// IANA time zone of the opening hours (default UTC).
    #[schemars(extend("format" = "time-zone"))]
    pub time_zone: Option<String>,
    /// Opening hours such as `mon-fri 08:00-18:00`; none: always open. A
    /// span ending at or before its start runs past midnight.
    #[serde(default)]
    #[schemars(inner(pattern(crate::dialing::HOURS_RULE)))]
    pub hours: Vec<String>,
    /// Dates (`YYYY-MM-DD`, in the queue's zone) the queue is closed.
    #[serde(default)]
    #[schemars(extend("items" = { "type": "string", "format": "date", "pattern": crate::dialing::CALENDAR_DATE }))]
    pub holidays: Vec<String>,
    /// What the agent reads to the caller.
    #[schemars(length(max = crate::dialing::campaign::MAX_SCRIPT_CHARS))]
    pub script: Option<String>,
    /// Seconds of wrap-up after a call before the agent is made available
    /// and the call closed as `wrap_up_timeout` (default 120; 0: no limit).
    #[schemars(range(max = crate::agent::MAX_WRAP_UP_SECONDS))]
    pub wrap_up_seconds: Option<u32>,
    /// The dispositions agents choose from, in the order agents see them,
    /// each code once; a default set when absent. An inbound call has no
    /// list to call back from, so no callback or retry_later outcome.
    #[schemars(length(min = 1, max = 50), with = "Option<Vec<InboundDisposition>>")]
    pub dispositions: Option<Vec<Disposition>>,
    /// Where the wallboard turns this queue's figures amber and red.
    pub alerts: Option<QueueAlerts>,
}

/// After `after_seconds` a waiting call may go to the agents of queue `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QueueOverflow {
    pub after_seconds: u32,
    pub to: String,
}

/// Answer `target` of calls within `seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServiceLevelGoal {
    pub seconds: u32,
    pub target: f64,
}

/// Checked settings, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QueueSettings {
    pub name: String,
    pub number: E164,
    pub skills: SkillLevels,
    pub priority: u8,
    pub strategy: RoutingStrategy,
    pub overflow: Option<QueueOverflow>,
    pub service_level: ServiceLevelGoal,
    pub callback_after_seconds: Option<u32>,
    /// Settings stored before offers existed connect at once.
    #[serde(default)]
    pub answer_within_seconds: Option<u32>,
    pub time_zone: String,
    pub hours: Vec<String>,
    #[schemars(with = "Vec<String>", extend("items" = { "type": "string", "format": "date" }))]
    pub holidays: Vec<jiff::civil::Date>,
    pub script: String,
    pub dispositions: Vec<Disposition>,
    /// Seconds of wrap-up allowed; 0: no limit.
    #[serde(default = "crate::dialing::campaign::default_wrap_up")]
    pub wrap_up_seconds: u32,
    /// Settings stored before alerts existed get the defaults.
    #[serde(default)]
    pub alerts: QueueAlerts,
}

/// An inbound call has no call list to schedule a retry or callback in.
fn inbound_outcome(outcome: DispositionOutcome) -> bool {
    !matches!(outcome, DispositionOutcome::Callback | DispositionOutcome::RetryLater)
}

/// How the API document describes an inbound queue's disposition: a
/// campaign's, without the outcomes [`inbound_outcome`] refuses.
struct InboundDisposition;

impl schemars::JsonSchema for InboundDisposition {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "InboundDisposition".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = Disposition::json_schema(generator);
        let outcomes: Vec<serde_json::Value> =
            DispositionOutcome::ALL.into_iter().filter(|o| inbound_outcome(*o)).filter_map(|o| serde_json::to_value(o).ok()).collect();
        if let Some(properties) = schema.get_mut("properties").and_then(serde_json::Value::as_object_mut) {
            properties.insert("outcome".into(), serde_json::json!({ "enum": outcomes }));
        }
        schema
    }
}

fn default_dispositions() -> Vec<Disposition> {
    use DispositionOutcome as O;
    vec![
        Disposition::new("resolved", "Resolved", O::Success),
        Disposition::new("unresolved", "Not resolved", O::Final),
        Disposition::new("do_not_call", "Do not call", O::DoNotCall),
    ]
}

impl QueueInput {
    /// Every problem at once, each with its field.
    pub fn validate(self) -> Result<QueueSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required_text("name", &self.name, 100, &mut errors);
        let number = E164::parse(&self.number)
            .map_err(|_| errors.push(FieldError::new("number", "must be a number in E.164 form, e.g. +442079460999")))
            .ok();
        check_skills("skills", &self.skills, &mut errors);
        let priority = self.priority.unwrap_or(5);
        if !(1..=9).contains(&priority) {
            errors.push(FieldError::new("priority", "must be 1 to 9"));
        }
        let strategy = match self.strategy.as_deref() {
            None => RoutingStrategy::LongestIdle,
            Some(text) => RoutingStrategy::parse(text).unwrap_or_else(|| {
                errors.push(FieldError::new("strategy", "must be longest_idle or skills_weighted"));
                RoutingStrategy::LongestIdle
            }),
        };
        let overflow = match (self.overflow_after_seconds, self.overflow_to.as_deref().map(str::trim)) {
            (None, None) => None,
            (Some(after_seconds), Some(to)) if !to.is_empty() => {
                if !(1..=3600).contains(&after_seconds) {
                    errors.push(FieldError::new("overflow_after_seconds", "must be 1 second to 1 hour"));
                }
                Some(QueueOverflow { after_seconds, to: to.to_owned() })
            }
            _ => {
                errors.push(FieldError::new("overflow_to", "give both overflow_after_seconds and overflow_to, or neither"));
                None
            }
        };
        let seconds = self.service_level_seconds.unwrap_or(20);
        if !(1..=3600).contains(&seconds) {
            errors.push(FieldError::new("service_level_seconds", "must be 1 second to 1 hour"));
        }
        let target = self.service_level_target.unwrap_or(0.8);
        if !(target > 0.0 && target <= 1.0) {
            errors.push(FieldError::new("service_level_target", "must be more than 0 and at most 1"));
        }
        if self.callback_after_seconds.is_some_and(|s| !(10..=3600).contains(&s)) {
            errors.push(FieldError::new("callback_after_seconds", "must be 10 seconds to 1 hour"));
        }
        if self.answer_within_seconds.is_some_and(|s| !(5..=120).contains(&s)) {
            errors.push(FieldError::new("answer_within_seconds", "must be 5 to 120 seconds"));
        }
        let time_zone = self.time_zone.as_deref().map_or("UTC", str::trim).to_owned();
        if jiff::tz::TimeZone::get(&time_zone).is_err() {
            errors.push(FieldError::new("time_zone", format!("unknown time zone {time_zone:?}")));
        }
        let WorkRules { hours, holidays, script, dispositions } =
            check_work_rules(&self.hours, &self.holidays, self.script, self.dispositions.unwrap_or_else(default_dispositions), &mut errors);
        for (i, d) in dispositions.iter().enumerate() {
            if !inbound_outcome(d.outcome) {
                errors.push(FieldError::new(
                    format!("dispositions[{i}].outcome"),
                    "an inbound queue has no call list to call back from: use success, final, do_not_call or wrong_number",
                ));
            }
        }
        let wrap_up_seconds = crate::agent::check_wrap_up(self.wrap_up_seconds, &mut errors);
        let alerts = self.alerts.unwrap_or_default().check(&mut errors);
        let Some(number) = number else { return Err(errors) };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(QueueSettings {
            name,
            number,
            skills: self.skills,
            priority,
            strategy,
            overflow,
            service_level: ServiceLevelGoal { seconds, target },
            callback_after_seconds: self.callback_after_seconds,
            answer_within_seconds: self.answer_within_seconds,
            time_zone,
            hours,
            holidays,
            script,
            dispositions,
            wrap_up_seconds,
            alerts,
        })
    }
}

impl QueueSettings {
    pub fn disposition(&self, code: &str) -> Option<&Disposition> {
        self.dispositions.iter().find(|d| d.code == code)
    }

    /// When an agent offered a call at `offered_at` must have accepted it;
    /// `None` when calls connect at once.
    pub fn answer_by(&self, offered_at: UnixTime) -> Option<UnixTime> {
        self.answer_within_seconds.map(|s| offered_at.saturating_add(i64::from(s)))
    }

    /// Whether the queue takes calls at `at`. An unreadable zone was refused
    /// when the queue was saved; closed is the safe answer.
    pub fn open_at(&self, at: UnixTime) -> bool {
        self.opening_hours().is_none_or(|hours| hours.is_open(at).unwrap_or(false))
    }

    /// When the queue takes calls; `None`: always.
    pub fn opening_hours(&self) -> Option<OpeningHours> {
        if self.hours.is_empty() && self.holidays.is_empty() {
            return None;
        }
        let hours = if self.hours.is_empty() {
            WeeklyHours::closed().on(0..=6, &[DailyHours::new(0, 24 * 60)])
        } else {
            // Checked when the settings were made; otherwise the strictest answer: closed.
            WeeklyHours::from_rules(&self.hours).unwrap_or_else(|_| WeeklyHours::closed())
        };
        Some(OpeningHours { hours, zone: self.time_zone.clone(), holidays: self.holidays.iter().copied().collect() })
    }

    /// The router's form, with skills numbered by `book` and the overflow
    /// queue, if it exists, resolved by the caller.
    pub fn router_config(&self, id: QueueId, book: &mut SkillBook, overflow_to: Option<QueueId>) -> QueueConfig {
        QueueConfig {
            id,
            requires: book.numbered(&self.skills),
            priority: self.priority,
            strategy: self.strategy,
            overflow: self.overflow.as_ref().zip(overflow_to).map(|(o, to)| Overflow { after_ms: u64::from(o.after_seconds) * 1000, to }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> QueueInput {
        QueueInput { name: "Customer care".into(), number: "+442079460999".into(), ..QueueInput::default() }
    }

    #[test]
    fn defaults_make_an_always_open_queue() {
        let settings = input().validate().unwrap();
        assert_eq!(settings.priority, 5);
        assert_eq!(settings.strategy, RoutingStrategy::LongestIdle);
        assert_eq!(settings.service_level, ServiceLevelGoal { seconds: 20, target: 0.8 });
        assert_eq!(settings.opening_hours(), None);
        assert!(settings.disposition("resolved").is_some());
        assert_eq!(settings.answer_by(1000), None, "calls connect at once");
    }

    #[test]
    fn an_offer_must_be_answered_in_time() {
        let settings = QueueInput { answer_within_seconds: Some(15), ..input() }.validate().unwrap();
        assert_eq!(settings.answer_by(1000), Some(1015));
        let stored = serde_json::to_value(&settings).unwrap();
        let mut older = stored.as_object().unwrap().clone();
        older.remove("answer_within_seconds");
        let older: QueueSettings = serde_json::from_value(older.into()).unwrap();
        assert_eq!(older.answer_by(1000), None, "settings saved before offers existed still read");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = QueueInput {
            name: " ".into(),
            number: "02079460999".into(),
            skills: SkillLevels::new([("billing".into(), 0)]),
            priority: Some(10),
            strategy: Some("random".into()),
            overflow_after_seconds: Some(30),
            service_level_target: Some(1.5),
            callback_after_seconds: Some(5),
            answer_within_seconds: Some(300),
            time_zone: Some("Mars/Olympus".into()),
            hours: vec!["mon-fri 9-5".into()],
            holidays: vec!["25/12/2026".into()],
            dispositions: Some(vec![Disposition::new("later", "Later", DispositionOutcome::RetryLater)]),
            ..input()
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "number",
                "skills.billing",
                "priority",
                "strategy",
                "overflow_to",
                "service_level_target",
                "callback_after_seconds",
                "answer_within_seconds",
                "time_zone",
                "hours[0]",
                "holidays[0]",
                "dispositions[0].outcome"
            ]
        );
    }

    #[test]
    fn hours_holidays_and_overflow_carry_over() {
        let settings = QueueInput {
            time_zone: Some("Europe/London".into()),
            hours: vec!["mon-fri 08:00-18:00".into()],
            holidays: vec!["2026-12-25".into()],
            overflow_after_seconds: Some(45),
            overflow_to: Some("Sales".into()),
            skills: SkillLevels::new([("billing".into(), 3)]),
            ..input()
        }
        .validate()
        .unwrap();
        let hours = settings.opening_hours().unwrap();
        // Thursday 24 December 2026, 10:00 UTC = 10:00 in London; Christmas is closed.
        assert_eq!(hours.is_open(1_798_106_400), Ok(true));
        assert_eq!(hours.is_open(1_798_106_400 + 86_400), Ok(false));
        let mut book = SkillBook::default();
        let config = settings.router_config(QueueId(7), &mut book, Some(QueueId(8)));
        assert_eq!(config.overflow, Some(Overflow { after_ms: 45_000, to: QueueId(8) }));
        assert_eq!(config.requires.len(), 1);
        assert_eq!(settings.router_config(QueueId(7), &mut book, None).overflow, None, "no such queue: no overflow");
        let holidays_only = QueueSettings { hours: Vec::new(), ..settings }.opening_hours().unwrap();
        assert_eq!(holidays_only.is_open(1_798_106_400 - 9 * 3600), Ok(true), "01:00 on a working day");
        assert_eq!(holidays_only.is_open(1_798_106_400 + 86_400), Ok(false));
    }
}
