//! An outbound campaign's settings, checked field by field, and the moves of
//! its status.

use super::{AbandonmentPolicy, CallingWindow, DialingMode, DispositionOutcome, RetryRule, WeeklyHours, WindowLength};
use crate::alerts::CampaignAlerts;
use crate::contact::{E164, FieldError};
use crate::text::required_text;
use serde::{Deserialize, Serialize};

/// A campaign as an administrator writes it.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    #[schemars(length(min = 1, max = 100), pattern(crate::NOT_BLANK))]
    pub name: String,
    #[schemars(extend("enum" = DialingMode::ALL.map(DialingMode::as_str)))]
    pub mode: String,
    /// Names of the call lists to dial.
    #[schemars(length(min = 1), inner(pattern(crate::NOT_BLANK)))]
    pub lists: Vec<String>,
    /// The number shown to the people called, in E.164.
    #[schemars(pattern(E164::PATTERN))]
    pub caller_id: Option<String>,
    /// 1 minute to 30 days (default 1 day).
    #[schemars(range(min = 1, max = 43_200))]
    pub retry_delay_minutes: Option<u32>,
    #[schemars(range(min = 1, max = 20))]
    pub max_attempts: Option<u32>,
    /// Highest share of answered calls that may be abandoned (at most 0.03).
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = MAX_ABANDONMENT_CAP))]
    pub abandonment_cap: Option<f64>,
    /// `30d` (default) or `24h`.
    #[schemars(extend("enum" = ["30d", "24h", null]))]
    pub abandonment_window: Option<String>,
    /// The tenant's own hours, e.g. `mon-fri 09:00-17:30`; they narrow each
    /// country's hours, never widen them. A span ending at or before its
    /// start runs past midnight.
    #[serde(default)]
    #[schemars(inner(pattern(super::HOURS_RULE)))]
    pub hours: Vec<String>,
    /// Dates (`YYYY-MM-DD`, in the contact's time zone) with no calls.
    #[serde(default)]
    #[schemars(extend("items" = { "type": "string", "format": "date", "pattern": CALENDAR_DATE }))]
    pub holidays: Vec<String>,
    /// What the agent reads to the contact.
    #[schemars(length(max = MAX_SCRIPT_CHARS))]
    pub script: Option<String>,
    /// Seconds of wrap-up after a call before the agent is made available
    /// and the call closed as `wrap_up_timeout` (default 120; 0: no limit).
    #[schemars(range(max = crate::agent::MAX_WRAP_UP_SECONDS))]
    pub wrap_up_seconds: Option<u32>,
    /// The dispositions agents choose from, in the order agents see them,
    /// each code once; a default set when absent.
    #[schemars(length(min = 1, max = 50))]
    pub dispositions: Option<Vec<Disposition>>,
    /// Where the wallboard turns this campaign's figures amber and red.
    pub alerts: Option<CampaignAlerts>,
}

/// A calendar date as the API document states it (with `format: date`).
pub const CALENDAR_DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// A `YYYY-MM-DD` date that exists, written exactly so.
pub fn calendar_date(text: &str) -> Option<jiff::civil::Date> {
    let shaped = text.len() == 10 && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped.then(|| text.parse().ok()).flatten()
}

/// A disposition agents can set: a code, a label, and what it means for the
/// contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disposition {
    #[schemars(regex(pattern = "^[a-z0-9_]{1,40}$"))]
    pub code: String,
    #[schemars(length(min = 1, max = 100), pattern(crate::NOT_BLANK))]
    pub label: String,
    pub outcome: DispositionOutcome,
}

impl Disposition {
    pub(crate) fn new(code: &str, label: &str, outcome: DispositionOutcome) -> Self {
        Self { code: code.into(), label: label.into(), outcome }
    }

    /// One per outcome.
    pub fn defaults() -> Vec<Disposition> {
        use DispositionOutcome as O;
        vec![
            Disposition::new("success", "Success", O::Success),
            Disposition::new("callback", "Call back", O::Callback),
            Disposition::new("retry_later", "Try again later", O::RetryLater),
            Disposition::new("not_interested", "Not interested", O::Final),
            Disposition::new("do_not_call", "Do not call", O::DoNotCall),
            Disposition::new("wrong_number", "Wrong number", O::WrongNumber),
        ]
    }
}

