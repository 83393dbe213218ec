//! The HTTP edge over real HTTP, a real server and a real database, on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod access_reviews;
mod agents;
mod audit;
mod bad_input;
mod browser;
mod campaigns;
mod contacts;
mod csp;
mod csrf;
mod desk_phones;
mod dialer;
mod idempotency;
mod imports;
mod inbound;
mod incidents;
mod login;
mod manual_call;
mod nodes;
mod openapi;
mod pages;
mod permissions;
mod registers;
mod sessions;
mod softphone;
mod tls;
mod training;
mod transfer;
mod trunks;
mod trust;
mod webhooks;

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
