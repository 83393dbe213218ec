//! When a contact may be called: in the contact's own time zone, on the days
//! and at the hours its country allows, narrowed by the tenant's own rules,
//! never on one of the tenant's holidays.
//!
//! A contact whose zone is not known to one zone is checked in every zone of
//! its country, and may be called only when all of them are open; with no
//! zone at all it is never called (the check fails closed).

use crate::UnixTime;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use std::collections::BTreeSet;

/// Minutes after local midnight, `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DailyHours {
    start: u16,
    end: u16,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a rule like mon-fri 08:00-18:00: a day or days (mon, tue, wed, thu, fri, sat, sun), a space, \
    then spans HH:MM-HH:MM separated by commas"
)]
pub struct HoursError(pub String);

/// A weekly hours rule as the API document states it, and as
/// [`WeeklyHours::with_rule`] checks it: days, a space, spans.
pub const HOURS_RULE: &str = concat!(
    "^(?:mon|tue|wed|thu|fri|sat|sun)(?:-(?:mon|tue|wed|thu|fri|sat|sun))? ",
    "(?:[01][0-9]|2[0-3]):[0-5][0-9]-(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)",
    "(?:,(?:[01][0-9]|2[0-3]):[0-5][0-9]-(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00))*$"
);

static HOURS_RULE_CHECK: crate::pattern_rule::PatternRule = crate::pattern_rule::PatternRule::new(HOURS_RULE);

/// `HH:MM`, checked by [`HOURS_RULE`] before.
fn minutes(text: &str) -> u16 {
    let (hours, minutes) = text.split_once(':').unwrap_or_default();
    hours.parse::<u16>().unwrap_or(0) * 60 + minutes.parse::<u16>().unwrap_or(0)
}

const DAY_MINUTES: u16 = 24 * 60;

impl DailyHours {
    pub const fn new(start: u16, end: u16) -> Self {
        Self { start, end }
    }

    fn contains(self, minute: u16) -> bool {
        self.start <= minute && minute < self.end
    }

    fn intersect(self, other: DailyHours) -> Option<DailyHours> {
        let (start, end) = (self.start.max(other.start), self.end.min(other.end));
        (start < end).then_some(DailyHours { start, end })
    }
}

/// Hours per weekday, Monday first; a day without hours is closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeeklyHours([Vec<DailyHours>; 7]);

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(weekday: Weekday) -> usize {
    usize::from(weekday.to_monday_zero_offset().unsigned_abs())
}

fn day_name(weekday: Weekday) -> &'static str {
    WEEKDAYS.get(day_index(weekday)).copied().unwrap_or("?")
}

impl WeeklyHours {
    pub fn closed() -> Self {
        Self(Default::default())
    }

    /// The same hours on each of `days` (0 = Monday).
    pub fn on(mut self, days: std::ops::RangeInclusive<usize>, hours: &[DailyHours]) -> Self {
        for day in days {
            if let Some(slot) = self.0.get_mut(day) {
                slot.extend_from_slice(hours);
                slot.sort_unstable();
            }
        }
        self
    }

    /// A tenant's rule such as `mon-fri 09:00-17:30` or `sat 10:00-14:00`.
    /// A span that ends at or before its start runs past midnight into the
    /// next day (`fri 22:00-02:00`); days that run backwards wrap round the
    /// week (`fri-mon`).
    pub fn with_rule(mut self, rule: &str) -> Result<Self, HoursError> {
        let malformed = || HoursError(rule.to_owned());
        if !HOURS_RULE_CHECK.accepts(rule) {
            return Err(malformed());
        }
        let (days, spans) = rule.split_once(' ').ok_or_else(malformed)?;
        let day = |name: &str| WEEKDAYS.iter().position(|d| *d == name).ok_or_else(malformed);
        let (first, last) = match days.split_once('-') {
            Some((first, last)) => (day(first)?, day(last)?),
            None => (day(days)?, day(days)?),
        };
        let count = (last + 7 - first) % 7 + 1;
        for span in spans.split(',') {
            let (start, end) = span.split_once('-').ok_or_else(malformed)?;
            let (start, end) = (minutes(start), minutes(end));
            for offset in 0..count {
                let today = (first + offset) % 7;
                if end > start {
                    self = self.on(today..=today, &[DailyHours::new(start, end)]);
                } else {
                    self = self.on(today..=today, &[DailyHours::new(start, DAY_MINUTES)]);
                    if end > 0 {
                        let tomorrow = (today + 1) % 7;
                        self = self.on(tomorrow..=tomorrow, &[DailyHours::new(0, end)]);
                    }
                }
            }
        }
        Ok(self)
    }

    /// The hours of `rules`, each like `mon-fri 09:00-17:30`.
    pub fn from_rules<S: AsRef<str>>(rules: &[S]) -> Result<Self, HoursError> {
        rules.iter().try_fold(Self::closed(), |weekly, rule| weekly.with_rule(rule.as_ref()))
    }

