//! Every JSON answer a test receives is held to the API document: the
//! schema the document gives for that operation and status must describe
//! the body, or the test fails. The integration tests thus check that the
//! document tells the truth about every answer they see.
//!
//! The checker knows the parts of JSON Schema the document uses (`$ref`,
//! `anyOf`/`oneOf`/`allOf`, `type`, `enum`, `const`, object, array, string
//! and number bounds, `pattern`); an unknown keyword is a failure, so the
//! document cannot outgrow it unnoticed.

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

static DOCUMENT: LazyLock<Value> = LazyLock::new(trustline_server::openapi::document);
static PATTERNS: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Mutex::default);

/// Keywords that describe without constraining.
const ANNOTATIONS: [&str; 6] = ["description", "title", "format", "default", "examples", "contentMediaType"];

/// Panics, saying where and why, when `body` is a JSON answer to `method
/// path` that the document's schema for `status` does not describe.
pub fn assert_answer_documented(method: &str, path: &str, status: u16, body: &Value) {
    let Some(operation) = operation(method, path) else { return };
    let Some(schema) = operation["responses"][status.to_string()]["content"]["application/json"].get("schema") else {
        if status >= 400 {
            panic!("{method} {path} answered {status}, which the API document does not declare for it\nbody: {body}");
        }
        return;
    };
    if let Err(why) = check(body, schema, "") {
        panic!("{method} {path} answered {status} with a body the API document does not describe: {why}\nbody: {body}");
    }
}

/// The documented operation `method path` reaches (literal segments win
/// over parameters), if the document has one.
fn operation(method: &str, path: &str) -> Option<&'static Value> {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &Value)> = None;
    for (template, item) in DOCUMENT["paths"].as_object()? {
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let matches = parts.iter().zip(&segments).all(|(t, s)| t.starts_with('{') || t == s);
        let literal = parts.iter().filter(|t| !t.starts_with('{')).count();
        if matches && best.is_none_or(|(known, _)| literal > known) {
            best = Some((literal, item));
        }
    }
    best?.1.get(method.to_ascii_lowercase())
}

fn resolve(reference: &str) -> Result<&'static Value, String> {
    reference.strip_prefix('#').and_then(|pointer| DOCUMENT.pointer(pointer)).ok_or_else(|| format!("dangling $ref {reference}"))
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => type_name(value) == other,
    }
}

fn number(schema: &Map<String, Value>, key: &str) -> Option<f64> {
    schema.get(key).and_then(Value::as_f64)
}

fn matches_pattern(pattern: &str, text: &str) -> Result<bool, String> {
    let mut cache = PATTERNS.lock().map_err(|_| "pattern cache poisoned".to_owned())?;
    if !cache.contains_key(pattern) {
        let compiled = Regex::new(pattern).map_err(|e| format!("pattern {pattern:?} does not compile: {e}"))?;
        cache.insert(pattern.to_owned(), compiled);
    }
    Ok(cache.get(pattern).is_some_and(|re| re.is_match(text)))
}

