//! Times and periods named by a caller (reports, call lists, evidence,
//! charts, callbacks). Every one is checked here, with checked arithmetic:
//! a time outside the years 1970 to 9999 is refused before anything
//! subtracts or adds it, so no limit can be passed by wrapping around.

use crate::UnixTime;

/// The earliest time a caller may name: 1970-01-01T00:00:00Z.
pub const EARLIEST_TIME: UnixTime = 0;
/// The latest time a caller may name: 9999-12-31T23:59:59Z.
pub const LATEST_TIME: UnixTime = 253_402_300_799;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{field} must be a Unix time between {EARLIEST_TIME} and {LATEST_TIME} (the years 1970 to 9999)")]
    OutOfRange { field: &'static str },
    #[error("the period must end after it starts (to after from)")]
    Empty,
    #[error("the period may last at most {max_days} days")]
    TooLong { max_days: i64 },
    #[error("seconds must be from 1 to {max_seconds} (the period may last at most {} days)", max_seconds / 86_400)]
    Length { max_seconds: i64 },
}

/// `value`, a time a caller named as `field`, if it is within the years 1970 to 9999.
pub fn checked_time(value: i64, field: &'static str) -> Result<UnixTime, PeriodError> {
    if (EARLIEST_TIME..=LATEST_TIME).contains(&value) { Ok(value) } else { Err(PeriodError::OutOfRange { field }) }
}

/// `[from, to)`, non-empty, with both ends checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: UnixTime,
    pub to: UnixTime,
}

impl Period {
    /// A period a caller asked for, at most `max_seconds` long.
    pub fn new(from: i64, to: i64, max_seconds: i64) -> Result<Self, PeriodError> {
        let from = checked_time(from, "from")?;
        let to = checked_time(to, "to")?;
        // Both ends are within the sane range, so this cannot overflow.
        let length = to - from;
        if length <= 0 {
            return Err(PeriodError::Empty);
        }
        if length > max_seconds {
            return Err(PeriodError::TooLong { max_days: max_seconds / 86_400 });
        }
        Ok(Self { from, to })
    }

    /// The `seconds` from `from` on, as an API query names a period: each
    /// part is valid or not on its own, so the API document can say which
    /// values are accepted. The end may pass the year 9999 by `seconds`.
    pub fn lasting(from: i64, seconds: i64, max_seconds: i64) -> Result<Self, PeriodError> {
        let from = checked_time(from, "from")?;
        if !(1..=max_seconds).contains(&seconds) {
            return Err(PeriodError::Length { max_seconds });
        }
        // Both parts are bounded, so this cannot overflow.
        Ok(Self { from, to: from + seconds })
    }

    /// The days the period covers, as a file name says them:
    /// `2026-12-01_2026-12-07` (UTC; the end is exclusive, so a period
    /// ending at midnight names the day before). One day is one date.
    pub fn days_label(&self) -> String {
        let day = |t: UnixTime| {
            jiff::Timestamp::from_second(t)
                .map(|ts| ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
                .unwrap_or_else(|_| t.to_string())
        };
        let (first, last) = (day(self.from), day((self.to - 1).max(self.from)));
        if first == last { first } else { format!("{first}_{last}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_period_names_its_days() {
        let december_first = 1_796_083_200; // 2026-12-01 00:00 UTC
        assert_eq!(Period { from: december_first, to: december_first + 7 * 86_400 }.days_label(), "2026-12-01_2026-12-07");
        assert_eq!(Period { from: december_first, to: december_first + 86_400 }.days_label(), "2026-12-01");
        assert_eq!(Period { from: december_first + 3_600, to: december_first + 7_200 }.days_label(), "2026-12-01");
        // At the far end of the range the label still says something.
        assert!(!Period { from: LATEST_TIME - 1, to: LATEST_TIME }.days_label().is_empty());
    }

    const DAY: i64 = 86_400;

    #[test]
    fn the_reported_wrap_around_is_refused() {
        assert_eq!(Period::new(i64::MIN, 9_223_372_036_854_775_806, 31 * DAY), Err(PeriodError::OutOfRange { field: "from" }));
        assert_eq!(Period::new(0, i64::MAX, 31 * DAY), Err(PeriodError::OutOfRange { field: "to" }));
        assert_eq!(Period::new(10, 10, DAY), Err(PeriodError::Empty));
        assert_eq!(Period::new(0, DAY + 1, DAY), Err(PeriodError::TooLong { max_days: 1 }));
        assert_eq!(Period::new(LATEST_TIME - DAY, LATEST_TIME, DAY), Ok(Period { from: LATEST_TIME - DAY, to: LATEST_TIME }));
    }

    #[test]
    fn a_lasting_period_names_its_length() {
        assert_eq!(Period::lasting(100, 50, DAY), Ok(Period { from: 100, to: 150 }));
        assert_eq!(Period::lasting(100, 0, DAY), Err(PeriodError::Length { max_seconds: DAY }));
        assert_eq!(Period::lasting(100, DAY + 1, DAY), Err(PeriodError::Length { max_seconds: DAY }));
        assert_eq!(Period::lasting(-1, 10, DAY), Err(PeriodError::OutOfRange { field: "from" }));
        assert_eq!(Period::lasting(LATEST_TIME, DAY, DAY), Ok(Period { from: LATEST_TIME, to: LATEST_TIME + DAY }));
    }

    proptest! {
        /// Whatever two integers are given, a lasting period is refused or
        /// exactly as long as asked, within the limit.
        #[test]
        fn any_accepted_lasting_period_is_sane(from in any::<i64>(), seconds in any::<i64>(), max_days in 1i64..400) {
            if let Ok(period) = Period::lasting(from, seconds, max_days * DAY) {
                prop_assert!((EARLIEST_TIME..=LATEST_TIME).contains(&period.from));
                prop_assert_eq!(period.to - period.from, seconds);
                prop_assert!(seconds > 0 && seconds <= max_days * DAY);
            }
        }

        /// Whatever two integers are given, a period is either refused or
        /// non-empty, within the limit and between the sane bounds.
        #[test]
        fn any_accepted_period_is_sane(from in any::<i64>(), to in any::<i64>(), max_days in 1i64..400) {
            if let Ok(period) = Period::new(from, to, max_days * DAY) {
                prop_assert!((EARLIEST_TIME..=LATEST_TIME).contains(&period.from));
                prop_assert!((EARLIEST_TIME..=LATEST_TIME).contains(&period.to));
                let seconds = period.to - period.from;
                prop_assert!(seconds > 0 && seconds <= max_days * DAY);
            }
        }

        #[test]
        fn extreme_values_are_refused(from in prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(-1i64), Just(LATEST_TIME + 1)], to in any::<i64>()) {
            prop_assert!(Period::new(from, to, 366 * DAY).is_err());
            prop_assert!(Period::new(to, from, 366 * DAY).is_err());
        }
    }
}