    /// Open only when both are.
    pub fn intersect(&self, other: &WeeklyHours) -> WeeklyHours {
        let mut days: [Vec<DailyHours>; 7] = Default::default();
        for ((day, ours), theirs) in days.iter_mut().zip(&self.0).zip(&other.0) {
            *day = ours.iter().flat_map(|a| theirs.iter().filter_map(move |b| a.intersect(*b))).collect();
        }
        WeeklyHours(days)
    }

    fn open(&self, weekday: Weekday, minute: u16) -> bool {
        self.0.get(day_index(weekday)).is_some_and(|hours| hours.iter().any(|h| h.contains(minute)))
    }

    /// Whether these hours are open at `at` in `zone`.
    pub fn is_open(&self, zone: &str, at: UnixTime) -> Result<bool, WindowClosed> {
        let local = local_time(zone, at)?;
        Ok(self.open(local.weekday(), minute_of_day(&local)))
    }
}

/// The hours a country allows for unsolicited calls, as a conservative
/// default (tenants narrow them further; they cannot widen them):
/// United States and Canada every day 08:00–21:00; United Kingdom Monday to
/// Saturday 08:00–21:00; France weekdays 10:00–13:00 and 14:00–20:00;
/// Germany Monday to Saturday 08:00–20:00; elsewhere Monday to Saturday
/// 09:00–20:00.
pub fn statutory_hours(region: Option<&str>) -> WeeklyHours {
    let hours = |start: u16, end: u16| DailyHours::new(start * 60, end * 60);
    match region {
        Some("US" | "CA") => WeeklyHours::closed().on(0..=6, &[hours(8, 21)]),
        Some("GB") => WeeklyHours::closed().on(0..=5, &[hours(8, 21)]),
        Some("FR") => WeeklyHours::closed().on(0..=4, &[hours(10, 13), hours(14, 20)]),
        Some("DE") => WeeklyHours::closed().on(0..=5, &[hours(8, 20)]),
        _ => WeeklyHours::closed().on(0..=5, &[hours(9, 20)]),
    }
}

/// The wall-clock time in `zone` at `at`, daylight saving included.
fn local_time(zone: &str, at: UnixTime) -> Result<jiff::civil::DateTime, WindowClosed> {
    let tz = TimeZone::get(zone).map_err(|_| WindowClosed::UnknownZone(zone.to_owned()))?;
    let instant = jiff::Timestamp::from_second(at).map_err(|_| WindowClosed::NoZone)?;
    Ok(instant.to_zoned(tz).datetime())
}

/// The local date at `at` in `zone`.
pub(crate) fn local_date(zone: &str, at: UnixTime) -> Result<Date, WindowClosed> {
    Ok(local_time(zone, at)?.date())
}

fn minute_of_day(local: &jiff::civil::DateTime) -> u16 {
    u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute())).unwrap_or(u16::MAX)
}

/// Why a contact may not be called now.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WindowClosed {
    #[error("outside calling hours ({local} in {zone})")]
    OutsideHours { zone: String, local: String },
    #[error("a holiday in {zone}")]
    Holiday { zone: String },
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
    #[error("the contact's time zone is not known")]
    NoZone,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallingWindow {
    hours: WeeklyHours,
    holidays: BTreeSet<Date>,
}

impl CallingWindow {
    /// The country's hours narrowed by the tenant's, without holidays.
    pub fn new(region: Option<&str>, tenant_hours: Option<&WeeklyHours>) -> Self {
        let statutory = statutory_hours(region);
        let hours = match tenant_hours {
            Some(tenant) => statutory.intersect(tenant),
            None => statutory,
        };
        Self { hours, holidays: BTreeSet::new() }
    }

    /// Local dates on which nobody is called.
    pub fn with_holidays(mut self, holidays: impl IntoIterator<Item = Date>) -> Self {
        self.holidays.extend(holidays);
        self
    }

