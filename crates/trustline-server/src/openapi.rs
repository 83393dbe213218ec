//! The OpenAPI 3.1 document of the JSON API, generated from the route table
//! the router is built from, so it cannot list a route that does not exist
//! or miss one that does. Each operation names the permission it needs
//! (`x-trustline-action`) and how a caller authenticates.

use crate::guard::Access;
use crate::routes::{RouteSpec, route_table};
use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

/// Whether a route belongs in the API document (pages and assets do not).
pub fn documented(spec: &RouteSpec) -> bool {
    spec.path.starts_with("/api/") || spec.path == "/healthz" || spec.path == "/readyz"
}

/// `get_api_users_id` for `GET /api/users/{id}`.
fn operation_id(method: &Method, path: &str) -> String {
    let words = path.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty());
    std::iter::once(method.as_str().to_ascii_lowercase()).chain(words.map(str::to_owned)).collect::<Vec<_>>().join("_")
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
        .map(|name| {
            // Custom fields are addressed by their name, everything else by number.
            let schema = if path.starts_with("/api/custom-fields/") {
                json!({ "type": "string" })
            } else {
                json!({ "type": "integer", "format": "int64" })
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect()
}

fn error() -> Value {
    json!({ "$ref": "#/components/responses/Error" })
}

fn operation(spec: &RouteSpec) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(operation_id(&spec.method, spec.path)));
    op.insert("summary".into(), json!(spec.summary));
    let tag = spec.path.trim_start_matches("/api/").split('/').next().unwrap_or("health");
    op.insert("tags".into(), json!([if spec.path.starts_with("/api/") { tag } else { "health" }]));
    let mut parameters = path_parameters(spec.path);
    if spec.idempotent {
        parameters.push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Retrying with the same key returns the first answer instead of creating again (kept for a day).",
            "schema": { "type": "string", "minLength": 1, "maxLength": 128 }
        }));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if spec.method == Method::POST || spec.method == Method::PUT {
        let content = if spec.path == "/api/imports" {
            json!({ "text/csv": { "schema": { "type": "string" } } })
        } else {
            json!({ "application/json": { "schema": { "type": "object" } } })
        };
        op.insert("requestBody".into(), json!({ "required": spec.path == "/api/imports", "content": content }));
    }
    let security = match spec.access {
        Access::Public => json!([]),
        Access::MfaPending | Access::Enrolment | Access::AnySession => json!([{ "session": [] }]),
        Access::Allowed(action) => {
            op.insert("x-trustline-action".into(), json!(action.as_str()));
            json!([{ "session": [] }, { "token": [] }])
        }
    };
    op.insert("security".into(), security);
    let mut responses = Map::new();
    let success = if spec.success == StatusCode::NO_CONTENT {
        json!({ "description": "Done" })
    } else if spec.path == "/api/reports/agent-time" {
        json!({ "description": "A CSV file", "content": { "text/csv": { "schema": { "type": "string" } } } })
    } else if spec.path == "/api/live" {
        json!({ "description": "An event stream: a snapshot, then changes", "content": { "text/event-stream": { "schema": { "type": "string" } } } })
    } else {
        json!({ "description": "Success", "content": { "application/json": { "schema": { "type": "object" } } } })
    };
    responses.insert(spec.success.as_str().into(), success);
    // 503: the database or the audit log cannot be written (fail closed).
    let mut errors = vec!["400", "404", "422", "503"];
    if spec.access != Access::Public {
        errors.extend(["401", "403"]);
    }
    if spec.method != Method::GET {
        errors.push("409");
    }
    if spec.path.starts_with("/api/contacts/{id}") {
        errors.push("410");
    }
    if spec.path == "/api/imports" && spec.method == Method::POST {
        errors.push("413");
    }
    if spec.path == "/api/session" || spec.path == "/api/session/mfa" {
        errors.push("429");
    }
    for code in errors {
        responses.insert(code.into(), error());
    }
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for spec in route_table().iter().filter(|s| documented(s)) {
        let item = paths.entry(spec.path).or_insert_with(|| json!({}));
        if let Value::Object(item) = item {
            item.insert(spec.method.as_str().to_ascii_lowercase(), operation(spec));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Trustline API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Contact-center API. Every call is authorized against the role permission matrix (x-trustline-action) and audited. Errors are {\"error\": {\"code\", \"message\", \"fields\"?}}."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "tl_session",
                    "description": "Session from POST /api/session (named __Host-tl_session under TLS). State changes must send the session's X-CSRF-Token."
                },
                "token": { "type": "http", "scheme": "bearer", "description": "A scoped, expiring API token (tlk_…)." }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": { "type": "string" },
                                "message": { "type": "string" },
                                "fields": { "type": "array", "items": { "type": "object" } }
                            }
                        }
                    }
                }
            },
            "responses": {
                "Error": {
                    "description": "A machine-readable error",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                }
            }
        }
    })
}
