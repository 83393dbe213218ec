//! Calls per second through the SIP edge: SIPp calls an edge in this
//! process at a fixed rate (INVITE with G.711 SDP, 200, ACK, BYE, 200), and
//! the figures are what SIPp saw (answered calls, INVITE-to-200 times) and
//! what the edge cost (CPU time of this process). With `--beside-kamailio`
//! the same load goes through Kamailio as a stateful proxy to a SIPp
//! answering every call, in the same run, for a ratio on this machine.

use anyhow::{Context, bail};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use trustline_sip::{EdgeSettings, SipTelephony, Trunk};
use trustline_telephony::{Admission, Telephony};

/// A caller that hangs up as soon as it is answered.
const CALLER: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench_caller">
  <send retrans="500"><![CDATA[

INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+447700900123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=caller 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true" rtd="true"/>
  <send><![CDATA[

ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+447700900123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[

BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+447700900123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"#;

/// What one run measured.
#[derive(serde::Serialize)]
pub struct SipFigures {
    target: &'static str,
    rate: u32,
    seconds: u32,
    attempted: u64,
    answered: u64,
    failed: u64,
    calls_per_second: f64,
    invite_to_200_ms_p50: f64,
    invite_to_200_ms_p99: f64,
    invite_to_200_ms_max: f64,
    /// CPU time of the process under test per 1,000 calls, when known.
    cpu_ms_per_1000_calls: Option<f64>,
}

pub async fn run(rate: u32, seconds: u32, beside_kamailio: bool, json: bool) -> anyhow::Result<()> {
    let sipp = which("sipp").context("SIPp is needed (Debian's sip-tester; scripts/sip-peers-up installs it)")?;
    let edge = edge_run(&sipp, rate, seconds).await?;
    let kamailio = if beside_kamailio { Some(kamailio_run(&sipp, rate, seconds).await?) } else { None };
    if json {
        let ratio = kamailio.as_ref().map(|k| edge.calls_per_second / k.calls_per_second.max(f64::MIN_POSITIVE));
        println!("{}", serde_json::json!({ "edge": edge, "kamailio": kamailio, "edge_to_kamailio_cps": ratio }));
        return Ok(());
    }
    for run in std::iter::once(&edge).chain(&kamailio) {
        println!(
            "{}: {} calls/s asked for {} s; {} answered, {} failed; {:.1} calls/s; INVITE to 200 p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms{}",
            run.target,
            run.rate,
            run.seconds,
            run.answered,
            run.failed,
            run.calls_per_second,
            run.invite_to_200_ms_p50,
            run.invite_to_200_ms_p99,
            run.invite_to_200_ms_max,
            run.cpu_ms_per_1000_calls.map(|ms| format!("; {ms:.0} ms of CPU per 1,000 calls")).unwrap_or_default(),
        );
    }
    Ok(())
}

/// The edge in this process answers every call.
async fn edge_run(sipp: &Path, rate: u32, seconds: u32) -> anyhow::Result<SipFigures> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let trunk = Trunk { proxy: None, sources: vec![loopback] };
    let edge = SipTelephony::start(EdgeSettings::new(SocketAddr::new(loopback, 0), loopback, trunk)).await?;
    let mut incoming = edge.incoming().context("the edge's incoming calls")?;
    // The switchboard's part is not measured: each call is let go as it comes.
    // Every call is taken; the callers hang up.
    tokio::spawn(async move {
        while let Some(call) = incoming.recv().await {
            let _ = call.admission.send(Admission::Take);
        }
    });
    let cpu_before = process_cpu();
    let mut figures = load(sipp, edge.local_addr(), rate, seconds).await?;
    figures.cpu_ms_per_1000_calls = cpu_before
        .zip(process_cpu())
        .map(|(before, after)| (after - before).as_secs_f64() * 1000.0 * 1000.0 / (figures.answered.max(1) as f64));
    figures.target = "trustline SIP edge (answers, B2BUA)";
    Ok(figures)
}

/// SIPp's and Kamailio's socket buffers, as large as the machine allows by
/// default (`net.core.rmem_max`), so a burst is not lost in a socket.
const SOCKET_BUFFER_BYTES: &str = "4194304";

/// Kamailio's tuning for the comparison: one UDP worker per core (four on
/// two cores failed calls from 500 a second), and shared memory for
/// transactions (its default of 64 MB ran out above about 270 calls a
/// second, and the calls it failed were retried for 15 s).
const KAMAILIO_CHILDREN: u32 = 2;
const KAMAILIO_SHARED_MEMORY_MB: &str = "512";

/// Kamailio relays every call statefully to a SIPp that answers it.
async fn kamailio_run(sipp: &Path, rate: u32, seconds: u32) -> anyhow::Result<SipFigures> {
    let kamailio = which("kamailio").context("Kamailio is needed for --beside-kamailio (Debian's kamailio)")?;
    let dir = tempfile::tempdir()?;
    let (proxy, answerer) = (free_port()?, free_port()?);
    let config = format!(
        "#!KAMAILIO\nlisten=udp:127.0.0.1:{proxy}\nchildren={KAMAILIO_CHILDREN}\ndisable_tcp=yes\nauto_aliases=no\nmaxbuffer={SOCKET_BUFFER_BYTES}\nlog_stderror=yes\ndebug=0\n\
         loadmodule \"tm.so\"\nloadmodule \"sl.so\"\nloadmodule \"rr.so\"\nloadmodule \"pv.so\"\nloadmodule \"textops.so\"\nloadmodule \"siputils.so\"\n\
         request_route {{\n  if (has_totag()) {{ loose_route(); t_relay(); exit; }}\n  record_route();\n\
         $du = \"sip:127.0.0.1:{answerer}\";\n  t_relay();\n}}\n"
    );
    let config_file = dir.path().join("kamailio.cfg");
    std::fs::write(&config_file, config)?;
    let mut proxy_process = tokio::process::Command::new(kamailio)
        .args(["-f"])
        .arg(&config_file)
        .args(["-DD", "-E", "-m", KAMAILIO_SHARED_MEMORY_MB, "-M", "16", "-P"])
        .arg(dir.path().join("kamailio.pid"))
        .args(["-Y"])
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("Kamailio starts")?;
    let mut answering = tokio::process::Command::new(sipp)
        .args(["-sn", "uas", "-i", "127.0.0.1", "-p", &answerer.to_string(), "-nostdin", "-buff_size", SOCKET_BUFFER_BYTES])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("SIPp answers")?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let figures = load(sipp, SocketAddr::from((Ipv4Addr::LOCALHOST, proxy)), rate, seconds).await;
    stop_kamailio(&mut proxy_process).await;
    let _ = answering.kill().await;
    let mut figures = figures?;
    figures.target = "Kamailio (stateful proxy, tm) to SIPp answering";
    Ok(figures)
}

/// Kamailio's main process stops its workers only when asked to end
/// (SIGTERM); a SIGKILL would leave them running beside the next run.
async fn stop_kamailio(proxy: &mut tokio::process::Child) {
    if let Some(pid) = proxy.id() {
        let asked = tokio::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().await;
        if asked.is_ok_and(|status| status.success()) && tokio::time::timeout(Duration::from_secs(10), proxy.wait()).await.is_ok() {
            return;
        }
    }
    let _ = proxy.kill().await;
}

/// SIPp calls `target` at `rate` calls per second for `seconds`.
async fn load(sipp: &Path, target: SocketAddr, rate: u32, seconds: u32) -> anyhow::Result<SipFigures> {
    let dir = tempfile::tempdir()?;
    let scenario = dir.path().join("bench_caller.xml");
    std::fs::write(&scenario, CALLER)?;
    let calls = u64::from(rate) * u64::from(seconds);
    let started = Instant::now();
    let status = tokio::process::Command::new(sipp)
        .arg("-sf")
        .arg(&scenario)
        .args(["-i", "127.0.0.1", "-p", &free_port()?.to_string(), "-s", "+442079460990"])
        .args(["-r", &rate.to_string(), "-m", &calls.to_string(), "-l", &(rate * 4).to_string()])
        .args(["-trace_rtt", "-rtt_freq", "1", "-nostdin", "-buff_size", SOCKET_BUFFER_BYTES, "-timeout", &format!("{}s", seconds + 60)])
        .arg(target.to_string())
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .context("SIPp runs")?;
    let elapsed = started.elapsed();
    let mut times = response_times(dir.path())?;
    if times.is_empty() {
        bail!("SIPp recorded no answered call (it ended with {status})");
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times.get(((times.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
    let answered = times.len() as u64;
    Ok(SipFigures {
        target: "",
        rate,
        seconds,
        attempted: calls,
        answered,
        failed: calls.saturating_sub(answered),
        calls_per_second: answered as f64 / elapsed.as_secs_f64(),
        invite_to_200_ms_p50: at(0.5),
        invite_to_200_ms_p99: at(0.99),
        invite_to_200_ms_max: at(1.0),
        cpu_ms_per_1000_calls: None,
    })
}

/// The INVITE-to-200 times SIPp wrote (`-trace_rtt`), in milliseconds.
fn response_times(dir: &Path) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.to_string_lossy().ends_with("_rtt.csv") {
            continue;
        }
        for line in std::fs::read_to_string(&path)?.lines().skip(1) {
            if let Some(ms) = line.split(';').nth(1).and_then(|field| field.trim().parse::<f64>().ok()) {
                times.push(ms);
            }
        }
    }
    Ok(times)
}

/// User and system CPU time of this process so far (Linux; USER_HZ is 100).
pub(super) fn process_cpu() -> Option<Duration> {
    cpu_of(Path::new("/proc/self"))
}

/// The CPU a process or thread has used, from its `/proc` entry.
pub(super) fn cpu_of(place: &Path) -> Option<Duration> {
    let stat = std::fs::read_to_string(place.join("stat")).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| PathBuf::from(dir).join(name)).find(|path| path.is_file())
}