/// Longest script, in characters.
pub(crate) const MAX_SCRIPT_CHARS: usize = 20_000;

/// Checked settings, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CampaignSettings {
    pub name: String,
    pub mode: DialingMode,
    pub lists: Vec<String>,
    pub caller_id: Option<E164>,
    pub retry: RetryRule,
    pub abandonment: AbandonmentPolicy,
    pub hours: Vec<String>,
    #[schemars(with = "Vec<String>", extend("items" = { "type": "string", "format": "date" }))]
    pub holidays: Vec<jiff::civil::Date>,
    #[serde(default)]
    pub script: String,
    #[serde(default = "Disposition::defaults")]
    pub dispositions: Vec<Disposition>,
    /// Seconds of wrap-up allowed; 0: no limit.
    #[serde(default = "default_wrap_up")]
    pub wrap_up_seconds: u32,
    /// Settings stored before alerts existed get the defaults.
    #[serde(default)]
    pub alerts: CampaignAlerts,
}

/// Settings stored before the limit existed get the default.
pub(crate) fn default_wrap_up() -> u32 {
    crate::agent::DEFAULT_WRAP_UP_SECONDS
}

/// The highest abandonment cap a campaign may set (regulators' 3 %).
pub const MAX_ABANDONMENT_CAP: f64 = 0.03;

impl CampaignInput {
    /// Every problem at once, each with its field.
    pub fn validate(self) -> Result<CampaignSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required_text("name", &self.name, 100, &mut errors);
        let mode = DialingMode::parse(&self.mode).map_err(|e| errors.push(FieldError::new("mode", e.to_string()))).ok();
        let mut lists: Vec<String> = self.lists.iter().map(|l| l.trim().to_owned()).collect();
        lists.sort();
        lists.dedup();
        if lists.is_empty() || lists.iter().any(String::is_empty) {
            errors.push(FieldError::new("lists", "name at least one call list"));
        }
        let caller_id = match self.caller_id.as_deref() {
            None => None,
            Some(number) => E164::parse(number)
                .map_err(|_| errors.push(FieldError::new("caller_id", "must be a number in E.164 form, e.g. +442071838750")))
                .ok(),
        };
        let defaults = RetryRule::default();
        let delay_minutes = self.retry_delay_minutes.unwrap_or(defaults.delay_seconds / 60);
        if !(1..=30 * 24 * 60).contains(&delay_minutes) {
            errors.push(FieldError::new("retry_delay_minutes", "must be 1 minute to 30 days"));
        }
        let max_attempts = self.max_attempts.unwrap_or(defaults.max_attempts);
        if !(1..=20).contains(&max_attempts) {
            errors.push(FieldError::new("max_attempts", "must be 1 to 20"));
        }
        let cap = self.abandonment_cap.unwrap_or(MAX_ABANDONMENT_CAP);
        if !(cap > 0.0 && cap <= MAX_ABANDONMENT_CAP) {
            errors.push(FieldError::new("abandonment_cap", "must be more than 0 and at most 0.03"));
        }
        let window = match self.abandonment_window.as_deref() {
            None | Some("30d") => WindowLength::Days30,
            Some("24h") => WindowLength::Hours24,
            Some(_) => {
                errors.push(FieldError::new("abandonment_window", "must be 30d or 24h"));
                WindowLength::Days30
            }
        };
        let WorkRules { hours, holidays, script, dispositions } = check_work_rules(
            &self.hours,
            &self.holidays,
            self.script,
            self.dispositions.unwrap_or_else(Disposition::defaults),
            &mut errors,
        );
        let wrap_up_seconds = crate::agent::check_wrap_up(self.wrap_up_seconds, &mut errors);
        let alerts = self.alerts.unwrap_or_default().check(&mut errors);
        let Some(mode) = mode else { return Err(errors) };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CampaignSettings {
            name,
            mode,
            lists,
            caller_id,
            retry: RetryRule { delay_seconds: delay_minutes * 60, max_attempts },
            abandonment: AbandonmentPolicy { cap, window, ..AbandonmentPolicy::default() },
            hours,
            holidays,
            script,
            dispositions,
            wrap_up_seconds,
            alerts,
        })
    }
}

