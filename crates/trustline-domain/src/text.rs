//! The one rule for free text a caller names (names, titles, notes,
//! reasons): between a minimum and a maximum number of characters as
//! written, and not blank. The API document states the same rule
//! (`minLength`, `maxLength`, `pattern`), so what it accepts, the API does.

use crate::contact::FieldError;

/// A JSON Schema pattern matched by text that is not blank: it holds a
/// character Rust does not count as white space (listed rather than `\S`,
/// whose meaning differs between regular expression engines).
pub const NOT_BLANK: &str = "[^\t\n\u{b}\u{c}\r \u{85}\u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}]";

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

    proptest! {
        /// The pattern's character class is exactly Rust's white space.
        #[test]
        fn the_pattern_agrees_with_trim(c in any::<char>()) {
            let class = NOT_BLANK.trim_start_matches("[^").trim_end_matches(']');
            let listed = (c != '-' && class.contains(c)) || ('\u{2000}'..='\u{200a}').contains(&c);
            prop_assert_eq!(listed, c.is_whitespace(), "{:?}", c);
        }
    }
}
