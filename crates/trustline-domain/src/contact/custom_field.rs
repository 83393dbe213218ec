use serde::{Deserialize, Serialize};

/// A field a tenant adds to its contacts (e.g. `account_number`, `plan`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomFieldDef {
    /// Lower-case identifier used in the API and as a CSV column (`custom:<name>` or the bare name).
    pub name: String,
    pub label: String,
    pub kind: CustomFieldKind,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase", tag = "type", content = "choices")]
pub enum CustomFieldKind {
    Text,
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    Choice(#[schemars(length(min = 1, max = 100), with = "Vec<crate::OneLine<100>>")] Vec<String>),
}

const MAX_TEXT: usize = 500;

static NAME_RULE: crate::pattern_rule::PatternRule = crate::pattern_rule::PatternRule::new(CustomFieldDef::NAME_PATTERN);

impl CustomFieldDef {
    /// What a field's name must be, as the API document's pattern.
    pub const NAME_PATTERN: &'static str = "^[a-z][a-z0-9_]{0,39}$";

    /// Checks a definition itself (as an admin submits it, the label as
    /// written: [`crate::OneLine`] rules for the label and each choice).
    pub fn check(&self) -> Result<(), &'static str> {
        if !NAME_RULE.accepts(&self.name) {
            return Err("name must be 1-40 lower-case letters, digits or _, starting with a letter");
        }
        if crate::OneLine::<100>::parse(&self.label).is_err() {
            return Err("label must be 1-100 characters on one line, not blank");
        }
        if let CustomFieldKind::Choice(choices) = &self.kind
            && (choices.is_empty() || choices.len() > 100 || choices.iter().any(|c| crate::OneLine::<100>::parse(c).is_err()))
        {
            return Err("a choice field needs 1-100 choices, each 1-100 characters on one line, not blank");
        }
        Ok(())
    }

    /// The value to store, or why it cannot be.
    pub fn normalise(&self, value: &str) -> Result<String, String> {
        let value = value.trim();
        match &self.kind {
            CustomFieldKind::Text => {
                if value.chars().count() > MAX_TEXT {
                    Err(format!("is longer than {MAX_TEXT} characters"))
                } else if value.chars().any(|c| c.is_control() && c != '\n') {
                    Err("contains control characters".into())
                } else {
                    Ok(value.to_owned())
                }
            }
            CustomFieldKind::Number => match value.parse::<f64>() {
                Ok(n) if n.is_finite() && value.len() <= 40 => Ok(value.to_owned()),
                _ => Err("is not a number".into()),
            },
            CustomFieldKind::Date => {
                if is_date(value) {
                    Ok(value.to_owned())
                } else {
                    Err("is not a date (YYYY-MM-DD)".into())
                }
            }
            CustomFieldKind::Choice(choices) => match choices.iter().find(|c| c.eq_ignore_ascii_case(value)) {
                Some(choice) => Ok(choice.clone()),
                None => Err(format!("must be one of: {}", choices.join(", "))),
            },
        }
    }
}

fn is_date(value: &str) -> bool {
    let mut parts = value.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let number = |s: &str, len: usize| if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) { s.parse::<u32>().ok() } else { None };
    let (Some(y), Some(m), Some(d)) = (number(y, 4), number(m, 2), number(d, 2)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(kind: CustomFieldKind) -> CustomFieldDef {
        CustomFieldDef { name: "plan".into(), label: "Plan".into(), kind, required: false }
    }

    #[test]
    fn values_are_checked_by_kind() {
        assert_eq!(def(CustomFieldKind::Number).normalise(" 12.5 "), Ok("12.5".into()));
        assert!(def(CustomFieldKind::Number).normalise("NaN").is_err());
        assert!(def(CustomFieldKind::Number).normalise("twelve").is_err());
        assert_eq!(def(CustomFieldKind::Date).normalise("2024-02-29"), Ok("2024-02-29".into()));
        assert!(def(CustomFieldKind::Date).normalise("2023-02-29").is_err());
        assert!(def(CustomFieldKind::Date).normalise("2023-13-01").is_err());
        let choice = def(CustomFieldKind::Choice(vec!["Gold".into(), "Silver".into()]));
        assert_eq!(choice.normalise("gold"), Ok("Gold".into()));
        assert!(choice.normalise("Bronze").unwrap_err().contains("Gold, Silver"));
        assert!(def(CustomFieldKind::Text).normalise(&"x".repeat(501)).is_err());
        assert!(def(CustomFieldKind::Text).normalise("a\u{0}b").is_err());
    }

    #[test]
    fn definitions_are_checked() {
        assert!(def(CustomFieldKind::Text).check().is_ok());
        let mut bad = def(CustomFieldKind::Text);
        bad.name = "Plan Name".into();
        assert!(bad.check().is_err());
        assert!(def(CustomFieldKind::Choice(vec![])).check().is_err());
        for (name, ok) in [
            ("a", true),
            ("plan_2", true),
            (&*"a".repeat(40), true),
            (&*"a".repeat(41), false),
            ("_a", false),
            ("2a", false),
            ("a\n", false),
        ] {
            let mut named = def(CustomFieldKind::Text);
            named.name = name.into();
            assert_eq!(named.check().is_ok(), ok, "{name:?}");
        }
    }
}
