//! Skills as people name them (`billing`, `french`) with levels 1 to 10, and
//! the numbering the router works with.

use super::{AgentSkills, SkillId};
use crate::contact::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One named skill at a level: what an agent has, or what a queue requires
/// at least.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillLevel {
    pub skill: String,
    pub level: u8,
}

/// Most skills on one agent or queue.
pub const MAX_SKILLS: usize = 50;

/// A skill's name as the API document states it: 1 to 40 of a-z, 0-9 and `_`.
pub const SKILL_NAME: &str = "^[a-z0-9_]{1,40}$";

static SKILL_NAME_RULE: crate::pattern_rule::PatternRule = crate::pattern_rule::PatternRule::new(SKILL_NAME);

/// Skills by name, each once: `{"billing": 3, "french": 2}` in the API and
/// in storage, kept in name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkillLevels(Vec<SkillLevel>);

impl SkillLevels {
    pub fn new(skills: impl IntoIterator<Item = (String, u8)>) -> Self {
        let named: BTreeMap<String, u8> = skills.into_iter().collect();
        Self(named.into_iter().map(|(skill, level)| SkillLevel { skill, level }).collect())
    }
}

impl std::ops::Deref for SkillLevels {
    type Target = [SkillLevel];
    fn deref(&self) -> &[SkillLevel] {
        &self.0
    }
}

impl Serialize for SkillLevels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|s| (&s.skill, s.level)))
    }
}

impl<'de> Deserialize<'de> for SkillLevels {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, u8>::deserialize(deserializer).map(Self::new)
    }
}

impl schemars::JsonSchema for SkillLevels {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SkillLevels".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "Skills by name, each with its level from 1 to 10, e.g. {\"billing\": 3, \"french\": 2}.",
            "propertyNames": { "pattern": SKILL_NAME },
            "additionalProperties": { "type": "integer", "minimum": 1, "maximum": 10 },
            "maxProperties": MAX_SKILLS,
        })
    }
}

/// Checks skills field by field (`field.name`): names of 1 to 40 of a-z,
/// 0-9 and _, levels 1 to 10.
pub fn check_skills(field: &str, skills: &SkillLevels, errors: &mut Vec<FieldError>) {
    if skills.len() > MAX_SKILLS {
        errors.push(FieldError::new(field, format!("name at most {MAX_SKILLS} skills")));
    }
    for s in skills.iter() {
        if !SKILL_NAME_RULE.accepts(&s.skill) {
            errors.push(FieldError::new(format!("{field}.{}", s.skill), "must be named by 1 to 40 of a-z, 0-9 and _"));
        } else if !(1..=10).contains(&s.level) {
            errors.push(FieldError::new(format!("{field}.{}", s.skill), "must have a level from 1 to 10"));
        }
    }
}

/// Whether an agent with `has` may take calls needing `requires`: every
/// required skill at least at its level.
pub fn meets(requires: &[SkillLevel], has: &[SkillLevel]) -> bool {
    requires.iter().all(|need| has.iter().any(|s| s.skill == need.skill && s.level >= need.level))
}

/// Numbers for a tenant's skill names, given out as they are first seen.
#[derive(Debug, Default)]
pub struct SkillBook {
    ids: BTreeMap<String, SkillId>,
}

impl SkillBook {
    /// The router's form of named skills.
    pub fn numbered(&mut self, skills: &[SkillLevel]) -> AgentSkills {
        skills
            .iter()
            .map(|s| {
                let next = SkillId(u16::try_from(self.ids.len()).unwrap_or(u16::MAX));
                (*self.ids.entry(s.skill.clone()).or_insert(next), s.level)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(skill: &str, level: u8) -> SkillLevel {
        SkillLevel { skill: skill.into(), level }
    }

    fn levels(json: &str) -> SkillLevels {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn skills_are_checked_one_by_one() {
        let mut errors = Vec::new();
        check_skills("skills", &levels(r#"{"billing": 11, "French": 2, "german": 4}"#), &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["skills.French", "skills.billing"]);
        let mut none = Vec::new();
        check_skills("skills", &levels(r#"{"billing": 10, "french": 1, "_2": 1}"#), &mut none);
        assert!(none.is_empty());
        let mut odd = Vec::new();
        let long = "a".repeat(41);
        check_skills("skills", &SkillLevels::new([(long, 1), ("a\n".to_owned(), 1), (String::new(), 1)]), &mut odd);
        assert_eq!(odd.len(), 3, "{odd:?}");
    }

    #[test]
    fn skills_read_and_write_as_a_map_in_name_order() {
        let skills = levels(r#"{"french": 2, "billing": 3}"#);
        assert_eq!(&*skills, &[level("billing", 3), level("french", 2)]);
        assert_eq!(serde_json::to_string(&skills).unwrap(), r#"{"billing":3,"french":2}"#);
    }

    #[test]
    fn every_required_skill_must_be_met() {
        let agent = [level("billing", 3), level("french", 7)];
        assert!(meets(&[], &agent));
        assert!(meets(&[level("french", 7)], &agent));
        assert!(!meets(&[level("french", 8)], &agent));
        assert!(!meets(&[level("billing", 1), level("german", 1)], &agent));
    }

    #[test]
    fn the_same_name_gets_the_same_number() {
        let mut book = SkillBook::default();
        let agent = book.numbered(&[level("billing", 3), level("french", 7)]);
        let queue = book.numbered(&[level("french", 5)]);
        assert_eq!(agent, vec![(SkillId(0), 3), (SkillId(1), 7)]);
        assert_eq!(queue, vec![(SkillId(1), 5)]);
    }
}