/// What a campaign and an inbound queue both have their agents work by,
/// checked field by field: the tenant's hours (kept as written, trimmed),
/// holidays, script and dispositions.
pub(crate) struct WorkRules {
    pub hours: Vec<String>,
    pub holidays: Vec<jiff::civil::Date>,
    pub script: String,
    pub dispositions: Vec<Disposition>,
}

pub(crate) fn check_work_rules(
    hours: &[String],
    holidays: &[String],
    script: Option<String>,
    dispositions: Vec<Disposition>,
    errors: &mut Vec<FieldError>,
) -> WorkRules {
    let mut weekly = WeeklyHours::closed();
    for (i, rule) in hours.iter().enumerate() {
        match weekly.clone().with_rule(rule) {
            Ok(next) => weekly = next,
            Err(e) => errors.push(FieldError::new(format!("hours[{i}]"), e.to_string())),
        }
    }
    let mut dates = Vec::new();
    for (i, day) in holidays.iter().enumerate() {
        match calendar_date(day) {
            Some(date) => dates.push(date),
            None => errors.push(FieldError::new(format!("holidays[{i}]"), "must be a date like 2026-12-25")),
        }
    }
    let script = script.unwrap_or_default();
    if script.chars().count() > MAX_SCRIPT_CHARS {
        errors.push(FieldError::new("script", format!("must be at most {MAX_SCRIPT_CHARS} characters")));
    }
    check_dispositions(&dispositions, errors);
    WorkRules { hours: hours.to_vec(), holidays: dates, script, dispositions }
}

fn check_dispositions(dispositions: &[Disposition], errors: &mut Vec<FieldError>) {
    if dispositions.is_empty() || dispositions.len() > 50 {
        errors.push(FieldError::new("dispositions", "name 1 to 50 dispositions"));
    }
    for (i, d) in dispositions.iter().enumerate() {
        let code_ok = (1..=40).contains(&d.code.len()) && d.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !code_ok {
            errors.push(FieldError::new(format!("dispositions[{i}].code"), "must be 1 to 40 of a-z, 0-9 and _"));
        }
        if dispositions.iter().take(i).any(|other| other.code == d.code) {
            errors.push(FieldError::new(format!("dispositions[{i}].code"), "is used twice"));
        }
        required_text(format!("dispositions[{i}].label"), &d.label, 100, errors);
    }
}

impl CampaignSettings {
    pub fn disposition(&self, code: &str) -> Option<&Disposition> {
        self.dispositions.iter().find(|d| d.code == code)
    }

    /// The calling window for a contact of `region`: the country's hours,
    /// narrowed by the campaign's own if it has any, closed on its holidays.
    pub fn window(&self, region: Option<&str>) -> CallingWindow {
        let own = WeeklyHours::from_rules(&self.hours);
        let window = match own {
            _ if self.hours.is_empty() => CallingWindow::new(region, None),
            Ok(hours) => CallingWindow::new(region, Some(&hours)),
            // Checked when the settings were made; otherwise the strictest answer: closed.
            Err(_) => CallingWindow::new(region, Some(&WeeklyHours::closed())),
        };
        window.with_holidays(self.holidays.iter().copied())
    }
}

/// Where a campaign is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    Draft,
    Running,
    Paused,
    Finished,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CampaignStatusError {
    #[error("unknown campaign status {0:?} (draft, running, paused or finished)")]
    Unknown(String),
    #[error("a {from} campaign cannot become {to}")]
    Illegal { from: &'static str, to: &'static str },
}

