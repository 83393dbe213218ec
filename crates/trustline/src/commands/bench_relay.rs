//! Bridged calls' audio through the SIP edge: the edge under test dials
//! `2 × calls` calls to a second edge in this process playing the carrier,
//! which answers each and plays it hold music (a packet every 20 ms). The
//! edge joins its calls in pairs and relays each one's audio to its
//! partner, back to the carrier. Figures: how long the edge took to relay
//! a packet (arrival to departure), the packets missing from what came back
//! to the carrier (gaps in the edge's sequence numbers, both ways: the
//! edge's streams to the carrier, and the carrier's to the edge), and the
//! CPU of this process (both edges: an upper bound for the edge alone).

use super::bench_sip::process_cpu;
use anyhow::{Context, bail};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trustline_domain::TenantId;
use trustline_sip::{EdgeSettings, SipTelephony, Trunk};
use trustline_telephony::{Admission, CallLeg, CallProgress, DialRequest, Party, Telephony};

#[derive(serde::Serialize)]
struct RelayFigures {
    bridged_calls: u32,
    seconds: u32,
    packets_relayed: u64,
    relay_ms_p50: f64,
    relay_ms_p99: f64,
    relay_ms_max: f64,
    /// Packets missing at either end (sequence gaps).
    lost: u64,
    loss_percent: f64,
    /// CPU of both edges over the window, in cores (1.0 = one core busy).
    cpu_cores: f64,
}

/// An edge on loopback playing the carrier: it answers every call and
/// plays it hold music.
pub(super) async fn carrier_edge() -> anyhow::Result<SipTelephony> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let carrier =
        SipTelephony::start(EdgeSettings::new(SocketAddr::new(loopback, 0), loopback, Trunk { proxy: None, sources: vec![loopback] }))
            .await
            .context("the carrier edge")?;
    let mut arriving = carrier.incoming().context("the carrier's incoming calls")?;
    tokio::spawn(async move {
        while let Some(call) = arriving.recv().await {
            let _ = call.admission.send(Admission::Take);
            // The carrier's leg lives as long as its progress is followed.
            let mut progress = call.progress;
            tokio::spawn(async move { while progress.recv().await.is_some() {} });
        }
    });
    Ok(carrier)
}

pub async fn run(calls: u32, seconds: u32, json: bool) -> anyhow::Result<()> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let carrier = carrier_edge().await?;
    let trunk = Trunk { proxy: Some(carrier.local_addr().into()), sources: vec![loopback] };
    let edge = Arc::new(SipTelephony::start(EdgeSettings::new(SocketAddr::new(loopback, 0), loopback, trunk)).await.context("the edge")?);

    let mut legs = Vec::new();
    for _ in 0..calls * 2 {
        let request = DialRequest { tenant: TenantId(1), to: "+442079460990".into(), caller_id: None };
        let mut leg = edge.dial(request).await.context("a call through the edge")?;
        answered(&mut leg).await?;
        legs.push(leg);
    }
    for pair in legs.chunks(2) {
        if let [one, other] = pair {
            edge.bridge(one.id, Party::Leg(other.id)).await.context("joining two calls")?;
        }
    }
    // Settle, then measure a window.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (edge_before, carrier_before, cpu_before, started) = (edge.media_figures(), carrier.media_figures(), process_cpu(), Instant::now());
    tokio::time::sleep(Duration::from_secs(u64::from(seconds))).await;
    let (edge_after, carrier_after, cpu_after, elapsed) = (edge.media_figures(), carrier.media_figures(), process_cpu(), started.elapsed());
    let relayed = edge_after.since(&edge_before);
    let at_carrier = carrier_after.since(&carrier_before);
    let ms = |share: f64| relayed.relay_time(share).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let lost = at_carrier.lost + relayed.lost;
    let figures = RelayFigures {
        bridged_calls: calls,
        seconds,
        packets_relayed: relayed.relayed,
        relay_ms_p50: ms(0.5),
        relay_ms_p99: ms(0.99),
        relay_ms_max: ms(1.0),
        lost,
        loss_percent: 100.0 * lost as f64 / (at_carrier.received + relayed.received).max(1) as f64,
        cpu_cores: cpu_before.zip(cpu_after).map_or(0.0, |(before, after)| (after - before).as_secs_f64() / elapsed.as_secs_f64()),
    };
    for leg in &legs {
        let _ = edge.hang_up(leg.id).await;
    }
    if json {
        println!("{}", serde_json::to_string(&figures)?);
    } else {
        println!(
            "{} bridged calls for {} s: {} packets relayed, relay time p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; {} packets lost ({:.4} %); {:.2} cores of CPU (both edges)",
            figures.bridged_calls,
            figures.seconds,
            figures.packets_relayed,
            figures.relay_ms_p50,
            figures.relay_ms_p99,
            figures.relay_ms_max,
            figures.lost,
            figures.loss_percent,
            figures.cpu_cores,
        );
    }
    Ok(())
}

/// Waits for the call to be answered.
pub(super) async fn answered(leg: &mut CallLeg) -> anyhow::Result<()> {
    let deadline = Duration::from_secs(10);
    loop {
        match tokio::time::timeout(deadline, leg.progress.recv()).await {
            Ok(Some(CallProgress::Answered)) => return Ok(()),
            Ok(Some(CallProgress::Failed(failure))) => bail!("the carrier edge refused a call: {}", failure.as_str()),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => bail!("a call was not answered within {deadline:?}"),
        }
    }
}
