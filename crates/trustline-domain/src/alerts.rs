//! Where a wallboard figure turns amber and red. Each queue and campaign
//! sets its own levels (longest wait, service level, abandonment against
//! the cap, agents on a break); the wallboard colours what it shows by them.

use crate::contact::FieldError;
use serde::{Deserialize, Serialize};

/// Two levels of one figure: `amber` is reached before `red`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertLevels {
    pub amber: f64,
    pub red: f64,
}

impl AlertLevels {
    const fn new(amber: f64, red: f64) -> Self {
        Self { amber, red }
    }
}

/// A queue's levels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct QueueAlerts {
    /// Seconds the longest-waiting caller has waited (higher is worse).
    pub longest_wait_seconds: AlertLevels,
    /// Today's service level, a fraction (lower is worse).
    pub service_level: AlertLevels,
    /// Agents on a break at once (higher is worse).
    pub agents_on_break: AlertLevels,
}

impl Default for QueueAlerts {
    fn default() -> Self {
        Self {
            longest_wait_seconds: AlertLevels::new(60.0, 120.0),
            service_level: AlertLevels::new(0.8, 0.6),
            agents_on_break: AlertLevels::new(3.0, 5.0),
        }
    }
}

/// A campaign's levels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CampaignAlerts {
    /// Abandonment as a share of the campaign's cap (1: at the cap).
    pub abandonment_of_cap: AlertLevels,
    /// Agents on a break at once (higher is worse).
    pub agents_on_break: AlertLevels,
}

impl Default for CampaignAlerts {
    fn default() -> Self {
        Self { abandonment_of_cap: AlertLevels::new(0.8, 1.0), agents_on_break: AlertLevels::new(3.0, 5.0) }
    }
}

/// Both levels within `low..=high`, amber reached first: below red when
/// higher is worse, above it when lower is worse.
fn check(field: &str, levels: AlertLevels, low: f64, high: f64, higher_is_worse: bool, errors: &mut Vec<FieldError>) {
    let within = |v: f64| v.is_finite() && (low..=high).contains(&v);
    if !within(levels.amber) || !within(levels.red) {
        errors.push(FieldError::new(field, format!("amber and red must be {low} to {high}")));
    } else if (higher_is_worse && levels.amber > levels.red) || (!higher_is_worse && levels.amber < levels.red) {
        let order = if higher_is_worse { "at most" } else { "at least" };
        errors.push(FieldError::new(field, format!("amber must be {order} red: it comes first")));
    }
}

impl QueueAlerts {
    pub fn check(self, errors: &mut Vec<FieldError>) -> Self {
        check("alerts.longest_wait_seconds", self.longest_wait_seconds, 1.0, 3600.0, true, errors);
        check("alerts.service_level", self.service_level, 0.0, 1.0, false, errors);
        check("alerts.agents_on_break", self.agents_on_break, 0.0, 1000.0, true, errors);
        self
    }
}

impl CampaignAlerts {
    pub fn check(self, errors: &mut Vec<FieldError>) -> Self {
        check("alerts.abandonment_of_cap", self.abandonment_of_cap, 0.0, 1.0, true, errors);
        check("alerts.agents_on_break", self.agents_on_break, 0.0, 1000.0, true, errors);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_must_be_in_range_and_amber_first() {
        let mut errors = Vec::new();
        QueueAlerts::default().check(&mut errors);
        CampaignAlerts::default().check(&mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let wrong = QueueAlerts {
            longest_wait_seconds: AlertLevels::new(120.0, 60.0),
            service_level: AlertLevels::new(0.5, 0.9),
            agents_on_break: AlertLevels::new(f64::NAN, 2.0),
        };
        wrong.check(&mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["alerts.longest_wait_seconds", "alerts.service_level", "alerts.agents_on_break"]);
    }
}
