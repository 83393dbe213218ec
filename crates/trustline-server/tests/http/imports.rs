//! Call-list upload over HTTP: checked at once, imported in the background,
//! progress and the rejected-rows report readable while it runs.

use serde_json::{Value, json};
use trustline_domain::Role;
use trustline_testkit::{Engine, TestServer, on_both_engines};

on_both_engines!(
    an_uploaded_list_is_imported_in_the_background_with_a_report,
    a_file_that_cannot_be_mapped_is_refused_at_once,
    a_column_name_is_never_written_back_as_a_formula
);

fn list(rows: usize) -> Vec<u8> {
    let mut out = b"Full Name,Mobile,Notes\n".to_vec();
    for i in 0..rows {
        if i % 5 == 4 {
            out.extend(format!("Broken {i},not a number,x\n").as_bytes());
        } else {
            out.extend(format!("Person {i},020 7183 {:04},x\n", 1000 + i).as_bytes());
        }
    }
    out
}

async fn an_uploaded_list_is_imported_in_the_background_with_a_report(engine: Engine) {
    let server = TestServer::start(engine).await;
    let supervisor = server.create_user(&server.tenant, "sup", Role::Supervisor, false).await;
    let client = server.signed_in(&supervisor).await;
    let reply = client.upload("/api/imports?list=autumn&region=GB&map=Notes=ignore&name=autumn.csv", list(20), "text/csv").await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let id = reply.body["id"].as_i64().unwrap();
    let mut progress = reply.body.clone();
    for _ in 0..400 {
        progress = client.get(&format!("/api/imports/{id}")).await.body;
        if progress["finished"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(progress["finished"], true, "{progress}");
    assert_eq!((progress["accepted"].as_i64(), progress["rejected"].as_i64()), (Some(16), Some(4)), "{progress}");
    assert_eq!(progress["file_name"], "autumn.csv");

    let report = client.get(&format!("/api/imports/{id}/rejections")).await;
    let first = &report.body["rejections"][0];
    assert_eq!((first["line"].as_i64(), first["field"].as_str()), (Some(6), Some("Mobile")), "{}", report.body);
    let beyond = client.get(&format!("/api/imports/{id}/rejections?after_line={}", u64::MAX - 1)).await;
    assert_eq!((beyond.status, &beyond.body["rejections"]), (200, &serde_json::json!([])), "no line lies that far: {}", beyond.body);
    let csv = client.http.get(client.url(&format!("/api/imports/{id}/rejections?format=csv"))).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("line,field,reason\n6,\"Mobile\",\"is not a phone number\"\n"), "{text}");
    assert!(!text.contains("Broken"), "the report never repeats values");
    assert_eq!(client.get("/api/contacts?limit=200").await.body["contacts"].as_array().unwrap().len(), 16);
    // Agents do not import.
    let agent = server.create_user(&server.tenant, "agent", Role::Agent, false).await;
    assert_eq!(server.signed_in(&agent).await.upload("/api/imports?list=x", list(2), "text/csv").await.status, 403);
}

async fn a_file_that_cannot_be_mapped_is_refused_at_once(engine: Engine) {
    let server = TestServer::start(engine).await;
    let supervisor = server.create_user(&server.tenant, "sup", Role::Supervisor, false).await;
    let client = server.signed_in(&supervisor).await;
    let reply = client.upload("/api/imports?list=bad", b"name,email\nA,a@example.org\n".to_vec(), "text/csv").await;
    assert_eq!((reply.status, reply.code()), (422, "invalid_file"), "{}", reply.body);
    assert!(reply.body["error"]["message"].as_str().unwrap().contains("no column maps to phone"));
    // Spreadsheets often save CSV with a byte-order mark before the header.
    let marked = client.upload("/api/imports?list=marked", "\u{feff}phone,name\n+447700900123,A\n".into(), "text/csv").await;
    assert_eq!(marked.status, 202, "{}", marked.body);
    let region = client.upload("/api/imports?list=bad&region=Narnia", list(2), "text/csv").await;
    assert_eq!((region.status, region.code()), (422, "invalid_region"));
    assert_eq!(client.upload("/api/imports", list(2), "text/csv").await.status, 400);
    assert_eq!(server.db.raw.scalar("SELECT COUNT(*) FROM imports").await, 1, "only the marked file");
    assert_eq!(client.get("/api/imports/999").await.status, 404);
    // The mapping the page starts from: each column's proposed field, or none.
    let admin = server.signed_in(&server.create_user(&server.tenant, "adm", Role::Admin, true).await).await;
    let field = admin.put("/api/custom-fields/account", json!({ "label": "Account", "type": "text" })).await;
    assert_eq!(field.status, 204, "{}", field.body);
    // The header is read as the upload reads it: separator, quotes, byte-order mark.
    let start = "\u{feff}Full Name;Mobile;custom:account;\"Notes; free\"\r\nA;+447700900001;7;x\r\n";
    let proposal = client.post("/api/imports/columns", json!({ "start": start })).await;
    assert_eq!(proposal.status, 200, "{}", proposal.body);
    let columns: Vec<&Value> = proposal.body["columns"].as_array().unwrap().iter().map(|c| &c["column"]).collect();
    assert_eq!(columns, ["Full Name", "Mobile", "custom:account", "Notes; free"]);
    let fields: Vec<&Value> = proposal.body["columns"].as_array().unwrap().iter().map(|c| &c["field"]).collect();
    assert_eq!(fields, [&json!("name"), &json!("phone"), &json!("custom:account"), &Value::Null]);
    let blank = client.post("/api/imports/columns", json!({ "start": "\r\n\n" })).await;
    assert_eq!((blank.status, &blank.body["columns"]), (200, &json!([])), "no header row, no columns");
    let offered = &proposal.body["fields"];
    assert!(offered[0] == "name" && offered.as_array().unwrap().contains(&json!("custom:account")), "{offered}");
    assert_eq!(offered.as_array().unwrap().last(), Some(&json!("ignore")));
    for bad in [json!({ "start": "" }), json!({ "start": "x".repeat(16_385) }), json!({ "columns": ["a"] })] {
        let refused = client.post("/api/imports/columns", bad.clone()).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
    }
}

/// A header cell from the uploaded file came back in the rejected-rows CSV
/// as it was, and a spreadsheet would have run it. Every CSV the product
/// writes goes through one writer that neutralises formulas; here the
/// import report and the campaign report, whose texts come from users.
async fn a_column_name_is_never_written_back_as_a_formula(engine: Engine) {
    let server = TestServer::start(engine).await;
    let supervisor = server.create_user(&server.tenant, "sup", Role::Supervisor, false).await;
    let client = server.signed_in(&supervisor).await;
    let formula = "@SUM(1+1)*cmd|' /C calc'!A0";
    let file = format!("name,{formula}\nA Person,not a number\n");
    let encoded: String = format!("{formula}=phone").bytes().map(|b| format!("%{b:02X}")).collect();
    let reply = client.upload(&format!("/api/imports?list=evil&map={encoded}&name=evil.csv"), file.into_bytes(), "text/csv").await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let id = reply.body["id"].as_i64().unwrap();
    for _ in 0..400 {
        if client.get(&format!("/api/imports/{id}")).await.body["finished"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let csv = client.get(&format!("/api/imports/{id}/rejections?format=csv")).await.text;
    let row = csv.lines().nth(1).unwrap_or_default().to_owned();
    assert_eq!(row, format!("2,\"'{formula}\",\"is not a phone number\""), "{csv}");

    for name in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@A1"] {
        let created = client.post("/api/campaigns", serde_json::json!({ "name": name, "mode": "preview", "lists": ["evil"] })).await;
        assert_eq!(created.status, 201, "{name}: {}", created.body);
    }
    let report = client.get("/api/reports/campaigns?from=1900000000&seconds=3600&format=csv").await;
    assert_eq!(report.status, 200, "{}", report.text);
    for line in report.text.lines().skip(1) {
        let name = line.split(',').nth(1).unwrap_or_default();
        assert!(name.starts_with("\"'"), "{line}");
    }
}
