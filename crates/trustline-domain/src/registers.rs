//! The supplier register and the risk register: what an administrator
//! writes, checked field by field, and when each entry needs attention
//! (a review due, a certificate expired or expiring).

use crate::UnixTime;
use crate::contact::FieldError;
use crate::text::required_text;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificationKind {
    Soc2Type1,
    Soc2Type2,
    Iso27001,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    pub kind: CertificationKind,
    /// The last day it is valid (`YYYY-MM-DD`).
    #[schemars(extend("format" = "date"))]
    pub expires_on: String,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierInput {
    #[schemars(length(min = 1, max = 200), pattern(crate::NOT_BLANK))]
    pub name: String,
    /// What the supplier does for the contact center.
    #[schemars(length(min = 1, max = 500), pattern(crate::NOT_BLANK))]
    pub service: String,
    /// The personal data it touches; empty if none.
    #[serde(default)]
    #[schemars(length(max = 500))]
    pub data_touched: String,
    #[serde(default)]
    pub certifications: Vec<Certification>,
}

/// A supplier as stored, with its last review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Supplier {
    pub name: String,
    pub service: String,
    pub data_touched: String,
    pub certifications: Vec<Certification>,
    pub last_review_at: Option<UnixTime>,
    pub last_review_outcome: Option<String>,
}

/// The Unix time `date` ends at (UTC), for any date of the years 0 to 9999.
fn end_of_day(date: &str) -> Option<UnixTime> {
    let day: jiff::civil::Date = date.parse().ok()?;
    let days = jiff::civil::date(1970, 1, 1).until(day).ok()?.get_days();
    Some(i64::from(days) * DAY + DAY)
}

