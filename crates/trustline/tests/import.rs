//! `trustline import` as an operator runs it: real files, real databases,
//! and a crash in the middle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use trustline_audit::AuditDraft;
use trustline_domain::AuditAction;
use trustline_testkit::{Engine, TestDb, on_both_engines};

on_both_engines!(
    a_killed_import_resumes_and_imports_every_valid_row_exactly_once,
    malformed_rows_are_reported_and_the_rest_imported,
    a_header_that_cannot_be_mapped_imports_nothing,
    semicolon_and_tab_files_are_read_and_rejections_counted_by_reason,
    duplicates_and_do_not_contact_numbers_are_not_imported_twice
);

fn command(db: &TestDb, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trustline"));
    command.arg("import").args(args).arg("--data-dir").arg(&db.data_dir);
    if let Some(url) = &db.database_url {
        command.arg("--database-url").arg(url);
    }
    command.env_remove("TRUSTLINE_MASTER_KEY").env_remove("TRUSTLINE_DATABASE_URL").stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

fn import(db: &TestDb, args: &[&str]) -> Output {
    command(db, args).output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

async fn with_tenant(engine: Engine) -> TestDb {
    let db = TestDb::new(engine).await;
    db.store.create_tenant("acme", "Acme", AuditDraft::new(1000, 0, "test", AuditAction::TenantCreate, "tenant")).await.unwrap();
    db
}

fn write_file(db: &TestDb, name: &str, bytes: &[u8]) -> String {
    let path = db.data_dir.join(name);
    std::fs::File::create(&path).unwrap().write_all(bytes).unwrap();
    path.display().to_string()
}

/// `rows` valid rows with distinct numbers, plus an invalid one every 100.
fn call_list(rows: usize) -> (Vec<u8>, usize) {
    let mut out = b"name,phone,email\n".to_vec();
    let mut valid = 0;
    for i in 0..rows {
        if i % 100 == 99 {
            out.extend(format!("Broken {i},12,\n").as_bytes());
        } else {
            out.extend(format!("Person {i},+44 20 7{:03} {:04},p{i}@example.org\n", i / 10_000, i % 10_000).as_bytes());
            valid += 1;
        }
    }
    (out, valid)
}

async fn a_killed_import_resumes_and_imports_every_valid_row_exactly_once(engine: Engine) {
    let db = with_tenant(engine).await;
    let (bytes, valid) = call_list(30_000);
    let file = write_file(&db, "list.csv", &bytes);
    let args = ["--list", "spring", "--chunk-rows", "500", file.as_str()];
    let mut child = command(&db, &args).spawn().unwrap();
    // Kill it once some chunks are committed, well before the end.
    let mut committed = 0;
    for _ in 0..2000 {
        committed = db.raw.scalar("SELECT COALESCE(MAX(accepted), 0) FROM imports").await;
        if committed >= 1000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no cleanup runs.
    child.wait().unwrap();
    assert!(committed >= 1000, "the import never got going");
    let at_kill = db.raw.scalar("SELECT accepted FROM imports").await;
    assert!((at_kill as usize) < valid, "the import finished before it could be killed");
    assert_eq!(db.raw.scalar("SELECT COUNT(*) FROM call_lists WHERE status = 'importing'").await, 1, "a half-imported list is not ready");

    let resumed = import(&db, &args);
    assert_eq!(resumed.status.code(), Some(1), "rows were rejected, so exit 1: {}", text(&resumed));
    // The summary covers the whole import, both runs.
    assert!(text(&resumed).contains(&format!("{valid} new contacts")), "{}", text(&resumed));
    assert!(!text(&resumed).contains("line 502:"), "the second run starts where the first stopped: {}", text(&resumed));
    let raw = &db.raw;
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM imports").await, 1, "the same import was resumed");
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM contacts").await as usize, valid);
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM list_members").await as usize, valid);
    assert_eq!(raw.scalar("SELECT COUNT(DISTINCT digest) FROM contact_phones").await as usize, valid);
    assert_eq!(raw.scalar("SELECT accepted FROM imports").await as usize, valid);
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM import_rejections").await, 300);
    assert_eq!(raw.scalar("SELECT COUNT(*) FROM call_lists WHERE status = 'ready'").await, 1);
    assert!(db.plaintext_locations("Person 12345").await.is_empty());
}

async fn malformed_rows_are_reported_and_the_rest_imported(engine: Engine) {
    let db = with_tenant(engine).await;
    let mut bytes = b"name,phone,country\n".to_vec();
    bytes.extend(b"Good One,+442071838750,GB\n"); // line 2
    bytes.extend(b"\"Bad \"quote,+442071838751,GB\n"); // line 3: stray quote is read as text: still valid
    bytes.extend(b"Latin \xe9,+442071838752,GB\n"); // line 4: not UTF-8
    bytes.extend(b"Too few,+442071838753\n"); // line 5: missing column
    bytes.extend(b"Huge,+442071838754,"); // line 6: a 10 MB field
    bytes.extend(std::iter::repeat_n(b'x', 10 << 20));
    bytes.extend(b"\n");
    bytes.extend(b"Wrong number,+44 12,GB\n"); // line 7
    bytes.extend(b"No country code,020 7183 8755,GB\n"); // line 8: no --region
    bytes.extend(b"\"Multi\nline\",+442071838756,Britain\n"); // line 9: bad country code
    bytes.extend(b"Last Good,+33 1 42 68 53 00,FR\n"); // line 11
    let file = write_file(&db, "bad.csv", &bytes);
    let report = db.data_dir.join("report.csv");
    let out = import(&db, &["--list", "messy", "--report", report.to_str().unwrap(), file.as_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("3 new contacts"), "{}", text(&out));
    let report = std::fs::read_to_string(report).unwrap();
    let expected = "line,field,reason\n\
        4,\"name\",\"is not UTF-8 text (save the file as UTF-8 CSV)\"\n\
        5,\"row\",\"has 2 fields but the header has 3 columns\"\n\
        6,\"row\",\"is larger than 1048576 bytes or has too many fields\"\n\
        7,\"phone\",\"is not a valid number in its country\"\n\
        8,\"phone\",\"has no country code (+...) and no default region was given\"\n\
        9,\"country\",\"is not an ISO 3166 country code (e.g. GB)\"\n";
    assert_eq!(report, expected);
    assert_eq!(db.raw.scalar("SELECT COUNT(*) FROM contacts").await, 3);
    // With a default region, the national number is accepted on a new run.
    let national = write_file(&db, "national.csv", b"name,phone\nNational,020 7183 8755\n");
    let out = import(&db, &["--list", "messy", "--region", "GB", national.as_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

async fn a_header_that_cannot_be_mapped_imports_nothing(engine: Engine) {
    let db = with_tenant(engine).await;
    let cases: [(&[u8], &[&str], &str); 5] = [
        (b"name,email\nA,a@example.org\n", &[], "no column maps to phone"),
        // Every unknown column at once, with the fields there are.
        (
            b"name,tel,favourite colour,pet\nA,+442071838750,red,cat\n",
            &[],
            "\"favourite colour\", \"pet\" are not understood: map each to a field or to ignore (fields: name, first_name",
        ),
        (b"name,tel\nA,+442071838750\n", &["tel=colour"], "\"colour\" is not a contact field"),
        (b"", &[], "no header row"),
        (b"n\xffme,tel\n", &[], "header is not UTF-8"),
    ];
    for (i, (bytes, maps, message)) in cases.into_iter().enumerate() {
        let file = write_file(&db, &format!("h{i}.csv"), bytes);
        let mut args = vec!["--list", "x", file.as_str()];
        for map in maps {
            args.extend(["--map", map]);
        }
        let out = import(&db, &args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(message), "{message}: {}", text(&out));
    }
    assert_eq!(db.raw.scalar("SELECT COUNT(*) FROM contacts").await, 0);
    assert_eq!(db.raw.scalar("SELECT COUNT(*) FROM imports").await, 0);
    let missing = import(&db, &["--list", "x", "/nonexistent/list.csv"]);
    assert_eq!(missing.status.code(), Some(2));
    let said = text(&missing);
    assert!(said.contains("cannot read /nonexistent/list.csv"), "{said}");
    assert_eq!(said.matches("No such file or directory").count(), 1, "the cause is said once: {said}");
}

/// Spreadsheets in much of Europe save CSV with semicolons, and some tools
/// with tabs: the header says which, and the whole file is read so; the
/// run ends with the rejected rows counted by reason.
async fn semicolon_and_tab_files_are_read_and_rejections_counted_by_reason(engine: Engine) {
    let db = with_tenant(engine).await;
    let semicolons =
        write_file(&db, "semi.csv", "name;phone;city\n\"Lovelace; Ada\";+442071838750;London\nBob;+442071838751;Leeds\n".as_bytes());
    let out = import(&db, &["--list", "semi", semicolons.as_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("2 new contacts"), "{}", text(&out));
    assert!(!text(&out).contains("Rejected rows are listed"), "nothing was rejected: {}", text(&out));
    let tabs = write_file(&db, "tabs.tsv", b"name\tphone\nCyd\t+442071838752\nDee\tnot a number\nEve\tnone\nFay\t\n");
    let out = import(&db, &["--list", "tabs", tabs.as_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("1 new contacts") && said.contains("2 rejected (phone): is not a phone number"), "{said}");
    assert!(said.contains("1 rejected (phone): a contact needs a phone number or an e-mail address"), "{said}");
    assert!(said.contains("--report"), "the way to the rows by line: {said}");
    assert_eq!(db.raw.scalar("SELECT COUNT(*) FROM contacts").await, 3);
}

async fn duplicates_and_do_not_contact_numbers_are_not_imported_twice(engine: Engine) {
    let db = with_tenant(engine).await;
    let first = write_file(&db, "a.csv", b"name,phone\nA,+442071838750\nB,+442071838751\nA again,+44 20 7183 8750\n");
    let out = import(&db, &["--list", "one", first.as_str()]);
    assert!(text(&out).contains("2 new contacts, 0 existing contacts added, 1 duplicates"), "{}", text(&out));
    // The same numbers in another list link the existing contacts.
    let again = write_file(&db, "b.csv", b"name,phone\nA,+442071838750\nC,+442071838752\n");
    let out = import(&db, &["--list", "two", again.as_str()]);
    assert!(text(&out).contains("1 new contacts, 1 existing contacts added, 0 duplicates"), "{}", text(&out));
    // Importing the finished file into the same list again adds nobody.
    let out = import(&db, &["--list", "two", again.as_str()]);
    assert!(text(&out).contains("0 new contacts, 0 existing contacts added, 2 duplicates"), "{}", text(&out));
    // A do-not-contact contact is suppressed, not linked.
    db.raw.execute("UPDATE contacts SET do_not_contact = TRUE WHERE id = (SELECT MIN(id) FROM contacts)").await;
    let out = import(&db, &["--list", "three", first.as_str()]);
    assert!(text(&out).contains("1 existing contacts added, 0 duplicates, 2 suppressed"), "{}", text(&out));
    assert_eq!(db.raw.scalar("SELECT COUNT(*) FROM contacts").await, 3);
}
