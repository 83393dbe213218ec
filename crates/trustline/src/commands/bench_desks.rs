//! Calls bridged to agents' softphones: the edge under test, with its
//! softphone port, dials `desks` calls to a carrier edge in this process,
//! which answers each and plays it hold music (a packet every 20 ms). Each
//! desk's browser is a `BrowserPeer` (full ICE, DTLS-SRTP, PCMU both ways,
//! speaking every 20 ms), all of them on one thread of their own; once
//! every phone is connected, each call is bridged to its desk, as
//! accepting a call does. Figures: the time from the bridge to the
//! caller's first packet at the desk's browser, the packets the browsers
//! and the carrier heard against 20 ms frames, and the CPU of the edges
//! (the process's, less the browsers' thread) and of the browsers.

use super::bench_relay::{answered, carrier_edge};
use super::bench_sip::{cpu_of, process_cpu};
use anyhow::Context;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use trustline_domain::{TenantId, UserId};
use trustline_sip::{EdgeSettings, MediaFigures, SipTelephony, SoftphonePlace, Trunk};
use trustline_softphone::BrowserPeer;
use trustline_telephony::{DialRequest, Party, Telephony};

#[derive(serde::Serialize)]
struct DeskFigures {
    desks: u32,
    seconds: u32,
    /// From bridging a call to its desk until the desk's browser hears the caller.
    bridge_to_audio_ms_p50: f64,
    bridge_to_audio_ms_p99: f64,
    bridge_to_audio_ms_max: f64,
    /// Desks whose browser never heard its caller.
    desks_unheard: u32,
    /// Packets the browsers heard in the window, of 50 a second per desk.
    heard_by_desks_percent: f64,
    /// Frames the browsers spoke in the window, of 50 a second per desk.
    spoken_by_desks_percent: f64,
    /// Packets the edge sent its calls in the window (the desks' voices), of 50 a second per call.
    sent_to_callers_percent: f64,
    /// Packets the carrier heard from the edge in the window, of 50 a second per call.
    heard_by_callers_percent: f64,
    /// CPU of both edges over the window, in cores (the process less the browsers' thread).
    cpu_cores_edges: f64,
    /// CPU of the browsers' thread over the window, in cores.
    cpu_cores_browsers: f64,
}

/// What one desk's browser heard, and the frames it spoke.
#[derive(Default)]
struct DeskTally {
    packets: AtomicU64,
    first: Mutex<Option<Instant>>,
    spoken: Arc<AtomicU64>,
}

/// The counters the window is measured between.
struct Reading {
    heard_by_desks: u64,
    spoken_by_desks: u64,
    carrier: MediaFigures,
    edge: MediaFigures,
    process_cpu: Option<Duration>,
    browsers_cpu: Option<Duration>,
}

impl Reading {
    fn now(tallies: &[Arc<DeskTally>], carrier: &SipTelephony, edge: &SipTelephony, browsers_thread: &Path) -> Self {
        Self {
            heard_by_desks: tallies.iter().map(|t| t.packets.load(Ordering::Relaxed)).sum(),
            spoken_by_desks: tallies.iter().map(|t| t.spoken.load(Ordering::Relaxed)).sum(),
            carrier: carrier.media_figures(),
            edge: edge.media_figures(),
            process_cpu: process_cpu(),
            browsers_cpu: cpu_of(browsers_thread),
        }
    }
}

/// A desk's offer, handed to the edge; its answer goes back on `answer`.
struct DeskOffer {
    sdp: String,
    answer: oneshot::Sender<String>,
    tally: Arc<DeskTally>,
}

