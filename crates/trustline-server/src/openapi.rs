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
use std::collections::{BTreeMap, BTreeSet};
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

/// Every error code the route of `spec` may answer with: those every route
/// of its kind shares (the guard's refusals for its access, what it reads)
/// and those of its own rules. The document lists them per status, so a client (and
/// the test client, and the fuzzer) can tell a documented refusal from a
/// surprise. Server faults (500 `internal`) are not listed, since none is
/// expected; `undecryptable` is, where a route opens personal data, because
/// stored data that fails its integrity check is reported as what it is.
pub fn error_codes(spec: &RouteSpec) -> BTreeSet<ErrorCode> {
    use ErrorCode as E;
    // The database or the audit log cannot be written (fail closed).
    let mut codes = BTreeSet::from([E::DatabaseUnavailable, E::AuditUnavailable, E::StaleMasterKey]);
    if spec.path.contains('{') {
        codes.extend([E::InvalidPath, E::NotFound]);
    }
    if spec.query.is_some() {
        codes.insert(E::InvalidQuery);
    }
    match spec.request {
        RequestBody::Empty => {}
        RequestBody::Json(_) => {
            codes.extend([E::MalformedJson, E::UnreadableBody, E::InvalidBody, E::PayloadTooLarge, E::UnsupportedMediaType])
        }
        RequestBody::Csv => codes.extend([E::UnreadableBody, E::PayloadTooLarge, E::UnsupportedMediaType]),
    }
    if spec.idempotent {
        codes.extend([E::InvalidIdempotencyKey, E::UnreadableBody, E::IdempotencyInProgress, E::IdempotencyKeyReused]);
    }
    codes.extend(spec.access.refusals(&spec.method));
    codes.extend(spec.fails_with);
    // A step of the call engine may be handed to the node holding the call
    // or the desk (see `engine_commands`), which may be gone or slow.
    if codes.contains(&E::NoTelephony) {
        codes.extend([E::NodeUnreachable, E::NodeUnanswered]);
    }
    codes
}

/// The error answers of a route, one per status, each naming its codes.
fn error_answers(spec: &RouteSpec) -> BTreeMap<u16, Value> {
    let mut by_status: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    for code in error_codes(spec) {
        by_status.entry(code.status().as_u16()).or_default().push(code.name());
    }
    by_status
        .into_iter()
        .map(|(status, codes)| {
            let answer = json!({
                "description": format!("An error: {}", codes.join(", ")),
                "content": content("application/json", error_schema(&codes))
            });
            (status, answer)
        })
        .collect()
}

/// The error body, with `code` one of `codes`.
fn error_schema(codes: &[&str]) -> Value {
    let code = json!({ "type": "string", "enum": codes });
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
    for (status, answer) in error_answers(spec) {
        responses.insert(status.to_string(), answer);
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
    if installation.allow_private_trunks
        && let Some(host) = document.pointer_mut("/components/schemas/TrunkHost").and_then(Value::as_object_mut)
    {
        host.remove("pattern");
        host.insert("description".into(), json!("A DNS name or an IP address; this installation allows private destinations."));
    }
    if !installation.sip_tls
        && let Some(transport) = document.pointer_mut("/components/schemas/TrunkInput/properties/transport").and_then(Value::as_object_mut)
    {
        transport.insert("not".into(), json!({ "const": "tls" }));
        transport
            .insert("description".into(), json!("`udp` or `tcp`: this installation's SIP edge has no TLS certificate. Default `udp`."));
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
    let named = schemas.finish(&mut paths);
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
            "schemas": named
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: Method, path: &str) -> RouteSpec {
        route_table().into_iter().find(|s| s.method == method && s.path == path).unwrap()
    }

    #[test]
    fn each_route_lists_the_codes_of_its_own_rules_and_no_others() {
        let hold = error_codes(&spec(Method::POST, "/api/calls/{id}/hold"));
        assert!(hold.contains(&ErrorCode::WrongCallState) && hold.contains(&ErrorCode::CsrfFailed));
        assert!(!hold.contains(&ErrorCode::CourseExists) && !hold.contains(&ErrorCode::InvalidBody), "{hold:?}");
        let me = error_codes(&spec(Method::GET, "/api/me"));
        assert!(!me.contains(&ErrorCode::CsrfFailed) && !me.contains(&ErrorCode::NotFound), "{me:?}");
        assert!(error_codes(&spec(Method::GET, "/api/contacts/{id}/export")).contains(&ErrorCode::TrainingLapsed));
        assert!(!error_codes(&spec(Method::GET, "/api/contacts")).contains(&ErrorCode::TrainingLapsed));
        assert!(error_codes(&spec(Method::GET, "/healthz")).iter().all(|c| c.status().is_server_error()));
    }

    /// A new code must be declared where it is answered: every code of the
    /// API appears in some operation, except these, which no documented
    /// operation answers with.
    #[test]
    fn every_code_is_declared_by_some_operation() {
        let undocumented = [
            ErrorCode::Internal,          // a server fault
            ErrorCode::MfaSeedUnreadable, // a server fault
            ErrorCode::MethodNotAllowed,  // no operation: the method is not one
            ErrorCode::InvalidReport,     // /csp-reports, for browsers
            ErrorCode::TooManyReports,    // /csp-reports, for browsers
            ErrorCode::InvalidForm,       // HTML forms
            ErrorCode::PasswordsDiffer,   // HTML forms
            ErrorCode::NumberInUse,       // removing an inbound number (command line)
            ErrorCode::SnapshotUnusable,  // restoring a backup (command line)
        ];
        let declared: BTreeSet<ErrorCode> = route_table().iter().filter(|s| documented(s)).flat_map(error_codes).collect();
        for &code in ErrorCode::ALL {
            assert_eq!(declared.contains(&code), !undocumented.contains(&code), "{code}");
        }
    }
}
