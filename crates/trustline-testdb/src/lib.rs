//! Test databases: each test gets a database of its own, on SQLite or
//! PostgreSQL, unlocked with fresh keys, and a clock it sets.
//!
//! PostgreSQL tests read `TRUSTLINE_TEST_DATABASE_URL` (a role allowed to
//! create databases). Without that variable PostgreSQL tests are skipped,
//! except under `CI=true`, where a missing PostgreSQL fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod clock;
mod db;

pub use clock::ManualClock;
pub use db::{Engine, RawDb, TestDb, open_at};

/// Declares one `#[tokio::test]` per engine for each listed async function
/// taking an [`Engine`]: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::Engine::Postgres.available() {
                    super::$name($crate::Engine::Postgres).await
                }
            }
        }
    )*};
}