impl SupplierInput {
    pub fn validate(self) -> Result<Supplier, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required_text("name", &self.name, 200, &mut errors);
        let service = required_text("service", &self.service, 500, &mut errors);
        let data_touched = self.data_touched.trim().to_owned();
        if self.data_touched.chars().count() > 500 {
            errors.push(FieldError::new("data_touched", "must be at most 500 characters"));
        }
        for (i, c) in self.certifications.iter().enumerate() {
            if end_of_day(&c.expires_on).is_none() {
                errors.push(FieldError::new(format!("certifications[{i}].expires_on"), "must be a date like 2027-06-30"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Supplier { name, service, data_touched, certifications: self.certifications, last_review_at: None, last_review_outcome: None })
    }
}

/// Review outcomes.
pub const REVIEW_OUTCOMES: [&str; 3] = ["approved", "approved_with_conditions", "rejected"];

/// Something to do about a supplier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SupplierTask {
    pub task: String,
    /// Out of compliance now (not merely coming due).
    pub overdue: bool,
}

impl Supplier {
    /// What needs doing about this supplier at `now`: reviews older than a
    /// year, no valid certificate for one that touches personal data, a
    /// rejection still registered (all overdue), and certificates expiring
    /// within 30 days (coming due).
    pub fn tasks(&self, now: UnixTime) -> Vec<SupplierTask> {
        let mut tasks = Vec::new();
        let mut overdue = |task: String| tasks.push(SupplierTask { task, overdue: true });
        match self.last_review_at {
            None => overdue("never reviewed".to_owned()),
            Some(at) if now - at > 365 * DAY => overdue(format!("review overdue (last {} days ago)", (now - at) / DAY)),
            Some(_) => {}
        }
        if self.last_review_outcome.as_deref() == Some("rejected") {
            overdue("rejected at its last review but still registered".to_owned());
        }
        let valid: Vec<&Certification> =
            self.certifications.iter().filter(|c| end_of_day(&c.expires_on).is_some_and(|end| end > now)).collect();
        if !self.data_touched.is_empty() && valid.is_empty() {
            overdue("touches personal data without a valid SOC 2 or ISO 27001 certificate".to_owned());
        }
        for c in &valid {
            if end_of_day(&c.expires_on).is_some_and(|end| end - now <= 30 * DAY) {
                tasks.push(SupplierTask { task: format!("{:?} certificate expires on {}", c.kind, c.expires_on), overdue: false });
            }
        }
        tasks
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    Mitigate,
    Accept,
    Transfer,
    Avoid,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    #[schemars(length(min = 1, max = 200), pattern(crate::NOT_BLANK))]
    pub title: String,
    #[serde(default)]
    #[schemars(length(max = 5000))]
    pub description: String,
    /// 1 (rare) to 5 (almost certain).
    #[schemars(range(min = 1, max = 5))]
    pub likelihood: u8,
    /// 1 (negligible) to 5 (severe).
    #[schemars(range(min = 1, max = 5))]
    pub impact: u8,
    pub treatment: Treatment,
    /// The user who owns the risk.
    pub owner_id: i64,
    /// Ids of the controls that treat it, e.g. `AC-01`.
    #[serde(default)]
    pub controls: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Risk {
    pub title: String,
    pub description: String,
    pub likelihood: u8,
    pub impact: u8,
    pub treatment: Treatment,
    pub owner_id: i64,
    pub controls: Vec<String>,
    pub last_reviewed_at: Option<UnixTime>,
}

impl Risk {
    /// The controls named that `known_control` does not know, as field errors.
    pub fn unknown_controls(&self, known_control: impl Fn(&str) -> bool) -> Vec<FieldError> {
        let unknown = self.controls.iter().enumerate().filter(|(_, id)| !known_control(id));
        unknown.map(|(i, id)| FieldError::new(format!("controls[{i}]"), format!("there is no control {id:?}"))).collect()
    }
}

impl RiskInput {
    /// Checks the risk's own rules; the controls it names are checked
    /// against the catalogue by [`Risk::unknown_controls`].
    pub fn validate(self) -> Result<Risk, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = required_text("title", &self.title, 200, &mut errors);
        let description = self.description.trim().to_owned();
        if self.description.chars().count() > 5_000 {
            errors.push(FieldError::new("description", "must be at most 5000 characters"));
        }
        for (field, value) in [("likelihood", self.likelihood), ("impact", self.impact)] {
            if !(1..=5).contains(&value) {
                errors.push(FieldError::new(field, "must be 1 to 5"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Risk {
            title,
            description,
            likelihood: self.likelihood,
            impact: self.impact,
            treatment: self.treatment,
            owner_id: self.owner_id,
            controls: self.controls,
            last_reviewed_at: None,
        })
    }
}

impl Risk {
    pub fn score(&self) -> u8 {
        self.likelihood.saturating_mul(self.impact)
    }

    /// Higher risks are reviewed more often: a score of 15 or more every
    /// 90 days, 8 or more every 180, others yearly; from creation when
    /// never reviewed.
    pub fn review_due(&self, created_at: UnixTime) -> UnixTime {
        let every = match self.score() {
            15.. => 90,
            8.. => 180,
            _ => 365,
        };
        self.last_reviewed_at.unwrap_or(created_at) + every * DAY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_900_000_000;

    fn supplier() -> Supplier {
        SupplierInput {
            name: "Carrier Ltd".into(),
            service: "SIP trunks".into(),
            data_touched: "called numbers".into(),
            certifications: vec![Certification { kind: CertificationKind::Iso27001, expires_on: "2031-01-31".into() }],
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn supplier_tasks_follow_reviews_and_certificates() {
        let mut s = supplier();
        let texts = |s: &Supplier| s.tasks(NOW).into_iter().map(|t| t.task).collect::<Vec<_>>();
        assert_eq!(texts(&s), ["never reviewed"]);
        s.last_review_at = Some(NOW - 10 * DAY);
        assert!(s.tasks(NOW).is_empty());
        s.last_review_at = Some(NOW - 400 * DAY);
        assert!(texts(&s)[0].starts_with("review overdue"));
        s.last_review_at = Some(NOW);
        s.certifications[0].expires_on = "2030-04-01".into();
        assert!(texts(&s)[0].contains("expires on 2030-04-01") && !s.tasks(NOW)[0].overdue, "{:?}", s.tasks(NOW));
        s.certifications[0].expires_on = "2029-01-01".into();
        assert!(texts(&s)[0].contains("without a valid") && s.tasks(NOW)[0].overdue);
        let bad = SupplierInput {
            name: "".into(),
            service: "x".into(),
            data_touched: "".into(),
            certifications: vec![Certification { kind: CertificationKind::Soc2Type2, expires_on: "soon".into() }],
        };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "certifications[0].expires_on"]);
    }

    #[test]
    fn risks_are_checked_and_reviewed_by_their_score() {
        let input = || RiskInput {
            title: "Stolen agent credentials".into(),
            description: String::new(),
            likelihood: 4,
            impact: 5,
            treatment: Treatment::Mitigate,
            owner_id: 1,
            controls: vec!["AC-01".into()],
        };
        let risk = input().validate().unwrap();
        assert!(risk.unknown_controls(|id| id == "AC-01").is_empty());
        assert_eq!((risk.score(), risk.review_due(NOW)), (20, NOW + 90 * DAY));
        let low = Risk { likelihood: 1, impact: 2, ..risk };
        assert_eq!(low.review_due(NOW), NOW + 365 * DAY);
        let fields: Vec<String> = RiskInput { likelihood: 0, ..input() }.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["likelihood"]);
        let unknown = RiskInput { controls: vec!["AC-01".into(), "ZZ-1".into()], ..input() }.validate().unwrap();
        assert_eq!(unknown.unknown_controls(|id| id == "AC-01").into_iter().map(|e| e.field).collect::<Vec<_>>(), ["controls[1]"]);
    }
}
