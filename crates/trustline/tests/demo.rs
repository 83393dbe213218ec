//! `trustline serve --demo` on a fresh directory: the first command of the README.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod demo_process;

use demo_process::{Killed, trustline};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[tokio::test]
async fn the_demo_starts_and_its_owner_is_asked_to_enrol_mfa() {
    let dir = tempfile::tempdir().unwrap();
    let child = trustline(dir.path(), &["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    while printed.len() < 10 {
        printed.push(lines.next().expect("the demo stopped printing").unwrap());
    }
    let address = printed[0].split("listening on ").nth(1).unwrap().split(' ').next().unwrap().to_owned();
    assert!(printed.iter().any(|l| l.split_whitespace().eq(["username", "role", "password"])), "the accounts have headings: {printed:#?}");
    let owner = printed.iter().find(|l| l.trim_start().starts_with("owner ")).unwrap();
    let password = owner.split_whitespace().last().unwrap().to_owned();
    assert!(dir.path().join("trustline-data/master.key").exists(), "the demo keeps its data in ./trustline-data");

    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let login = client.get(format!("{address}login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let body = serde_json::json!({ "tenant": "demo", "username": "owner", "password": password });
    let reply: serde_json::Value = client.post(format!("{address}api/session")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(reply["stage"], "mfa_enrolment_required", "{reply}");

    // A second demo on the same directory once reset every demo password
    // and ended every session before it found the port taken. Now it is
    // refused before it changes anything, on the same port or another.
    let listen = address.trim_start_matches("http://").trim_end_matches('/').to_owned();
    for (port, expected) in [(listen.as_str(), "cannot listen on"), ("127.0.0.1:0", "in use by a running Trustline server")] {
        let second = trustline(dir.path(), &["serve", "--demo", "--listen", port]).output().unwrap();
        let said = String::from_utf8_lossy(&second.stderr);
        assert!(!second.status.success() && said.contains(expected), "{port}: {said}");
        assert!(second.stdout.is_empty(), "{port}: it printed no new passwords");
    }
    let still: serde_json::Value = client.get(format!("{address}api/session")).send().await.unwrap().json().await.unwrap();
    assert_eq!(still["stage"], "mfa_enrolment_required", "the first server's session survives: {still}");
    let again = reqwest::Client::new().post(format!("{address}api/session")).json(&body).send().await.unwrap();
    assert_eq!(again.status(), 200, "the printed password still works");

    // An agent logs in to work through the API, beside the demo's floor agents,
    // on a running campaign with contacts in three countries.
    let agent_password =
        printed.iter().find(|l| l.trim_start().starts_with("agent ")).unwrap().split_whitespace().last().unwrap().to_owned();
    let agent = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let body = serde_json::json!({ "tenant": "demo", "username": "agent", "password": agent_password });
    let session: serde_json::Value = agent.post(format!("{address}api/session")).json(&body).send().await.unwrap().json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let state: serde_json::Value = agent
        .post(format!("{address}api/agent/state"))
        .header("X-CSRF-Token", &csrf)
        .json(&serde_json::json!({ "event": "log_in" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["state"], "available", "{state}");
    let campaigns: serde_json::Value = agent.get(format!("{address}api/campaigns")).send().await.unwrap().json().await.unwrap();
    assert_eq!(campaigns[0]["status"], "running", "{campaigns}");
    let lists: serde_json::Value = agent.get(format!("{address}api/lists")).send().await.unwrap().json().await.unwrap();
    assert_eq!(lists[0]["members"], 700, "every sample number is valid: {lists}");
    let work: serde_json::Value = agent.get(format!("{address}api/agent/work")).send().await.unwrap().json().await.unwrap();
    assert!(work.get("call").is_some(), "{work}");
    // Two inbound queues take the simulated callers.
    let queues: serde_json::Value = agent.get(format!("{address}api/queues")).send().await.unwrap().json().await.unwrap();
    let names: Vec<&str> = queues.as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Customer care", "Billing"], "{queues}");
    assert_eq!(queues[1]["settings"]["overflow"]["to"], "Customer care");

    // Stopped by its service manager, the server gives up the tenants whose
    // calls it holds at once: another node takes them over without waiting
    // for the leases to lapse.
    let database = format!("sqlite://{}?mode=ro", dir.path().join("trustline-data/trustline.db").display());
    let db = sqlx::SqlitePool::connect(&database).await.unwrap();
    let held = || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM leases WHERE expires_at > 0").fetch_one(&db).await.unwrap() };
    assert!(held().await >= 1, "the demo's engine holds its tenant");
    let signalled = std::process::Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
    assert!(signalled.success());
    let mut status = None;
    for _ in 0..200 {
        status = child.0.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(status.is_some_and(|s| s.success()), "SIGTERM stops the server cleanly: {status:?}");
    assert_eq!(held().await, 0, "every lease it held is given up");
}