pub async fn run(desks: u32, seconds: u32, json: bool) -> anyhow::Result<()> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let carrier = carrier_edge().await?;
    let trunk = Trunk { proxy: Some(carrier.local_addr().into()), sources: vec![loopback] };
    let mut settings = EdgeSettings::new(SocketAddr::new(loopback, 0), loopback, trunk);
    settings.softphones = Some(SoftphonePlace { port: 0, max_desks: desks as usize });
    let edge = Arc::new(SipTelephony::start(settings).await.context("the edge")?);

    let speak_for = Duration::from_secs(u64::from(seconds) + 30);
    let (offers, browsers_thread) = browsers(desks, speak_for)?;
    let mut tallies = Vec::new();
    for agent in 1..=i64::from(desks) {
        let offer = offers.recv().context("the browsers' thread stopped")?;
        let answer = edge.open_softphone(TenantId(1), UserId(agent), &offer.sdp).await.context("a desk's softphone")?;
        let _ = offer.answer.send(answer);
        tallies.push(offer.tally);
    }
    let mut legs = Vec::new();
    for _ in 0..desks {
        let request = DialRequest { tenant: TenantId(1), to: "+442079460990".into(), caller_id: None };
        let mut leg = edge.dial(request).await.context("a call through the edge")?;
        answered(&mut leg).await?;
        legs.push(leg);
    }
    // Every phone connects (ICE, DTLS) before its call is put through, as at a desk.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut bridged_at = Vec::new();
    for (agent, leg) in (1..=i64::from(desks)).zip(&legs) {
        bridged_at.push(Instant::now());
        edge.bridge(leg.id, Party::Desk { tenant: TenantId(1), agent: UserId(agent) }).await.context("a call to its desk")?;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let read = || Reading::now(&tallies, &carrier, &edge, &browsers_thread);
    let (before, started) = (read(), Instant::now());
    tokio::time::sleep(Duration::from_secs(u64::from(seconds))).await;
    let (after, elapsed) = (read(), started.elapsed());

    let mut latencies: Vec<Duration> = tallies
        .iter()
        .zip(&bridged_at)
        .filter_map(|(tally, at)| {
            tally.first.lock().unwrap_or_else(PoisonError::into_inner).map(|first| first.saturating_duration_since(*at))
        })
        .collect();
    latencies.sort();
    let unheard = desks - u32::try_from(latencies.len()).unwrap_or(desks);
    let quantile = |share: f64| {
        let index = ((latencies.len() as f64 * share).ceil() as usize).saturating_sub(1);
        latencies.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let expected = (f64::from(desks) * 50.0 * elapsed.as_secs_f64()).max(1.0);
    let cores = |before: Option<Duration>, after: Option<Duration>| {
        before.zip(after).map_or(0.0, |(before, after)| after.saturating_sub(before).as_secs_f64() / elapsed.as_secs_f64())
    };
    let browsers_cores = cores(before.browsers_cpu, after.browsers_cpu);
    let figures = DeskFigures {
        desks,
        seconds,
        bridge_to_audio_ms_p50: quantile(0.5),
        bridge_to_audio_ms_p99: quantile(0.99),
        bridge_to_audio_ms_max: quantile(1.0),
        desks_unheard: unheard,
        heard_by_desks_percent: 100.0 * (after.heard_by_desks - before.heard_by_desks) as f64 / expected,
        spoken_by_desks_percent: 100.0 * (after.spoken_by_desks - before.spoken_by_desks) as f64 / expected,
        sent_to_callers_percent: 100.0 * after.edge.since(&before.edge).sent as f64 / expected,
        heard_by_callers_percent: 100.0 * after.carrier.since(&before.carrier).received as f64 / expected,
        cpu_cores_edges: (cores(before.process_cpu, after.process_cpu) - browsers_cores).max(0.0),
        cpu_cores_browsers: browsers_cores,
    };
    for leg in &legs {
        let _ = edge.hang_up(leg.id).await;
    }
    if json {
        println!("{}", serde_json::to_string(&figures)?);
    } else {
        println!(
            "{} desks for {} s: bridge to audio at the desk p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} desks never heard their caller); \
             desks heard {:.2} % of their packets; the desks spoke {:.2} % of theirs, the edge sent {:.2} % and callers heard {:.2} %; \
             {:.2} cores of CPU for the edges, {:.2} for the browsers",
            figures.desks,
            figures.seconds,
            figures.bridge_to_audio_ms_p50,
            figures.bridge_to_audio_ms_p99,
            figures.bridge_to_audio_ms_max,
            figures.desks_unheard,
            figures.heard_by_desks_percent,
            figures.spoken_by_desks_percent,
            figures.sent_to_callers_percent,
            figures.heard_by_callers_percent,
            figures.cpu_cores_edges,
            figures.cpu_cores_browsers,
        );
    }
    Ok(())
}

/// Starts `desks` browsers on a thread of their own, each speaking for
/// `speak_for` once connected: their offers, and the thread's `/proc` entry
/// (for its CPU).
fn browsers(desks: u32, speak_for: Duration) -> anyhow::Result<(std::sync::mpsc::Receiver<DeskOffer>, PathBuf)> {
    let (offers_in, offers) = std::sync::mpsc::channel();
    let (place_in, place) = std::sync::mpsc::channel();
    std::thread::Builder::new().name("browsers".into()).spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        // The link is relative to /proc: `<pid>/task/<tid>`.
        let _ = place_in.send(std::fs::read_link("/proc/thread-self").ok().map(|task| PathBuf::from("/proc").join(task)));
        runtime.block_on(async move {
            let mut running = Vec::new();
            for _ in 0..desks {
                let Ok((mut peer, sdp)) = BrowserPeer::offer(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)).await else { return };
                let (answer_in, answer) = oneshot::channel();
                let tally = Arc::new(DeskTally::default());
                if offers_in.send(DeskOffer { sdp, answer: answer_in, tally: tally.clone() }).is_err() {
                    return;
                }
                let Ok(answer) = answer.await else { return };
                if peer.accept(&answer).is_err() {
                    return;
                }
                let (heard_in, mut heard) = mpsc::unbounded_channel();
                running.push(tokio::spawn(peer.counting_spoken(tally.spoken.clone()).run(vec![0xff; 160], heard_in, speak_for)));
                running.push(tokio::spawn(async move {
                    while let Some((_, _, at)) = heard.recv().await {
                        tally.packets.fetch_add(1, Ordering::Relaxed);
                        tally.first.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(at);
                    }
                }));
            }
            for task in running {
                let _ = task.await;
            }
        });
    })?;
    let place = place.recv().ok().flatten().context("the browsers' thread has no /proc entry")?;
    Ok((offers, place))
}
