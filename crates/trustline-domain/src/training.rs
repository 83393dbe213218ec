//! Security training: courses with a validity period, and whether a person's
//! required training is current. Revealing or exporting personal data
//! needs it (ISO/IEC 27001 6.3, SOC 2 CC1.4).

use crate::UnixTime;
use crate::contact::FieldError;
use crate::text::required_text;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseInput {
    #[schemars(length(min = 1, max = 200), pattern(crate::NOT_BLANK))]
    pub title: String,
    /// How long a completion counts, in days (1 to 1095).
    #[schemars(range(min = 1, max = 1095))]
    pub validity_days: u32,
    /// Required of everyone who handles personal data (default true).
    pub required: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Course {
    pub id: i64,
    pub title: String,
    pub validity_days: u32,
    pub required: bool,
}

impl CourseInput {
    /// Every problem at once, each with its field.
    pub fn validate(self) -> Result<(String, u32, bool), Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = required_text("title", &self.title, 200, &mut errors);
        if !(1..=1095).contains(&self.validity_days) {
            errors.push(FieldError::new("validity_days", "must be 1 to 1095 days"));
        }
        if errors.is_empty() { Ok((title, self.validity_days, self.required.unwrap_or(true))) } else { Err(errors) }
    }
}

/// Why someone's required training is not current.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrainingLapsed {
    #[error("the required security course {0:?} has not been completed")]
    Never(String),
    #[error("the required security course {course:?} lapsed {days} days ago")]
    Expired { course: String, days: i64 },
}

/// Whether every required course has a completion still valid at `now`.
/// `completions` are (course id, completed at) of one person.
pub fn training_current(courses: &[Course], completions: &[(i64, UnixTime)], now: UnixTime) -> Result<(), TrainingLapsed> {
    for course in courses.iter().filter(|c| c.required) {
        let latest = completions.iter().filter(|(id, _)| *id == course.id).map(|(_, at)| *at).max();
        let Some(done) = latest else { return Err(TrainingLapsed::Never(course.title.clone())) };
        let until = done + i64::from(course.validity_days) * DAY;
        if until <= now {
            return Err(TrainingLapsed::Expired { course: course.title.clone(), days: (now - until) / DAY });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(id: i64, required: bool) -> Course {
        Course { id, title: format!("Course {id}"), validity_days: 365, required }
    }

    #[test]
    fn every_required_course_must_be_current() {
        let courses = [course(1, true), course(2, false)];
        let now = 1_000 * DAY;
        assert_eq!(training_current(&courses, &[], now), Err(TrainingLapsed::Never("Course 1".into())));
        assert_eq!(training_current(&courses, &[(1, now - 10 * DAY)], now), Ok(()), "optional courses do not count");
        assert_eq!(
            training_current(&courses, &[(1, now - 400 * DAY)], now),
            Err(TrainingLapsed::Expired { course: "Course 1".into(), days: 35 })
        );
        assert_eq!(training_current(&courses, &[(1, now - 400 * DAY), (1, now - DAY)], now), Ok(()), "the newest completion counts");
        assert_eq!(training_current(&[], &[], now), Ok(()));
    }

    #[test]
    fn courses_are_checked() {
        let bad = CourseInput { title: " ".into(), validity_days: 0, required: None };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "validity_days"]);
    }
}
