//! The HTTP edge over real HTTP, a real server and a real database, on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod audit;
mod bad_input;
mod csrf;
mod login;
mod pages;
mod permissions;
mod sessions;
mod tls;

use trustline_testkit::RawDb;

/// Makes every insert into the audit table fail, as a full disk or a broken
/// replica would.
pub async fn block_audit_inserts(raw: &RawDb) {
    match raw {
        RawDb::Sqlite(_) => {
            raw.execute("CREATE TRIGGER block_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit disk full'); END;").await
        }
        RawDb::Postgres(_) => {
            raw.execute(
                "CREATE FUNCTION block_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$ LANGUAGE plpgsql;
                 CREATE TRIGGER block_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION block_audit();",
            )
            .await
        }
    }
}

/// The session cookie a reply set, as `name=value`.
pub fn session_cookie(reply: &trustline_testkit::Reply) -> String {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tl_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .expect("no session cookie")
}