impl CampaignStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Finished => "finished",
        }
    }

    pub const ALL: [CampaignStatus; 4] = [Self::Draft, Self::Running, Self::Paused, Self::Finished];

    pub fn parse(text: &str) -> Result<Self, CampaignStatusError> {
        Self::ALL.into_iter().find(|s| s.as_str() == text).ok_or_else(|| CampaignStatusError::Unknown(text.to_owned()))
    }

    /// Drafts start; running campaigns pause and resume; anything but a
    /// draft can finish, and a finished campaign stays finished.
    pub fn change_to(self, next: CampaignStatus) -> Result<CampaignStatus, CampaignStatusError> {
        use CampaignStatus::{Draft, Finished, Paused, Running};
        match (self, next) {
            (Draft, Running) | (Running, Paused) | (Paused, Running) | (Running | Paused, Finished) => Ok(next),
            _ => Err(CampaignStatusError::Illegal { from: self.as_str(), to: next.as_str() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CampaignInput {
        CampaignInput { name: "Spring renewals".into(), mode: "predictive".into(), lists: vec!["march".into()], ..CampaignInput::default() }
    }

    #[test]
    fn defaults_are_the_strict_ones() {
        let settings = input().validate().unwrap();
        assert_eq!(settings.mode, DialingMode::Predictive);
        assert_eq!(settings.abandonment.cap, 0.03);
        assert_eq!(settings.abandonment.window, WindowLength::Days30);
        assert_eq!(settings.retry, RetryRule::default());
        assert_eq!(settings.dispositions, Disposition::defaults());
        assert_eq!(settings.disposition("do_not_call").map(|d| d.outcome), Some(DispositionOutcome::DoNotCall));
    }

    #[test]
    fn settings_stored_before_scripts_and_dispositions_still_read() {
        let mut stored = serde_json::to_value(input().validate().unwrap()).unwrap();
        let object = stored.as_object_mut().unwrap();
        object.remove("script");
        object.remove("dispositions");
        object.remove("wrap_up_seconds");
        let read: CampaignSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(read.dispositions, Disposition::defaults());
        assert_eq!(read.script, "");
        assert_eq!(read.wrap_up_seconds, 120, "the default limit");
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let bad = CampaignInput {
            name: " ".into(),
            mode: "turbo".into(),
            lists: vec![],
            caller_id: Some("020 7183 8750".into()),
            retry_delay_minutes: Some(0),
            max_attempts: Some(99),
            abandonment_cap: Some(0.05),
            abandonment_window: Some("7d".into()),
            hours: vec!["mon-fri 09:00-17:00".into(), "someday 10:00-11:00".into()],
            holidays: vec!["25/12/2026".into()],
            script: Some("x".repeat(20_001)),
            dispositions: Some(vec![
                Disposition::new("Sale!", "Sale", DispositionOutcome::Success),
                Disposition::new("later", "", DispositionOutcome::Callback),
                Disposition::new("later", "Later", DispositionOutcome::RetryLater),
            ]),
            wrap_up_seconds: Some(3601),
            alerts: Some(crate::alerts::CampaignAlerts {
                abandonment_of_cap: crate::alerts::ShareLevels { amber: 1.0, red: 1.5 },
                ..Default::default()
            }),
        };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "mode",
                "lists",
                "caller_id",
                "retry_delay_minutes",
                "max_attempts",
                "abandonment_cap",
                "abandonment_window",
                "hours[1]",
                "holidays[0]",
                "script",
                "dispositions[0].code",
                "dispositions[1].label",
                "dispositions[2].code",
                "wrap_up_seconds",
                "alerts.abandonment_of_cap"
            ]
        );
    }

    #[test]
    fn the_campaign_narrows_the_window_and_closes_its_holidays() {
        let settings =
            CampaignInput { hours: vec!["mon-fri 10:00-16:00".into()], holidays: vec!["2026-06-16".into()], ..input() }.validate().unwrap();
        let window = settings.window(Some("GB"));
        let london = ["Europe/London"];
        // Monday 15 June 2026: 09:30 BST is open for the UK, not for this campaign.
        assert!(window.check(&london, 1_781_512_200).is_err());
        assert!(window.check(&london, 1_781_512_200 + 3_600).is_ok());
        assert!(window.check(&london, 1_781_512_200 + 3_600 + 86_400).is_err(), "the holiday");
    }

    #[test]
    fn statuses_move_only_forward_or_between_running_and_paused() {
        use CampaignStatus::*;
        assert_eq!(Draft.change_to(Running), Ok(Running));
        assert_eq!(Running.change_to(Paused), Ok(Paused));
        assert_eq!(Paused.change_to(Running), Ok(Running));
        assert_eq!(Paused.change_to(Finished), Ok(Finished));
        assert!(Finished.change_to(Running).is_err());
        assert!(Running.change_to(Draft).is_err());
        assert_eq!(Draft.change_to(Finished).unwrap_err().to_string(), "a draft campaign cannot become finished");
    }
}
