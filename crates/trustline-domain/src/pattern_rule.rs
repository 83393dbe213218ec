//! A pattern the API document states, applied as the rule itself, so the
//! document and the check cannot drift apart.

use std::sync::OnceLock;

/// Compiled on first use. A pattern that does not compile accepts nothing
/// (fails closed); the tests of each rule compile it.
pub(crate) struct PatternRule {
    pattern: &'static str,
    compiled: OnceLock<Option<regex::Regex>>,
}

impl PatternRule {
    pub(crate) const fn new(pattern: &'static str) -> Self {
        Self { pattern, compiled: OnceLock::new() }
    }

    pub(crate) fn accepts(&self, text: &str) -> bool {
        self.compiled.get_or_init(|| regex::Regex::new(self.pattern).ok()).as_ref().is_some_and(|rule| rule.is_match(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pattern_accepts_nothing() {
        assert!(!PatternRule::new("^(unclosed$").accepts("(unclosed"));
        assert!(PatternRule::new("^a+$").accepts("aaa"));
    }
}
