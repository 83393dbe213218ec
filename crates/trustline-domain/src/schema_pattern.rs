//! Checks that a pattern the API document states is the rule the code
//! applies: for any text, both accept it or both refuse it.

/// Fails when `pattern` (matched as JSON Schema does, anywhere in the text
/// unless anchored) and the rule disagree about `text`.
pub(crate) fn assert_agrees(pattern: &str, text: &str, rule_accepts: bool) {
    let compiled = regex::Regex::new(pattern).expect("a documented pattern compiles");
    assert_eq!(compiled.is_match(text), rule_accepts, "pattern {pattern:?} and the rule disagree on {text:?}");
}
