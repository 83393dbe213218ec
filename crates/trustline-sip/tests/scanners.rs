//! The SIP edge against SIPVicious, as an attacker runs it from an address
//! that is no trunk: `svmap` finds a SIP server and no more, `svwar` finds
//! no extension by any method, `svcrack` cracks nothing. Each tool runs for
//! a bounded time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod peers;

use peers::{edge_settings, sipvicious};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;
use trustline_sip::SipTelephony;

/// How long one scan may run (svcrack is told to stop sooner: the edge
/// goes silent on it, and it would wait for answers that never come).
const SCAN_LIMIT: Duration = Duration::from_secs(30);

/// An edge whose only trunk is elsewhere: this machine is a stranger to it.
async fn edge() -> SipTelephony {
    SipTelephony::start(edge_settings(None, vec!["192.0.2.1".parse().unwrap()])).await.expect("the edge starts")
}

/// What `tool ARGS` printed (both streams) within the limit.
async fn scan(tool: &std::path::Path, args: &[String]) -> String {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the scanner starts");
    let (mut stdout, mut stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let read = async {
        let (mut out, mut err) = (String::new(), String::new());
        let _ = tokio::join!(
            tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut out),
            tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut err)
        );
        out + &err
    };
    tokio::time::timeout(SCAN_LIMIT, read).await.unwrap_or_else(|_| panic!("{} {args:?} did not end within {SCAN_LIMIT:?}", tool.display()))
}

fn target(edge: SocketAddr) -> String {
    format!("udp://{edge}")
}

#[tokio::test]
async fn svwar_finds_no_extension_by_any_method() {
    let Some(svwar) = sipvicious("svwar") else { return };
    let edge = edge().await;
    for method in ["REGISTER", "INVITE", "OPTIONS"] {
        // --force: without it svwar gives up at once, taking our 403 for a password prompt.
        let args =
            ["--force", "-m", method, "-e100-115"].map(String::from).into_iter().chain([target(edge.local_addr())]).collect::<Vec<_>>();
        let printed = scan(&svwar, &args).await;
        assert!(printed.contains("found nothing"), "{method}: {printed}");
        for finding in ["exists", "weird", "reqauth", "noauth"] {
            assert!(!printed.contains(finding), "{method} found an extension: {printed}");
        }
    }
    assert_eq!(edge.calls_in_progress(), 0, "no scan opened a call");
}

#[tokio::test]
async fn svcrack_cracks_nothing_and_svmap_sees_a_server_that_says_no() {
    let (Some(svcrack), Some(svmap)) = (sipvicious("svcrack"), sipvicious("svmap")) else { return };
    let edge = edge().await;
    let address = edge.local_addr();
    let args = ["--maximumtime=5", "-u", "100", "-r", "1000-1030"].map(String::from).into_iter().chain([target(address)]);
    let printed = scan(&svcrack, &args.collect::<Vec<_>>()).await;
    assert!(printed.contains("found nothing") && !printed.contains("cracked users"), "svcrack found a password: {printed}");
    let args = [address.ip().to_string(), format!("-p{}", address.port())];
    let printed = scan(&svmap, &args).await;
    // Our answers name the product and no version; a stranger learns nothing else.
    assert!(printed.contains("Trustline") && !printed.contains("Trustline/"), "{printed}");
    assert_eq!(edge.calls_in_progress(), 0);
}
