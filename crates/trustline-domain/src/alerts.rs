//! Where a wallboard figure turns amber and red. Each queue and campaign
//! sets its own levels (longest wait, service level, abandonment against
//! the cap, agents on a break); the wallboard colours what it shows by them.
//!
//! Red is judged first: a figure past its red level is red whatever amber
//! says, so levels given the wrong way round never hide a red figure (an
//! amber level beyond red simply never shows). That keeps every pair the API
//! document allows a valid setting.

use crate::contact::FieldError;
use serde::{Deserialize, Serialize};

/// Longest-wait levels in seconds, 1 to 3600 (higher is worse).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitLevels {
    #[schemars(range(min = 1, max = 3600))]
    pub amber: u32,
    #[schemars(range(min = 1, max = 3600))]
    pub red: u32,
}

/// Levels of a share, 0 to 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareLevels {
    #[schemars(range(min = 0.0, max = 1.0))]
    pub amber: f64,
    #[schemars(range(min = 0.0, max = 1.0))]
    pub red: f64,
}

/// Levels of a head count, 0 to 1000 (higher is worse).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountLevels {
    #[schemars(range(max = 1000))]
    pub amber: u32,
    #[schemars(range(max = 1000))]
    pub red: u32,
}

/// A queue's levels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct QueueAlerts {
    /// Seconds the longest-waiting caller has waited.
    pub longest_wait_seconds: WaitLevels,
    /// Today's service level, a fraction: below a level is past it (lower is worse).
    pub service_level: ShareLevels,
    /// Agents on a break at once.
    pub agents_on_break: CountLevels,
}

impl Default for QueueAlerts {
    fn default() -> Self {
        Self {
            longest_wait_seconds: WaitLevels { amber: 60, red: 120 },
            service_level: ShareLevels { amber: 0.8, red: 0.6 },
            agents_on_break: CountLevels { amber: 3, red: 5 },
        }
    }
}

/// A campaign's levels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CampaignAlerts {
    /// Abandonment as a share of the campaign's cap (1: at the cap; higher is worse).
    pub abandonment_of_cap: ShareLevels,
    /// Agents on a break at once.
    pub agents_on_break: CountLevels,
}

impl Default for CampaignAlerts {
    fn default() -> Self {
        Self { abandonment_of_cap: ShareLevels { amber: 0.8, red: 1.0 }, agents_on_break: CountLevels { amber: 3, red: 5 } }
    }
}

/// Both levels within `low..=high`, as the API document states them.
fn check(field: &str, amber: f64, red: f64, low: f64, high: f64, errors: &mut Vec<FieldError>) {
    let within = |v: f64| v.is_finite() && (low..=high).contains(&v);
    if !within(amber) || !within(red) {
        errors.push(FieldError::new(field, format!("amber and red must be {low} to {high}")));
    }
}

impl QueueAlerts {
    pub fn check(self, errors: &mut Vec<FieldError>) -> Self {
        let WaitLevels { amber, red } = self.longest_wait_seconds;
        check("alerts.longest_wait_seconds", amber.into(), red.into(), 1.0, 3600.0, errors);
        check("alerts.service_level", self.service_level.amber, self.service_level.red, 0.0, 1.0, errors);
        let CountLevels { amber, red } = self.agents_on_break;
        check("alerts.agents_on_break", amber.into(), red.into(), 0.0, 1000.0, errors);
        self
    }
}

impl CampaignAlerts {
    pub fn check(self, errors: &mut Vec<FieldError>) -> Self {
        let ShareLevels { amber, red } = self.abandonment_of_cap;
        check("alerts.abandonment_of_cap", amber, red, 0.0, 1.0, errors);
        let CountLevels { amber, red } = self.agents_on_break;
        check("alerts.agents_on_break", amber.into(), red.into(), 0.0, 1000.0, errors);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_must_be_within_their_ranges_in_either_order() {
        let mut errors = Vec::new();
        QueueAlerts::default().check(&mut errors);
        CampaignAlerts::default().check(&mut errors);
        let backwards = QueueAlerts {
            longest_wait_seconds: WaitLevels { amber: 120, red: 60 },
            service_level: ShareLevels { amber: 0.5, red: 0.9 },
            agents_on_break: CountLevels { amber: 5, red: 0 },
        };
        backwards.check(&mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let wrong = QueueAlerts {
            longest_wait_seconds: WaitLevels { amber: 0, red: 60 },
            service_level: ShareLevels { amber: f64::NAN, red: 0.5 },
            agents_on_break: CountLevels { amber: 3, red: 1001 },
        };
        wrong.check(&mut errors);
        CampaignAlerts { abandonment_of_cap: ShareLevels { amber: 0.8, red: 1.2 }, ..Default::default() }.check(&mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["alerts.longest_wait_seconds", "alerts.service_level", "alerts.agents_on_break", "alerts.abandonment_of_cap"]);
    }
}
