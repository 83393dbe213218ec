//! The one rule for free text a caller names (names, titles, notes,
//! reasons): between a minimum and a maximum number of characters as
//! written, and not blank. The API document states the same rule
//! (`minLength`, `maxLength`, `pattern`), so what it accepts, the API does.

use crate::contact::FieldError;
use serde::Deserialize;

/// The characters Rust counts as white space (what `str::trim` removes),
/// as the inside of a regular expression character class: listed rather
/// than `\s`, whose meaning differs between regular expression engines.
macro_rules! white_space_class {
    () => {
        "\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
    };
}
pub(crate) use white_space_class;

/// Describes a checked text type to the API document: a string matching
/// the pattern its parser applies.
macro_rules! text_schema {
    ($type:ty, $name:literal, $pattern:expr, $max:expr) => {
        impl schemars::JsonSchema for $type {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "maxLength": $max, "pattern": $pattern })
            }
        }
    };
}
pub(crate) use text_schema;

/// A JSON Schema pattern matched by text that is not blank: it holds a
/// character Rust does not count as white space.
pub const NOT_BLANK: &str = concat!("[^", white_space_class!(), "]");

/// `value` trimmed, if it has `min..=max` characters as written and is not blank.
pub fn bounded_text(value: &str, min: usize, max: usize) -> Option<&str> {
    let count = value.chars().count();
    let trimmed = value.trim();
    (count >= min && count <= max && !trimmed.is_empty()).then_some(trimmed)
}

/// A required field of an input checked field by field: `value` trimmed,
/// or an error for `field` (and an empty string) if it is not 1 to `max`
/// characters or blank.
pub(crate) fn required_text(field: impl Into<String>, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    bounded_text(value, 1, max).map(str::to_owned).unwrap_or_else(|| {
        errors.push(FieldError::new(field, format!("must be 1 to {max} characters, not blank")));
        String::new()
    })
}

/// A JSON Schema pattern matched by one line of text that is not blank:
/// no control character (Unicode `Cc`, what Rust's `char::is_control`
/// means) anywhere, and one character that is neither control nor white
/// space.
pub const ONE_LINE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// A short text a caller names on one line (a source, a label, a title):
/// 1 to `MAX` characters as written, not blank, no control characters;
/// kept trimmed. Read from JSON, it refuses what breaks the rule, and the
/// API document states the rule.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct OneLine<const MAX: usize>(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to {max} characters on one line, not blank")]
pub struct NotOneLine {
    pub max: usize,
}

impl<const MAX: usize> OneLine<MAX> {
    pub fn parse(value: &str) -> Result<Self, NotOneLine> {
        match bounded_text(value, 1, MAX) {
            Some(trimmed) if !value.chars().any(char::is_control) => Ok(Self(trimmed.to_owned())),
            _ => Err(NotOneLine { max: MAX }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> TryFrom<String> for OneLine<MAX> {
    type Error = NotOneLine;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl<const MAX: usize> schemars::JsonSchema for OneLine<MAX> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("OneLine{MAX}").into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "minLength": 1, "maxLength": MAX, "pattern": ONE_LINE })
    }
}

/// A JSON Schema pattern matched by words: text that is not blank and has
/// no control characters other than white space (tabs and line breaks
/// separate words like spaces).
pub const WORDS: &str = "^[^\\u0000-\\u0008\\u000e-\\u001f\\u007f-\\u0084\\u0086-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^\\u0000-\\u0008\\u000e-\\u001f\\u007f-\\u0084\\u0086-\\u009f]*$";

/// A person's name or a part of an address: 1 to `MAX` characters as
/// written, not blank, no control characters but white space; kept with
/// each run of white space made one space (a name typed across two lines
/// of a spreadsheet cell reads as one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Words<const MAX: usize>(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to {max} characters, not blank, with no control characters")]
pub struct NotWords {
    pub max: usize,
}

impl<const MAX: usize> Words<MAX> {
    pub fn parse(value: &str) -> Result<Self, NotWords> {
        let control = |c: char| c.is_control() && !c.is_whitespace();
        match bounded_text(value, 1, MAX) {
            Some(_) if !value.chars().any(control) => Ok(Self(value.split_whitespace().collect::<Vec<_>>().join(" "))),
            _ => Err(NotWords { max: MAX }),
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> schemars::JsonSchema for Words<MAX> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Words{MAX}").into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "minLength": 1, "maxLength": MAX, "pattern": WORDS })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn length_counts_what_was_written_and_blank_is_refused() {
        assert_eq!(bounded_text("  Sales  ", 1, 9), Some("Sales"));
        assert_eq!(bounded_text("  Sales   ", 1, 9), None, "ten characters as written");
        assert_eq!(bounded_text(" \t\u{3000}", 1, 9), None);
        assert_eq!(bounded_text("", 0, 9), None);
        assert_eq!(bounded_text("\u{1c}", 1, 9), Some("\u{1c}"), "not white space to Rust, so not blank");
    }

    #[test]
    fn words_keep_one_space_between_them() {
        assert_eq!(Words::<20>::parse(" Ada\n\tLovelace ").map(Words::into_string), Ok("Ada Lovelace".into()));
        assert!(Words::<20>::parse("Ada\u{7}").is_err());
        assert!(Words::<20>::parse(" \n").is_err());
    }

    proptest! {
        #[test]
        fn words_are_what_their_pattern_says(text in "[ -~\t\n\u{85}\u{a0}\u{3000}\u{1c}\u{7}\u{e9}]{0,8}") {
            let within = text.chars().count() <= 6;
            let accepted = Words::<6>::parse(&text).is_ok();
            let control = text.chars().any(|c| c.is_control() && !c.is_whitespace());
            crate::schema_pattern::assert_agrees(WORDS, &text, accepted || (!within && !text.trim().is_empty() && !control));
        }

        #[test]
        fn one_line_is_what_its_pattern_says(text in "[ -~\t\n\u{85}\u{a0}\u{3000}\u{1c}\u{e9}]{0,8}") {
            let within = text.chars().count() <= 6;
            let accepted = OneLine::<6>::parse(&text).is_ok();
            crate::schema_pattern::assert_agrees(ONE_LINE, &text, accepted || (!within && !text.trim().is_empty() && !text.chars().any(char::is_control)));
        }

        /// The pattern's character class is exactly Rust's white space.
        #[test]
        fn the_pattern_agrees_with_trim(c in any::<char>()) {
            crate::schema_pattern::assert_agrees(NOT_BLANK, &c.to_string(), !c.is_whitespace());
        }
    }
}