/// Whether `schema` describes `value`; the error names the place (a JSON
/// pointer into the body) and the broken keyword.
fn check(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    let schema = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{at}: nothing is allowed here")),
        Value::Object(map) => map,
        other => return Err(format!("{at}: {other} is not a schema")),
    };
    for (keyword, rule) in schema {
        let fail = |why: String| Err(format!("{at}: {keyword}: {why}"));
        match keyword.as_str() {
            "$ref" => check(value, resolve(rule.as_str().unwrap_or_default())?, at)?,
            "anyOf" | "oneOf" => {
                let options = rule.as_array().map(Vec::as_slice).unwrap_or_default();
                let passed = options.iter().filter(|option| check(value, option, at).is_ok()).count();
                let ok = if keyword == "anyOf" { passed > 0 } else { passed == 1 };
                if !ok {
                    let reasons: Vec<String> = options.iter().filter_map(|o| check(value, o, at).err()).collect();
                    return fail(format!("{passed} of {} options match ({})", options.len(), reasons.join(" | ")));
                }
            }
            "allOf" => {
                for part in rule.as_array().map(Vec::as_slice).unwrap_or_default() {
                    check(value, part, at)?;
                }
            }
            "type" => {
                let names: Vec<&str> = match rule {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                if !names.iter().any(|name| has_type(value, name)) {
                    return fail(format!("{} is not {}", type_name(value), names.join(" or ")));
                }
            }
            "enum" => {
                if !rule.as_array().is_some_and(|allowed| allowed.contains(value)) {
                    return fail(format!("{value} is not one of {rule}"));
                }
            }
            "const" => {
                if value != rule {
                    return fail(format!("{value} is not {rule}"));
                }
            }
            "properties" => {
                if let (Value::Object(object), Value::Object(properties)) = (value, rule) {
                    for (name, property) in properties {
                        if let Some(field) = object.get(name) {
                            check(field, property, &format!("{at}/{name}"))?;
                        }
                    }
                }
            }
            "required" => {
                if let Value::Object(object) = value {
                    let missing: Vec<&str> =
                        rule.as_array().into_iter().flatten().filter_map(Value::as_str).filter(|n| !object.contains_key(*n)).collect();
                    if !missing.is_empty() {
                        return fail(format!("{} missing", missing.join(", ")));
                    }
                }
            }
            "additionalProperties" => {
                if let Value::Object(object) = value {
                    let known = schema.get("properties").and_then(Value::as_object);
                    for (name, field) in object.iter().filter(|(name, _)| !known.is_some_and(|k| k.contains_key(*name))) {
                        check(field, rule, &format!("{at}/{name}"))?;
                    }
                }
            }
            "propertyNames" => {
                if let Value::Object(object) = value {
                    for name in object.keys() {
                        check(&Value::String(name.clone()), rule, &format!("{at}/{name} (name)"))?;
                    }
                }
            }
            "items" => {
                if let Value::Array(items) = value {
                    for (i, item) in items.iter().enumerate() {
                        check(item, rule, &format!("{at}/{i}"))?;
                    }
                }
            }
            "minItems" | "maxItems" => {
                if let Value::Array(items) = value {
                    let bound = rule.as_u64().unwrap_or_default() as usize;
                    if (keyword == "minItems" && items.len() < bound) || (keyword == "maxItems" && items.len() > bound) {
                        return fail(format!("{} items", items.len()));
                    }
                }
            }
            "minProperties" | "maxProperties" => {
                if let Value::Object(object) = value {
                    let bound = rule.as_u64().unwrap_or_default() as usize;
                    if (keyword == "minProperties" && object.len() < bound) || (keyword == "maxProperties" && object.len() > bound) {
                        return fail(format!("{} properties", object.len()));
                    }
                }
            }
            "minLength" | "maxLength" => {
                if let Value::String(text) = value {
                    let (count, bound) = (text.chars().count(), rule.as_u64().unwrap_or_default() as usize);
                    if (keyword == "minLength" && count < bound) || (keyword == "maxLength" && count > bound) {
                        return fail(format!("{count} characters"));
                    }
                }
            }
            "pattern" => {
                if let Value::String(text) = value
                    && !matches_pattern(rule.as_str().unwrap_or_default(), text)?
                {
                    return fail(format!("{text:?} does not match {rule}"));
                }
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                if let (Some(n), Some(bound)) = (value.as_f64(), number(schema, keyword)) {
                    let ok = match keyword.as_str() {
                        "minimum" => n >= bound,
                        "maximum" => n <= bound,
                        "exclusiveMinimum" => n > bound,
                        _ => n < bound,
                    };
                    if !ok {
                        return fail(format!("{n} is out of bounds"));
                    }
                }
            }
            annotation if ANNOTATIONS.contains(&annotation) => {}
            other => return Err(format!("{at}: the answer checker does not know the keyword {other:?}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_checker_refuses_what_a_schema_rules_out() {
        let schema = json!({
            "type": "object",
            "required": ["id", "state"],
            "additionalProperties": false,
            "properties": {
                "id": { "type": "integer", "minimum": 1 },
                "state": { "enum": ["open", "closed"] },
                "tags": { "type": "array", "items": { "type": "string", "pattern": "^[a-z]+$" } },
                "owner": { "anyOf": [{ "type": "null" }, { "type": "integer" }] }
            }
        });
        assert!(check(&json!({ "id": 3, "state": "open", "tags": ["a"], "owner": null }), &schema, "").is_ok());
        for wrong in [
            json!({ "state": "open" }),
            json!({ "id": 0, "state": "open" }),
            json!({ "id": 1.5, "state": "open" }),
            json!({ "id": 1, "state": "gone" }),
            json!({ "id": 1, "state": "open", "tags": ["A"] }),
            json!({ "id": 1, "state": "open", "owner": "me" }),
            json!({ "id": 1, "state": "open", "extra": true }),
        ] {
            assert!(check(&wrong, &schema, "").is_err(), "{wrong} passed");
        }
        assert!(check(&json!(1), &json!({ "unknownKeyword": 1 }), "").is_err(), "an unknown keyword fails");
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let success = |path| &operation("GET", path).unwrap()["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(success("/api/contacts/lookup?q=x")["$ref"], "#/components/schemas/FoundContacts");
        assert_eq!(success("/api/contacts/42")["$ref"], "#/components/schemas/ContactRecord");
    }

    #[test]
    #[should_panic(expected = "does not declare")]
    fn an_undeclared_error_status_fails() {
        let body = json!({ "error": { "code": "conflict", "message": "m" } });
        assert_answer_documented("GET", "/api/me", 409, &body);
    }

    #[test]
    fn an_error_code_the_operation_does_not_list_fails() {
        let refusal = |code: &str| json!({ "error": { "code": code, "message": "m" } });
        let schema = &operation("POST", "/api/calls/7/hold").unwrap()["responses"]["409"]["content"]["application/json"]["schema"];
        assert!(check(&refusal("wrong_call_state"), schema, "").is_ok());
        assert!(check(&refusal("course_exists"), schema, "").is_err(), "a code of another route");
    }
}
