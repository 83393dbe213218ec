//! The API document: well-formed, generated from the very routes the server
//! has, and every operation in it called and answering one of the statuses it
//! declares.

use crate::permissions::sample_body;
use axum::http::Method;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use trustline_domain::Role;
use trustline_server::route_table;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(the_document_is_well_formed_and_matches_the_routes, every_operation_answers_as_documented);

async fn fetch(server: &TestServer) -> Value {
    let reply = server.client().get("/api/openapi.json").await;
    assert_eq!(reply.status, 200, "the document is public");
    reply.body
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target);
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

fn operations(doc: &Value) -> Vec<(Method, String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            all.push((Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap(), path.clone(), op));
        }
    }
    all
}

async fn the_document_is_well_formed_and_matches_the_routes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let doc = fetch(&server).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let schemes: HashSet<&str> = doc["components"]["securitySchemes"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut ids = HashSet::new();
    for (method, path, op) in operations(&doc) {
        let context = format!("{method} {path}");
        assert!(ids.insert(op["operationId"].as_str().unwrap().to_owned()), "duplicate operationId at {context}");
        assert!(!op["summary"].as_str().unwrap().is_empty(), "{context}");
        assert!(!op["responses"].as_object().unwrap().is_empty(), "{context}");
        for status in op["responses"].as_object().unwrap().keys() {
            assert!(status.len() == 3 && status.parse::<u16>().is_ok(), "{context}: status {status}");
        }
        // Every path parameter is declared, and nothing else is.
        let in_path: BTreeSet<&str> = path.split('/').filter_map(|p| p.strip_prefix('{').and_then(|p| p.strip_suffix('}'))).collect();
        let declared: BTreeSet<&str> = op["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(in_path, declared, "{context}");
        for requirement in op["security"].as_array().unwrap() {
            for name in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains(name.as_str()), "{context}: unknown security scheme {name}");
            }
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for target in found {
        let pointer = target.strip_prefix('#').unwrap();
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {target}");
    }
    // Exactly the server's JSON routes, from the same table the router uses.
    let documented: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m.to_string(), p)).collect();
    let routes: BTreeSet<(String, String)> = route_table()
        .into_iter()
        .filter(trustline_server::openapi::documented)
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, routes);
    assert!(documented.contains(&("GET".into(), "/api/contacts/{id}".into())));

    // Bodies and query strings are described by the very types the handlers read.
    let body = &doc["paths"]["/api/queues"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["$ref"], "#/components/schemas/QueueInput");
    let queue = &doc["components"]["schemas"]["QueueInput"];
    assert_eq!(queue["additionalProperties"], false, "unknown fields are refused, and the document says so");
    let required: BTreeSet<&str> = queue["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, BTreeSet::from(["name", "number"]));
    assert!(queue["properties"]["overflow_to"]["description"].as_str().unwrap().contains("overflow"));
    let report = &doc["paths"]["/api/reports/queues"]["get"];
    let query: BTreeSet<&str> = report["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(query, BTreeSet::from(["from", "seconds", "format"]));
    assert!(report["responses"]["200"]["content"]["text/csv"].is_object(), "JSON or CSV");
    assert!(doc["paths"]["/api/imports"]["post"]["requestBody"]["content"]["text/csv"].is_object());
    assert!(doc["paths"]["/api/live"]["get"]["responses"]["200"]["content"]["text/event-stream"].is_object());
    for (method, path, op) in operations(&doc) {
        if let Some(content) = op["requestBody"]["content"].as_object() {
            let described = content.values().all(|c| c["schema"]["$ref"].is_string() || c["schema"]["type"] == "string");
            assert!(described, "{method} {path}: a body without its type");
        }
        // Every JSON answer is described by the type the handler answers
        // with (and the test client holds each answer to it).
        for (status, response) in op["responses"].as_object().unwrap() {
            let schema = &response["content"]["application/json"]["schema"];
            if status.starts_with('2') && !schema.is_null() {
                let typed = schema["$ref"].is_string() || schema["type"].is_string() || schema["anyOf"].is_array();
                assert!(typed, "{method} {path}: answers {status} with JSON of no stated type: {schema}");
            }
        }
    }
}

async fn every_operation_answers_as_documented(engine: Engine) {
    let server = TestServer::start(engine).await;
    let owner = server.create_user(&server.tenant.clone(), "doc-owner", Role::Owner, true).await;
    let target = server.create_user(&server.tenant.clone(), "doc-target", Role::Agent, false).await;
    let client = server.signed_in(&owner).await;
    let anonymous = server.client();
    let doc = fetch(&server).await;
    let mut called = 0;
    for (method, path, op) in operations(&doc) {
        // Sign-out would end the session the rest of the run uses; it is
        // called last.
        if path == "/api/session" && method == Method::DELETE {
            continue;
        }
        let concrete = path.replace("{id}", &target.id.0.to_string());
        let public = op["security"].as_array().unwrap().is_empty();
        let caller = if public { &anonymous } else { &client };
        let reply = caller.send(method.clone(), &concrete, sample_body(&method, &path)).await;
        let declared = op["responses"].as_object().unwrap();
        assert!(
            declared.contains_key(&reply.status.to_string()),
            "{method} {path} answered {} {}, which the document does not declare",
            reply.status,
            reply.body
        );
        // A body of another type is refused with a declared 415.
        if op.get("requestBody").is_some() && !public {
            let wrong = client
                .http
                .request(method.clone(), client.url(&concrete))
                .header("x-csrf-token", client.csrf().unwrap_or_default())
                .header("content-type", "text/plain")
                .body("not the declared type")
                .send()
                .await
                .unwrap();
            let status = wrong.status().as_u16().to_string();
            assert!(declared.contains_key("415"), "{method} {path} takes a body but does not declare 415");
            assert!(declared.contains_key(&status), "{method} {path} answered {status} to a text/plain body, undeclared");
        }
        called += 1;
    }
    let bye = client.send(Method::DELETE, "/api/session", None).await;
    assert_eq!(bye.status, 204, "{}", bye.body);
    assert_eq!(called + 1, operations(&doc).len());
}
