//! The OpenAPI 3.1 document of the JSON API, generated from the route table
//! the router is built from, so it cannot list a route that does not exist
//! or miss one that does. Each operation names the permission it needs
//! (`x-trustline-action`) and how a caller authenticates.

use crate::error_code::ErrorCode;
use crate::guard::Access;
use crate::routes::{Describe, RequestBody, ResponseBody, RouteSpec, route_table};
use crate::served_document::Installation;
use axum::http::Method;
use schemars::SchemaGenerator;
use schemars::generate::{Contract, SchemaSettings};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Whether a route belongs in the API document (pages and assets do not).
pub fn documented(spec: &RouteSpec) -> bool {
    spec.path.starts_with("/api/") || spec.path == "/healthz" || spec.path == "/readyz"
}

/// `get_api_users_id` for `GET /api/users/{id}`.
fn operation_id(method: &Method, path: &str) -> String {
    let words = path.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty());
    std::iter::once(method.as_str().to_ascii_lowercase()).chain(words.map(str::to_owned)).collect::<Vec<_>>().join("_")
}

fn path_parameters(spec: &RouteSpec) -> Vec<Value> {
    spec.path
        .split('/')
        .filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
        .map(|name| {
            let schema = match spec.keyed_by_name {
                None => json!({ "type": "integer", "format": "int64" }),
                Some(None) => json!({ "type": "string" }),
                Some(Some(pattern)) => json!({ "type": "string", "pattern": pattern }),
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect()
}

/// One query parameter per field of the type the handler reads.
fn query_parameters(describe: Describe) -> Vec<Value> {
    let mut inline = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
    let schema = Value::from(describe(&mut inline));
    let required: Vec<&str> =
        schema.pointer("/required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(properties) = schema.pointer("/properties").and_then(Value::as_object) else { return Vec::new() };
    properties
        .iter()
        .map(|(name, property)| {
            let description = property.get("description").cloned().unwrap_or_else(|| json!(""));
            json!({ "name": name, "in": "query", "required": required.contains(&name.as_str()), "description": description, "schema": property })
        })
        .collect()
}

/// The error answer of a status: its own codes when the API has any for it.
fn error(status: &str) -> Value {
    if codes_of(status).is_empty() {
        json!({ "$ref": "#/components/responses/Error" })
    } else {
        json!({ "$ref": format!("#/components/responses/Error{status}") })
    }
}

/// The error codes answered with `status` (e.g. "409").
fn codes_of(status: &str) -> Vec<&'static str> {
    ErrorCode::ALL.iter().filter(|c| c.status().as_str() == status).map(|c| c.name()).collect()
}

/// The error body, with `code` one of `codes` when given.
fn error_schema(codes: Option<&[&str]>) -> Value {
    let code = codes.map_or_else(|| json!({ "type": "string" }), |codes| json!({ "type": "string", "enum": codes }));
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": code,
                    "message": { "type": "string" },
                    "fields": { "type": "array", "items": { "type": "object" } }
                }
            }
        }
    })
}

/// A response for the error body, and one per status naming its codes.
fn error_responses(schemas: &mut Map<String, Value>) -> Map<String, Value> {
    let mut responses = Map::new();
    schemas.insert("Error".into(), error_schema(None));
    responses.insert(
        "Error".into(),
        json!({ "description": "A machine-readable error", "content": content("application/json", json!({ "$ref": "#/components/schemas/Error" })) }),
    );
    let mut statuses: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.status().as_u16()).collect();
    statuses.sort_unstable();
    statuses.dedup();
    for status in statuses {
        let codes = codes_of(&status.to_string());
        schemas.insert(format!("Error{status}"), error_schema(Some(&codes)));
        responses.insert(
            format!("Error{status}"),
            json!({
                "description": format!("An error: {}", codes.join(", ")),
                "content": content("application/json", json!({ "$ref": format!("#/components/schemas/Error{status}") }))
            }),
        );
    }
    responses
}

fn content(media: &str, schema: Value) -> Value {
    json!({ media: { "schema": schema } })
}

/// One event of a stream (before OpenAPI 3.2, a stream's schema describes
/// each event): a named event whose data is a JSON document.
fn stream_event() -> Value {
    json!({
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": { "type": "string", "minLength": 1 },
            "data": { "type": "string", "contentMediaType": "application/json" },
            "id": { "type": "string" },
            "retry": { "type": "integer", "minimum": 0 }
        }
    })
}

/// The named schemas under components: requests as serde reads them, and
/// answers as serde writes them (so a field always written is required in
/// an answer even where a request may leave it out).
struct Schemas {
    requests: SchemaGenerator,
    answers: SchemaGenerator,
}

impl Schemas {
    fn new() -> Self {
        let settings = |contract: Contract| {
            SchemaSettings::draft2020_12()
                .with(|s| {
                    s.definitions_path = "/components/schemas".into();
                    s.contract = contract;
                })
                .into_generator()
        };
        Self { requests: settings(Contract::Deserialize), answers: settings(Contract::Serialize) }
    }

    /// Every named schema. A type whose answer schema differs from its
    /// request schema has its answer named `{name}Response`; `paths`'
    /// responses are made to refer to that name.
    fn finish(mut self, paths: &mut Map<String, Value>) -> Map<String, Value> {
        let mut named = self.requests.take_definitions(true);
        let answers = self.answers.take_definitions(true);
        let renamed: BTreeMap<String, String> = answers
            .iter()
            .filter(|(name, schema)| named.get(name.as_str()).is_some_and(|request| request != *schema))
            .map(|(name, _)| (format!("#/components/schemas/{name}"), format!("{name}Response")))
            .collect();
        for (name, mut schema) in answers {
            rename_references(&mut schema, &renamed);
            let name = renamed.get(&format!("#/components/schemas/{name}")).cloned().unwrap_or(name);
            named.insert(name, schema);
        }
        for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
            if let Some(responses) = operation.get_mut("responses") {
                rename_references(responses, &renamed);
            }
        }
        named
    }
}

