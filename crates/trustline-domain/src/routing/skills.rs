//! Skills as people name them (`billing`, `french`) with levels 1 to 10, and
//! the numbering the router works with.

use super::{AgentSkills, SkillId};
use crate::contact::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One named skill at a level: what an agent has, or what a queue requires
/// at least.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillLevel {
    /// 1 to 40 of a-z, 0-9 and `_`.
    #[schemars(regex(pattern = "^[a-z0-9_]{1,40}$"))]
    pub skill: String,
    /// 1 to 10.
    #[schemars(range(min = 1, max = 10))]
    pub level: u8,
}

/// Most skills on one agent or queue.
pub const MAX_SKILLS: usize = 50;

/// Checks skills field by field (`field[i].skill`, `field[i].level`); each
/// skill once, names of 1 to 40 of a-z, 0-9 and _.
pub fn check_skills(field: &str, skills: &[SkillLevel], errors: &mut Vec<FieldError>) {
    if skills.len() > MAX_SKILLS {
        errors.push(FieldError::new(field, format!("name at most {MAX_SKILLS} skills")));
    }
    for (i, s) in skills.iter().enumerate() {
        let name_ok =
            (1..=40).contains(&s.skill.len()) && s.skill.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            errors.push(FieldError::new(format!("{field}[{i}].skill"), "must be 1 to 40 of a-z, 0-9 and _"));
        }
        if skills.iter().take(i).any(|other| other.skill == s.skill) {
            errors.push(FieldError::new(format!("{field}[{i}].skill"), "is named twice"));
        }
        if !(1..=10).contains(&s.level) {
            errors.push(FieldError::new(format!("{field}[{i}].level"), "must be 1 to 10"));
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

    #[test]
    fn skills_are_checked_one_by_one() {
        let mut errors = Vec::new();
        check_skills("skills", &[level("billing", 3), level("French", 2), level("billing", 11)], &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["skills[1].skill", "skills[2].skill", "skills[2].level"]);
        let mut none = Vec::new();
        check_skills("skills", &[level("billing", 10), level("french", 1)], &mut none);
        assert!(none.is_empty());
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
