//! Test support: a real server on a random port over a real database.
//!
//! PostgreSQL tests read `TRUSTLINE_TEST_DATABASE_URL` (a role allowed to
//! create databases); each test gets a database of its own. Without that
//! variable PostgreSQL tests are skipped, except under `CI=true`, where a
//! missing PostgreSQL fails the test. Browser tests use Chromium the same
//! way (`TRUSTLINE_TEST_CHROMIUM`, see [`Chromium`]).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod api_document;
mod browser;
mod client;
mod clock;
mod db;
mod server;
mod webdriver;

pub use browser::{Chromium, Screenshot};
pub use client::{Reply, TestClient};
pub use clock::ManualClock;
pub use db::{Engine, RawDb, TestDb};
pub use server::{TestServer, TestUser};
pub use webdriver::{Browser, Driver, Element};

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
