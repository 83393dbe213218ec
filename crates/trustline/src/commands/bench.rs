//! Benchmarks run against real storage on this machine. Figures go into
//! docs/benchmarks.md together with the command line that produced them.

use super::accounts::{InitialPassword, create_tenant, create_user};
use crate::config::{DataArgs, Installation, hasher};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use trustline_app::{AuditAppender, SystemClock, verify_tenant};
use trustline_audit::AuditDraft;
use trustline_crypto::hex;
use trustline_domain::{AuditAction, Clock, Role};
use trustline_server::{App, AppConfig};
use trustline_store::{AuditSearch, Tenant};

#[derive(Args)]
pub struct BenchStorage {
    /// PostgreSQL URL to measure; without it, SQLite in a fresh temporary directory.
    #[arg(long, env = "TRUSTLINE_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Durable audit appends per second: group commit against one transaction per event.
    AuditAppend {
        #[command(flatten)]
        storage: BenchStorage,
        #[arg(long, default_value_t = 50_000)]
        events: usize,
        /// Concurrent writers (requests in flight).
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// Time to verify a chain of N events.
    AuditVerify {
        #[command(flatten)]
        storage: BenchStorage,
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// Time to write and to verify offline the evidence bundle of a period of N events.
    Evidence {
        #[command(flatten)]
        storage: BenchStorage,
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// Audit log searches over N events (newest first, a page of 100),
    /// against reading the whole log to filter it.
    AuditSearch {
        #[command(flatten)]
        storage: BenchStorage,
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// AES-256-GCM throughput on one core, and the cost of sealing one contact.
    Seal {
        /// Bytes sealed in bulk (in 16 KiB messages).
        #[arg(long, default_value_t = 1 << 30)]
        bytes: usize,
        #[arg(long, default_value_t = 200_000)]
        contacts: usize,
    },
    /// Inbound routing decisions with many logged-in agents and queues.
    Routing {
        #[arg(long, default_value_t = 10_000)]
        agents: u32,
        #[arg(long, default_value_t = 200)]
        queues: u32,
        /// Calls offered.
        #[arg(long, default_value_t = 500_000)]
        calls: u32,
        /// Average share of agents busy (1.0 or more: queues grow).
        #[arg(long, default_value_t = 0.95)]
        load: f64,
    },
    /// Calls per second through the SIP edge, driven by SIPp (and the same
    /// load through Kamailio, with --beside-kamailio).
    Sip {
        /// Calls started per second.
        #[arg(long, default_value_t = 100)]
        rate: u32,
        #[arg(long, default_value_t = 600)]
        seconds: u32,
        #[arg(long)]
        beside_kamailio: bool,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Bridged calls' audio through the SIP edge: relay time per packet,
    /// loss and CPU, against a second edge playing the carrier.
    SipRelay {
        /// Bridged calls (each is two calls through the edge).
        #[arg(long, default_value_t = 300)]
        calls: u32,
        #[arg(long, default_value_t = 60)]
        seconds: u32,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// SRTP's cost per G.711 packet on one core (protect, unprotect) for
    /// each suite, and the calls' SRTP legs one core keeps up with.
    Srtp {
        #[arg(long, default_value_t = 2_000_000)]
        packets: u32,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Calls bridged to agents' softphones (WebRTC peers in this process):
    /// bridge to audio at the desk, packets heard both ways, CPU.
    Desks {
        #[arg(long, default_value_t = 100)]
        desks: u32,
        #[arg(long, default_value_t = 30)]
        seconds: u32,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Answering-machine detection over a corpus made with espeak-ng and
    /// sox: the confusion matrix, decision times, beeps and information
    /// tones found.
    Amd {
        /// Words that make a machine (4; the classic method's: 2).
        #[arg(long, default_value_t = trustline_call_analysis::AmdSettings::default().maximum_words, value_parser = clap::value_parser!(u32).range(1..))]
        maximum_words: u32,
        /// Silence that ends a word, in ms.
        #[arg(long, default_value_t = trustline_call_analysis::AmdSettings::default().between_words_silence_ms)]
        between_words_ms: u32,
        /// Print the figures as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Sign-in latency over HTTP with Argon2id under concurrent load.
    Login {
        #[arg(long, default_value_t = 200)]
        requests: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::AuditAppend { storage, events, concurrency } => audit_append(storage, events, concurrency.max(1)).await?,
        BenchCommand::AuditVerify { storage, events } => audit_verify(storage, events).await?,
        BenchCommand::Evidence { storage, events } => evidence(storage, events).await?,
        BenchCommand::AuditSearch { storage, events } => audit_search(storage, events).await?,
        BenchCommand::Login { requests, concurrency } => login(requests, concurrency.max(1)).await?,
        BenchCommand::Seal { bytes, contacts } => seal(bytes, contacts.max(1))?,
        BenchCommand::Routing { agents, queues, calls, load } => routing(agents.max(1), queues.max(1), calls.max(1), load)?,
        BenchCommand::SipRelay { calls, seconds, json } => super::bench_relay::run(calls.max(1), seconds.max(1), json).await?,
        BenchCommand::Srtp { packets, json } => super::bench_srtp::run(packets.max(1), json)?,
        BenchCommand::Amd { maximum_words, between_words_ms, json } => {
            let settings = trustline_call_analysis::AmdSettings {
                maximum_words,
                between_words_silence_ms: between_words_ms,
                ..trustline_call_analysis::AmdSettings::default()
            };
            super::bench_amd::run(settings, json)?;
        }
        BenchCommand::Desks { desks, seconds, json } => super::bench_desks::run(desks.max(1), seconds.max(1), json).await?,
        BenchCommand::Sip { rate, seconds, beside_kamailio, json } => {
            super::bench_sip::run(rate.max(1), seconds.max(1), beside_kamailio, json).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A throwaway installation: a temporary SQLite directory or a new tenant in
/// the given PostgreSQL database.
struct Scratch {
    inst: Installation,
    tenant: Tenant,
    dir: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn scratch(storage: &BenchStorage) -> anyhow::Result<Scratch> {
    let suffix = hex(trustline_crypto::random_bytes::<4>().as_ref());
    let dir = std::env::temp_dir().join(format!("trustline-bench-{suffix}"));
    let data = DataArgs { data_dir: dir.clone(), database_url: storage.database_url.clone() };
    data.ensure_key()?;
    let inst = data.open().await?;
    let tenant = create_tenant(&inst, &format!("bench-{suffix}"), "Benchmark").await?;
    Ok(Scratch { inst, tenant, dir })
}

fn draft(tenant: &Tenant, i: usize) -> AuditDraft {
    AuditDraft::new(SystemClock.now(), tenant.id.0, "user:1", AuditAction::ContactRead, format!("contact:{i}")).source("127.0.0.1")
}

/// How the benchmark's writers commit their events.
#[derive(Clone)]
enum Writer {
    /// Through the group-commit appender, as requests do.
    Grouped(AuditAppender),
    /// One transaction per event.
    Single(Arc<dyn trustline_store::Store>),
}

impl Writer {
    async fn write(&self, draft: AuditDraft) -> Result<(), trustline_store::StoreError> {
        match self {
            Writer::Grouped(appender) => appender.append(draft).await,
            Writer::Single(store) => store.append_audit(vec![draft]).await,
        }
    }
}

/// `concurrency` writers append `per_task` events each; returns events per second.
async fn append_rate(writer: Writer, tenant: &Tenant, concurrency: usize, per_task: usize) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let (writer, tenant) = (writer.clone(), tenant.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..per_task {
                writer.write(draft(&tenant, t * per_task + i)).await?;
            }
            Ok::<_, trustline_store::StoreError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok((per_task * concurrency) as f64 / started.elapsed().as_secs_f64())
}

async fn audit_append(storage: BenchStorage, events: usize, concurrency: usize) -> anyhow::Result<()> {
    let s = scratch(&storage).await?;
    let per_task = events / concurrency;
    let total = per_task * concurrency;
    let grouped = append_rate(Writer::Grouped(AuditAppender::start(s.inst.store.clone())), &s.tenant, concurrency, per_task).await?;

    // One transaction per event, same concurrency, a tenth of the events.
    let per_task = (total / 10).max(concurrency) / concurrency;
    let single = append_rate(Writer::Single(s.inst.store.clone()), &s.tenant, concurrency, per_task).await?;

    let public_key = s.inst.keys.checkpoint_signer.public_key();
    let verified = verify_tenant(&s.inst.store, &s.inst.keys.chain, &public_key, s.tenant.id).await?;
    anyhow::ensure!(verified.is_ok(), "the chain written by the benchmark does not verify: {verified:?}");
    println!("engine={} concurrency={concurrency}", s.inst.store.engine());
    println!("group commit:          {grouped:>10.0} events/s ({total} events)");
    println!("one event per commit:  {single:>10.0} events/s ({} events)", per_task * concurrency);
    println!("ratio:                 {:>10.1}x", grouped / single);
    Ok(())
}

/// Appends `events` audit events to the scratch tenant; returns how long it took.
async fn fill(s: &Scratch, events: usize) -> anyhow::Result<Duration> {
    fill_with(s, events, |i| draft(&s.tenant, i)).await
}

/// Appends the events `make` gives for `0..events`; returns how long it took.
async fn fill_with(s: &Scratch, events: usize, make: impl Fn(usize) -> AuditDraft) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut written = 0;
    while written < events {
        let batch = (events - written).min(10_000);
        s.inst.store.append_audit((written..written + batch).map(&make).collect()).await?;
        written += batch;
    }
    Ok(started.elapsed())
}

async fn audit_search(storage: BenchStorage, events: usize) -> anyhow::Result<()> {
    let s = scratch(&storage).await?;
    // One event in a thousand is a reveal by another user.
    let filled = fill_with(&s, events, |i| {
        if i % 1000 == 999 {
            AuditDraft::new(SystemClock.now(), s.tenant.id.0, "user:7", AuditAction::ContactReveal, format!("contact:{i}"))
                .source("127.0.0.1")
        } else {
            draft(&s.tenant, i)
        }
    })
    .await?;
    println!("engine={}", s.inst.store.engine());
    println!("wrote {events} events in {:.2} s", filled.as_secs_f64());
    let text = |t: &str| Some(t.to_owned());
    let searches = [
        ("newest 100, no filter", AuditSearch::default()),
        (
            "newest 100 reveals (1 event in 1,000)",
            AuditSearch { action: text(AuditAction::ContactReveal.name()), ..AuditSearch::default() },
        ),
        ("an actor found nowhere (every event read)", AuditSearch { actor: text("user:99"), ..AuditSearch::default() }),
    ];
    for (name, search) in searches {
        let started = Instant::now();
        let found = s.inst.store.search_audit(s.tenant.id, &search, 100).await?;
        println!("{name}: {} found in {:.1} ms", found.len(), ms(started.elapsed()));
    }
    // Before: the page read the whole log 1,000 events at a time and filtered it.
    let started = Instant::now();
    let (mut after, mut rows) = (0, 0);
    loop {
        let page = s.inst.store.audit_events(s.tenant.id, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.body.seq;
        rows += page.len();
    }
    println!("reading all {rows} events, 1,000 a page: {:.1} ms", ms(started.elapsed()));
    Ok(())
}

async fn evidence(storage: BenchStorage, events: usize) -> anyhow::Result<()> {
    let s = scratch(&storage).await?;
    let from = SystemClock.now() - 1;
    let filled = fill(&s, events).await?;
    let vault = trustline_vault::Vault::new(s.inst.store.clone(), s.inst.keys.keyring.clone());
    let now = SystemClock.now();
    let facts =
        trustline_app::gather_trust_facts(&s.inst.store, &s.inst.keys, &vault, &trustline_app::Policies::default(), &s.tenant, now).await?;
    let assessment = trustline_trust::assess(&facts);
    let period = trustline_app::evidence_period(from, now + 1)?;
    let started = Instant::now();
    let bundle = trustline_app::evidence_bundle(s.inst.store.as_ref(), &s.inst.keys, s.tenant.id, &assessment, period, now).await?;
    let wrote = started.elapsed();
    let started = Instant::now();
    let verified = trustline_evidence::verify_bundle(&bundle, Some(&s.inst.keys.checkpoint_signer.public_key()))?;
    let checked = started.elapsed();
    println!("engine={}", s.inst.store.engine());
    println!("wrote {events} events in {:.2} s", filled.as_secs_f64());
    println!(
        "bundle of {} events written in {:.2} s: {:.1} MB ({:.0} bytes per event)",
        verified.events,
        wrote.as_secs_f64(),
        bundle.len() as f64 / 1e6,
        bundle.len() as f64 / verified.events.max(1) as f64
    );
    println!("verified offline in {:.2} s ({:.0} events/s)", checked.as_secs_f64(), verified.events as f64 / checked.as_secs_f64());
    Ok(())
}

async fn audit_verify(storage: BenchStorage, events: usize) -> anyhow::Result<()> {
    let s = scratch(&storage).await?;
    let fill = fill(&s, events).await?;
    // Baseline in the same run: reading the chain without checking anything.
    let started = Instant::now();
    let mut after = 0;
    let mut rows = 0;
    loop {
        let page = s.inst.store.audit_events(s.tenant.id, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.body.seq;
        rows += page.len();
    }
    let read = started.elapsed();
    let public_key = s.inst.keys.checkpoint_signer.public_key();
    let started = Instant::now();
    let verified = verify_tenant(&s.inst.store, &s.inst.keys.chain, &public_key, s.tenant.id).await?;
    let took = started.elapsed();
    let chain = verified.map_err(|b| anyhow::anyhow!("chain broken: {b}"))?;
    println!("engine={}", s.inst.store.engine());
    println!("wrote {events} events in {:.2} s", fill.as_secs_f64());
    println!("read {rows} events, no checks, in {:.2} s", read.as_secs_f64());
    println!("verified {} events in {:.2} s ({:.0} events/s)", chain.events, took.as_secs_f64(), chain.events as f64 / took.as_secs_f64());
    Ok(())
}

async fn login(requests: usize, concurrency: usize) -> anyhow::Result<()> {
    let s = scratch(&BenchStorage { database_url: None }).await?;
    let hasher = hasher()?;
    let password = "bench violet tractor lagoon";
    create_user(&s.inst, &hasher, &s.tenant, "agent", "", Role::Agent, InitialPassword::Chosen(password)).await?;
    let app = App::new(AppConfig::default(), s.inst.store.clone(), Arc::new(SystemClock), s.inst.keys.clone(), hasher);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(trustline_server::serve(listener, app.router(), None));
    let client = reqwest::Client::builder().build().context("cannot build the HTTP client")?;
    let body = serde_json::json!({ "tenant": s.tenant.slug, "username": "agent", "password": password });
    let per_task = requests.div_ceil(concurrency);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, body) = (client.clone(), format!("{base}/api/session"), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let t = Instant::now();
                let response = client.post(&url).json(&body).send().await?;
                anyhow::ensure!(response.status().is_success(), "sign-in failed with {}", response.status());
                latencies.push(t.elapsed());
            }
            Ok(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let wall = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies.get(((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default();
    println!("sign-ins={} concurrency={concurrency} argon2id m=19456 t=2 p=1", latencies.len());
    println!("p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms", ms(at(0.50)), ms(at(0.99)), ms(at(1.0)));
    println!("throughput {:.1} sign-ins/s", latencies.len() as f64 / wall.as_secs_f64());
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One thread, so the figure is per core.
fn seal(bytes: usize, contacts: usize) -> anyhow::Result<()> {
    use trustline_crypto::{Keyring, MasterKey, Sealer};
    let sealer = Sealer::new(trustline_crypto::random_bytes::<32>())?;
    let message = vec![0x5au8; 16 * 1024];
    let rounds = (bytes / message.len()).max(1);
    let started = Instant::now();
    let mut total = 0usize;
    for _ in 0..rounds {
        total += sealer.seal(&message, "bench")?.len();
    }
    let elapsed = started.elapsed();
    let sealed = rounds * message.len();
    println!(
        "aes-256-gcm seal, 16 KiB messages: {:.2} GB/s on one core ({} MiB in {:.2} s)",
        sealed as f64 / elapsed.as_secs_f64() / 1e9,
        sealed >> 20,
        elapsed.as_secs_f64()
    );
    let keyring = Keyring::new(&MasterKey::generate())?;
    let (tenant_key, _) = keyring.create_tenant_key(1, 1)?;
    let started = Instant::now();
    for i in 0..contacts {
        let record = format!("contact:{i}");
        let (subject, wrapped) = tenant_key.create_subject_key(&record)?;
        total += wrapped.len();
        for (field, value) in
            [("name", "Ada Lovelace"), ("phones", "+442071838750"), ("email", "ada@example.org"), ("address", "{\"city\":\"London\"}")]
        {
            total += subject.encrypt(&record, field, value.as_bytes())?.len();
        }
    }
    let elapsed = started.elapsed();
    println!(
        "one contact (new data key wrapped + 4 fields sealed): {:.2} µs, {:.0} contacts/s on one core",
        elapsed.as_secs_f64() * 1e6 / contacts as f64,
        contacts as f64 / elapsed.as_secs_f64()
    );
    anyhow::ensure!(total > 0);
    Ok(())
}

/// A day in a large inbound center, compressed: one call offered per step,
/// each reserved agent busy for a random number of steps (`load` of the
/// agents busy on average), so queues form and drain. Times every decision.
fn routing(agents: u32, queues: u32, calls: u32, load: f64) -> anyhow::Result<()> {
    anyhow::ensure!(load > 0.0 && load <= 2.0, "--load must be more than 0 and at most 2");
    use trustline_domain::routing::{CallId, Overflow, QueueConfig, QueueId, Routed, Router, RoutingStrategy, SkillId};
    use trustline_telephony::SeededRandom;
    const SKILLS: u64 = 50;
    let mut random = SeededRandom::new(1);
    let mut pick = |n: u64| random.next_u64() % n;
    let mut router = Router::new();
    for q in 0..queues {
        let requires = (0..1 + pick(2)).map(|_| (SkillId(pick(SKILLS) as u16), 1 + pick(4) as u8)).collect();
        let strategy = if q % 2 == 0 { RoutingStrategy::LongestIdle } else { RoutingStrategy::SkillsWeighted };
        let overflow = (q % 10 == 0).then(|| Overflow { after_ms: 30_000, to: QueueId(pick(u64::from(queues)) as u32) });
        router.add_queue(QueueConfig { id: QueueId(q), requires, priority: 1 + pick(5) as u8, strategy, overflow })?;
    }
    for a in 0..agents {
        let skills = (0..8).map(|_| (SkillId(pick(SKILLS) as u16), 1 + pick(10) as u8)).collect();
        router.log_in(i64::from(a), skills)?;
        router.agent_ready(i64::from(a), 0)?;
    }
    let mean_busy = (f64::from(agents) * load) as u64;
    let mut releases: std::collections::BinaryHeap<std::cmp::Reverse<(u64, i64)>> = std::collections::BinaryHeap::new();
    let (mut offers, mut frees) = (Vec::with_capacity(calls as usize), Vec::with_capacity(calls as usize));
    let warmup = u64::from(calls / 10);
    let mut queued = 0u64;
    for step in 0..u64::from(calls) + warmup {
        let now = step;
        while releases.peek().is_some_and(|r| r.0.0 <= step) {
            let Some(std::cmp::Reverse((_, agent))) = releases.pop() else { break };
            let started = Instant::now();
            let took = router.agent_ready(agent, now)?;
            let elapsed = started.elapsed();
            if step >= warmup {
                frees.push(elapsed);
            }
            if took.is_some() {
                releases.push(std::cmp::Reverse((step + 1 + pick(2 * mean_busy), agent)));
            }
        }
        let queue = QueueId(pick(u64::from(queues)) as u32);
        let started = Instant::now();
        let routed = router.offer(CallId(step), queue, now)?;
        let elapsed = started.elapsed();
        if step >= warmup {
            offers.push(elapsed);
        }
        match routed {
            Routed::Agent(agent) => releases.push(std::cmp::Reverse((step + 1 + pick(2 * mean_busy), agent))),
            Routed::Queued { .. } => queued += 1,
        }
    }
    let report = |name: &str, mut times: Vec<Duration>| {
        times.sort();
        let at = |q: f64| times.get(((times.len() as f64 - 1.0) * q) as usize).copied().unwrap_or_default();
        println!(
            "{name}: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over {} decisions",
            at(0.5).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6,
            at(1.0).as_secs_f64() * 1e6,
            times.len()
        );
    };
    println!(
        "{agents} agents, {queues} queues, 8 skills per agent out of {SKILLS}, load {load}; {:.1} % of calls waited",
        queued as f64 * 100.0 / f64::from(calls) / 1.1
    );
    report("a call arrives (to the best ready agent, or queued)", offers);
    report("an agent becomes free (takes the most urgent call, or waits)", frees);
    Ok(())
}
