//! A server killed during an upload and a backup killed mid-way leave no
//! plaintext and nothing another account could read, and what they leave
//! is removed at the next start.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use trustline_audit::AuditDraft;
use trustline_crypto::PasswordHasher;
use trustline_domain::{AuditAction, Clock, Role};
use trustline_store::NewUser;
use trustline_testkit::{Engine, RawDb, TestDb, on_both_engines};

on_both_engines!(a_killed_upload_or_backup_leaves_no_plaintext_and_nothing_others_can_read);

/// Who the uploaded and imported lists name: it must never be found in clear.
const PERSON: &str = "Zebulon Quartermaine";
const PASSWORD: &str = "lantern orbit meadow violin";

fn trustline(db: &TestDb, args: &[&str], temp: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trustline"));
    command.args(args).arg("--data-dir").arg(&db.data_dir);
    if let Some(url) = &db.database_url {
        command.arg("--database-url").arg(url);
    }
    command.env_remove("TRUSTLINE_MASTER_KEY").env_remove("TRUSTLINE_DATABASE_URL").env("TMPDIR", temp);
    command
}

/// A server on a free port, and its address.
fn serve(db: &TestDb, temp: &Path) -> (Child, String) {
    let mut child = trustline(db, &["serve", "--listen", "127.0.0.1:0", "--telephony", "none"], temp)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.split("listening on http://").nth(1).and_then(|rest| rest.split('/').next()).expect(&line).to_owned();
    (child, address)
}

/// Every file and folder under `root` (not `root` itself).
fn everything_under(root: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        found.push(path.clone());
        if path.is_dir() {
            everything_under(&path, found);
        }
    }
}

/// Nothing under the roots holds `PERSON` in clear or is open to others.
fn assert_private_and_sealed(roots: &[&Path], when: &str) {
    let mut found = Vec::new();
    roots.iter().for_each(|root| everything_under(root, &mut found));
    for path in found {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{when}: {} is {mode:o}", path.display());
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.windows(PERSON.len()).any(|w| w == PERSON.as_bytes()), "{when}: {} holds the name in clear", path.display());
        }
    }
}

fn names_starting(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.starts_with(prefix)).collect())
        .unwrap_or_default()
}

async fn a_killed_upload_or_backup_leaves_no_plaintext_and_nothing_others_can_read(engine: Engine) {
    let db = TestDb::new(engine).await;
    let temp = tempfile::tempdir().unwrap();
    let tenant =
        db.store.create_tenant("acme", "Acme", AuditDraft::new(1000, 0, "test", AuditAction::TenantCreate, "tenant")).await.unwrap();
    let user = NewUser {
        tenant_id: tenant.id,
        username: "sup".into(),
        display_name: "Sup".into(),
        role: Role::Supervisor,
        password_hash: PasswordHasher::new().unwrap().hash(PASSWORD).unwrap(),
        // Created now: the server suspends accounts unused for 90 days.
        created_at: trustline_app::SystemClock.now(),
        password_must_change: false,
    };
    db.store.create_user(user, AuditDraft::new(1000, tenant.id.0, "test", AuditAction::UserCreate, "user")).await.unwrap();

    // An upload cut off by `kill -9` halfway through its body.
    let (mut server, address) = serve(&db, temp.path());
    let signed = reqwest::Client::new()
        .post(format!("http://{address}/api/session"))
        .json(&serde_json::json!({ "tenant": "acme", "username": "sup", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200, "{:?}", signed.text().await);
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let csrf = signed.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned();
    let mut body = b"name,phone\n".to_vec();
    for i in 0..40_000 {
        body.extend(format!("{PERSON} {i},+44207{i:07}\n").as_bytes());
    }
    let mut upload = std::net::TcpStream::connect(&address).unwrap();
    let head = format!(
        "POST /api/imports?list=cut HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        body.len() * 4
    );
    upload.write_all(head.as_bytes()).unwrap();
    upload.write_all(&body).unwrap();
    let uploads = db.data_dir.join("uploads");
    for _ in 0..200 {
        if std::fs::read_dir(&uploads).unwrap().flatten().any(|e| e.metadata().is_ok_and(|m| m.len() > 500_000)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(names_starting(&uploads, ".trustline-upload-").len(), 1, "the upload was spooled when the server died");
    assert_private_and_sealed(&[&db.data_dir, temp.path()], "after a killed upload");
    let (mut server, _) = serve(&db, temp.path());
    assert!(names_starting(&uploads, ".trustline-upload-").is_empty(), "the next start removes the sealed leftover");
    server.kill().unwrap();
    server.wait().unwrap();

    // A backup killed while its snapshot is staged: a database large enough
    // to take a while, with one imported person in it.
    let list = tempfile::tempdir().unwrap();
    let csv = list.path().join("people.csv");
    std::fs::write(&csv, format!("name,phone\n{PERSON},+442071838750\n")).unwrap();
    let imported = trustline(&db, &["import", "--list", "people", csv.to_str().unwrap()], temp.path()).output().unwrap();
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let padding = match &db.raw {
        RawDb::Sqlite(_) => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) \
             INSERT INTO job_runs (job, at, ok, detail) SELECT 'padding', i, 1, hex(randomblob(4000)) FROM n"
        }
        RawDb::Postgres(_) => {
            "INSERT INTO job_runs (job, at, ok, detail) SELECT 'padding', i, TRUE, repeat(md5(i::text), 250) FROM generate_series(1, 6000) i"
        }
    };
    db.raw.execute(padding).await;
    let backups = tempfile::tempdir().unwrap();
    let out = backups.path().join("first.tlbackup");
    let mut backup = trustline(&db, &["backup", "create", "--out", out.to_str().unwrap()], temp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut staged = false;
    for _ in 0..20_000 {
        if !names_starting(backups.path(), ".trustline-snapshot-").is_empty() {
            staged = true;
            break;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    backup.kill().unwrap();
    backup.wait().unwrap();
    assert!(staged && !out.exists(), "the backup was killed while staging");
    assert_private_and_sealed(&[&db.data_dir, temp.path(), backups.path()], "after a killed backup");
    let again = backups.path().join("second.tlbackup");
    let done = trustline(&db, &["backup", "create", "--out", again.to_str().unwrap()], temp.path()).output().unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let left: Vec<String> = names_starting(backups.path(), ".trustline-");
    assert!(left.is_empty(), "the next backup removed what the killed one left: {left:?}");
    assert_private_and_sealed(&[&db.data_dir, temp.path(), backups.path()], "after a complete backup");
}
