use crate::UnixTime;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;
const MAX_DAYS: u32 = 3650;

/// How long a tenant keeps personal data it no longer uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Contacts not worked (or, if never worked, not created) for this many
    /// days are erased.
    #[schemars(range(min = 1, max = MAX_DAYS))]
    pub contact_idle_days: Option<u32>,
    /// Notes older than this many days are deleted.
    #[schemars(range(min = 1, max = MAX_DAYS))]
    pub note_days: Option<u32>,
}

/// The moments before which data is due, for one run at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionCutoffs {
    pub contacts_idle_before: Option<UnixTime>,
    pub notes_before: Option<UnixTime>,
}

impl RetentionPolicy {
    pub fn check(&self) -> Result<(), String> {
        for (name, days) in [("contact_idle_days", self.contact_idle_days), ("note_days", self.note_days)] {
            if let Some(days) = days
                && !(1..=MAX_DAYS).contains(&days)
            {
                return Err(format!("{name} must be between 1 and {MAX_DAYS}"));
            }
        }
        Ok(())
    }

    pub fn cutoffs(&self, now: UnixTime) -> RetentionCutoffs {
        let before = |days: Option<u32>| days.map(|d| now - i64::from(d) * DAY);
        RetentionCutoffs { contacts_idle_before: before(self.contact_idle_days), notes_before: before(self.note_days) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_count_whole_days_back_from_now() {
        let policy = RetentionPolicy { contact_idle_days: Some(30), note_days: None };
        assert_eq!(policy.cutoffs(100 * DAY), RetentionCutoffs { contacts_idle_before: Some(70 * DAY), notes_before: None });
        assert!(policy.check().is_ok());
        assert!(RetentionPolicy { note_days: Some(0), ..policy }.check().is_err());
        assert!(RetentionPolicy { contact_idle_days: Some(MAX_DAYS + 1), ..policy }.check().is_err());
    }
}