    /// Whether a contact in `zones` (IANA names; every one must be open) may
    /// be called at `at`.
    pub fn check(&self, zones: &[&str], at: UnixTime) -> Result<(), WindowClosed> {
        if zones.is_empty() {
            return Err(WindowClosed::NoZone);
        }
        for &zone in zones {
            let local = local_time(zone, at)?;
            if self.holidays.contains(&local.date()) {
                return Err(WindowClosed::Holiday { zone: zone.to_owned() });
            }
            if !self.hours.open(local.weekday(), minute_of_day(&local)) {
                let local = format!("{} {:02}:{:02}", day_name(local.weekday()), local.hour(), local.minute());
                return Err(WindowClosed::OutsideHours { zone: zone.to_owned(), local });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> UnixTime {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn the_same_instant_is_open_or_closed_across_a_dst_change() {
        let window = CallingWindow::new(Some("US"), None);
        // 12:30 UTC is 07:30 in New York on Saturday (EST, UTC-5), 08:30 on
        // Sunday after clocks went forward (EDT, UTC-4).
        assert!(matches!(window.check(&["America/New_York"], at("2026-03-07T12:30:00Z")), Err(WindowClosed::OutsideHours { .. })));
        assert_eq!(window.check(&["America/New_York"], at("2026-03-08T12:30:00Z")), Ok(()));
        // In autumn the other way round: 00:30 UTC is 20:30 EDT, then 19:30 EST.
        assert_eq!(window.check(&["America/New_York"], at("2026-10-31T00:30:00Z")), Ok(()));
        assert_eq!(window.check(&["America/New_York"], at("2026-11-02T01:30:00Z")), Ok(()), "20:30 EST");
        assert!(window.check(&["America/New_York"], at("2026-10-31T01:30:00Z")).is_err(), "21:30 EDT");
        // London: 07:30 UTC is 07:30 GMT before 29 March, 08:30 BST after.
        let uk = CallingWindow::new(Some("GB"), None);
        assert!(uk.check(&["Europe/London"], at("2026-03-27T07:30:00Z")).is_err());
        assert_eq!(uk.check(&["Europe/London"], at("2026-03-30T07:30:00Z")), Ok(()));
    }

    #[test]
    fn every_zone_of_a_contact_must_be_open() {
        let window = CallingWindow::new(Some("US"), None);
        // 13:30 UTC on a Monday: 09:30 in New York, 06:30 in Los Angeles.
        let monday = at("2026-06-15T13:30:00Z");
        assert_eq!(window.check(&["America/New_York"], monday), Ok(()));
        assert!(window.check(&["America/New_York", "America/Los_Angeles"], monday).is_err());
        assert_eq!(window.check(&[], monday), Err(WindowClosed::NoZone));
        assert_eq!(window.check(&["Mars/Olympus"], monday), Err(WindowClosed::UnknownZone("Mars/Olympus".into())));
    }

    #[test]
    fn tenants_narrow_the_country_and_holidays_close_the_day() {
        let tenant = WeeklyHours::closed().with_rule("mon-fri 09:00-17:30").unwrap().with_rule("sun 10:00-12:00").unwrap();
        let window = CallingWindow::new(Some("FR"), Some(&tenant));
        let paris = ["Europe/Paris"];
        assert_eq!(window.check(&paris, at("2026-06-15T08:30:00Z")), Ok(()), "10:30 on a Monday");
        assert!(window.check(&paris, at("2026-06-15T11:30:00Z")).is_err(), "13:30: the French lunch break");
        assert!(window.check(&paris, at("2026-06-15T15:45:00Z")).is_err(), "17:45: after the tenant's hours");
        assert!(window.check(&paris, at("2026-06-14T08:30:00Z")).is_err(), "Sunday: the tenant allows it, France does not");
        let holiday = window.with_holidays(["2026-07-14".parse().unwrap()]);
        assert_eq!(holiday.check(&paris, at("2026-07-14T08:30:00Z")), Err(WindowClosed::Holiday { zone: "Europe/Paris".into() }));
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        for bad in ["mon-fri 8-21", "mon 08:00-24:01", "funday 09:00-10:00", " mon 09:00-10:00", "mon  09:00-10:00", "mon 09:00-10:00,"] {
            assert_eq!(WeeklyHours::closed().with_rule(bad), Err(HoursError(bad.into())), "{bad}");
        }
        let day = WeeklyHours::closed().with_rule("mon 00:00-24:00").unwrap();
        assert_eq!(day.0[0], [DailyHours::new(0, 1440)]);
    }

    #[test]
    fn spans_run_past_midnight_and_days_round_the_week() {
        let night = WeeklyHours::closed().with_rule("sun 22:00-02:00").unwrap();
        assert_eq!((night.0[6].as_slice(), night.0[0].as_slice()), (&[DailyHours::new(1320, 1440)][..], &[DailyHours::new(0, 120)][..]));
        let weekend = WeeklyHours::closed().with_rule("fri-mon 10:00-11:00").unwrap();
        let open: Vec<bool> = weekend.0.iter().map(|d| !d.is_empty()).collect();
        assert_eq!(open, [true, false, false, false, true, true, true]);
        let whole = WeeklyHours::closed().with_rule("tue 09:00-09:00").unwrap();
        assert_eq!((whole.0[1].as_slice(), whole.0[2].as_slice()), (&[DailyHours::new(540, 1440)][..], &[DailyHours::new(0, 540)][..]));
    }

    proptest::proptest! {
        #[test]
        fn the_documented_pattern_is_the_hours_rule(rule in "(mon|fri|sun|xyz)(-(tue|sat))?( |  )([0-2][0-9]:[0-6][0-9]-[0-2][0-9]:[0-6][0-9],?){1,2}\\n?") {
            crate::schema_pattern::assert_agrees(HOURS_RULE, &rule, WeeklyHours::closed().with_rule(&rule).is_ok());
        }
    }
}
