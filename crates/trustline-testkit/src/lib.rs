//! Test support: a real server on a random port over a real database (the
//! databases come from `trustline-testdb`, which needs no server).
//!
//! Browser tests use Chromium as PostgreSQL tests use PostgreSQL: skipped
//! without `TRUSTLINE_TEST_CHROMIUM`, failed without it under `CI=true`
//! (see [`Chromium`]).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod api_document;
mod browser;
mod client;
mod server;
mod webdriver;

pub use browser::{Chromium, Screenshot};
pub use client::{Reply, TestClient};
pub use server::{EngineNode, TestServer, TestUser};
pub use trustline_testdb::{Engine, ManualClock, RawDb, TestDb, on_both_engines};
pub use webdriver::{Browser, Driver, Element};