/// Points every `$ref` in `schema` that `renamed` lists at its new name.
fn rename_references(schema: &mut Value, renamed: &BTreeMap<String, String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(target) if key == "$ref" => {
                        if let Some(name) = renamed.get(target.as_str()) {
                            *target = format!("#/components/schemas/{name}");
                        }
                    }
                    other => rename_references(other, renamed),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_references(item, renamed)),
        _ => {}
    }
}

fn operation(spec: &RouteSpec, schemas: &mut Schemas) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(operation_id(&spec.method, spec.path)));
    op.insert("summary".into(), json!(spec.summary));
    let tag = spec.path.trim_start_matches("/api/").split('/').next().unwrap_or("health");
    op.insert("tags".into(), json!([if spec.path.starts_with("/api/") { tag } else { "health" }]));
    let mut parameters = path_parameters(spec);
    if let Some(query) = spec.query {
        parameters.extend(query_parameters(query));
    }
    if spec.idempotent {
        parameters.push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Retrying with the same key returns the first answer instead of creating again (kept for a day).",
            "schema": { "type": "string", "pattern": crate::idempotency::KEY_PATTERN }
        }));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    match spec.request {
        RequestBody::Empty => {}
        RequestBody::Json(describe) => {
            let schema = Value::from(describe(&mut schemas.requests));
            op.insert("requestBody".into(), json!({ "required": true, "content": content("application/json", schema) }));
        }
        RequestBody::Csv => {
            op.insert("requestBody".into(), json!({ "required": true, "content": content("text/csv", json!({ "type": "string" })) }));
        }
    }
    let security = match spec.access {
        Access::Public | Access::Report => json!([]),
        Access::MfaPending | Access::Enrolment | Access::AnySession | Access::PasswordChange => json!([{ "session": [] }]),
        Access::Allowed(action) => {
            op.insert("x-trustline-action".into(), json!(action.as_str()));
            // API clients use tokens; the browser's session works as well.
            json!([{ "token": [] }, { "session": [] }])
        }
    };
    op.insert("security".into(), security);
    let mut responses = Map::new();
    let text = json!({ "type": "string" });
    let answers = &mut schemas.answers;
    let success = match spec.response {
        ResponseBody::Empty => json!({ "description": "Done" }),
        ResponseBody::Json(described) => {
            let schema = described.map_or_else(|| json!({}), |describe| describe(answers).to_value());
            json!({ "description": "Success", "content": content("application/json", schema) })
        }
        ResponseBody::Csv => json!({ "description": "A CSV file", "content": content("text/csv", text) }),
        ResponseBody::JsonOrCsv(describe) => json!({
            "description": "JSON, or a CSV file with format=csv",
            "content": { "application/json": { "schema": describe(answers) }, "text/csv": { "schema": text } }
        }),
        ResponseBody::EventStream => json!({
            "description": "An event stream: a snapshot, then changes",
            "content": content("text/event-stream", stream_event())
        }),
        ResponseBody::File(describe) => json!({
            "description": "A file to save (Content-Disposition: attachment)",
            "content": {
                "application/json": { "schema": describe(answers) },
                "text/html": { "schema": { "type": "string" } }
            }
        }),
        ResponseBody::Zip => json!({
            "description": "A zip archive",
            "content": content("application/zip", json!({ "type": "string", "format": "binary" }))
        }),
    };
    responses.insert(spec.success.as_str().into(), success);
    // 503: the database or the audit log cannot be written (fail closed).
    let mut errors = vec!["400", "404", "422", "503"];
    if !spec.access.is_public() {
        errors.extend(["401", "403"]);
    }
    if spec.method != Method::GET {
        errors.push("409");
    }
    // Every body is held to the size limit and must be of the declared type.
    if !matches!(spec.request, RequestBody::Empty) {
        errors.extend(["413", "415"]);
    }
    let extra: Vec<String> = spec.also_answers.iter().map(u16::to_string).collect();
    errors.extend(extra.iter().map(String::as_str));
    for status in errors {
        responses.insert(status.into(), error(status));
    }
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}

/// The document as this installation serves it, generated once per process.
pub(crate) fn document_for(installation: &Installation) -> Value {
    static DOCUMENT: LazyLock<Value> = LazyLock::new(document);
    let mut document = DOCUMENT.clone();
    if installation.allow_private_webhooks
        && let Some(url) = document.pointer_mut("/components/schemas/WebhookUrl").and_then(Value::as_object_mut)
    {
        url.remove("pattern");
        url.insert("description".into(), json!("An http:// or https:// URL; this installation allows private destinations."));
    }
    let (earliest, latest) = crate::handlers::training_api::CompletionTime::bounds(installation.now);
    if let Some(time) = document.pointer_mut("/components/schemas/CompletionTime").and_then(Value::as_object_mut) {
        time.insert("minimum".into(), json!(earliest));
        time.insert("maximum".into(), json!(latest));
    }
    document
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    let mut schemas = Schemas::new();
    for spec in route_table().iter().filter(|s| documented(s)) {
        let item = paths.entry(spec.path).or_insert_with(|| json!({}));
        if let Value::Object(item) = item {
            item.insert(spec.method.as_str().to_ascii_lowercase(), operation(spec, &mut schemas));
        }
    }
    let mut named = schemas.finish(&mut paths);
    let errors = error_responses(&mut named);
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
            "schemas": named,
            "responses": errors
        }
    })
}
