use super::accounts::{InitialPassword, cli_audit, create_tenant, create_user, find_tenant};
use super::carriers::{self, CarrierArgs};
use super::demo_floor;
use super::desk_phone_sign_in::DeskPhoneSignIn;
use super::desk_relay::DeskRelayArgs;
use super::job_runs::record;
use super::trunk_sync;
use crate::config::{DataArgs, Installation, hasher};
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use trustline_app::{NODE_COMMANDS_KEPT_SECONDS, SystemClock, run_retention, write_checkpoints};
use trustline_backup::BackupSchedule;
use trustline_crypto::{PasswordHasher, random_password};
use trustline_dialer::EngineSettings;
use trustline_domain::{AuditAction, Clock, LoginThrottle, Role};
use trustline_server::{App, AppConfig, IDEMPOTENCY_KEY_SECONDS, ProxyNetwork, SiemOutputs, SyslogTarget, TlsFiles, serve};
use trustline_store::{JobRunRecord, jobs};

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Address to listen on.
    #[arg(long, env = "TRUSTLINE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Start a ready-to-try demo: creates the data directory, a `demo` tenant
    /// and one account per role, and prints fresh passwords for them.
    #[arg(long)]
    demo: bool,
    /// PEM certificate chain; with --tls-key, serve HTTPS.
    #[arg(long, env = "TRUSTLINE_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    #[arg(long, env = "TRUSTLINE_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A load balancer (address or network) whose X-Forwarded-For header is
    /// believed; repeat, or separate with commas in the environment variable.
    #[arg(long = "trusted-proxy", env = "TRUSTLINE_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<ProxyNetwork>,
    /// Let webhooks go to private and local addresses (a CRM on the company
    /// network); by default only public HTTPS destinations are allowed.
    #[arg(long, env = "TRUSTLINE_ALLOW_PRIVATE_WEBHOOKS")]
    allow_private_webhooks: bool,
    /// Let tenants' SIP trunks point at private and local addresses (a
    /// session border controller on the company network); by default only
    /// public DNS names are allowed.
    #[arg(long, env = "TRUSTLINE_ALLOW_PRIVATE_TRUNKS")]
    allow_private_trunks: bool,
    /// Append security events and incidents as JSON lines to this file, for a SIEM.
    #[arg(long, env = "TRUSTLINE_SIEM_FILE")]
    siem_file: Option<PathBuf>,
    /// Also send them to syslog (RFC 5424): udp://host:port, or tcp://host:port with octet counting.
    #[arg(long, env = "TRUSTLINE_SIEM_SYSLOG")]
    siem_syslog: Option<SyslogTarget>,
    /// Seconds between signed audit checkpoints.
    #[arg(long, env = "TRUSTLINE_CHECKPOINT_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    checkpoint_interval: u64,
    /// Seconds between runs of the retention job.
    #[arg(long, env = "TRUSTLINE_RETENTION_INTERVAL", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=604_800))]
    retention_interval: u64,
    /// Write scheduled backups to this directory (enable on one node only).
    #[arg(long, env = "TRUSTLINE_BACKUP_DIR")]
    backup_dir: Option<PathBuf>,
    /// Seconds between scheduled backups.
    #[arg(long, env = "TRUSTLINE_BACKUP_INTERVAL", default_value_t = 86_400, requires = "backup_dir", value_parser = clap::value_parser!(u64).range(60..=2_592_000))]
    backup_interval: u64,
    /// How many scheduled backups to keep; older ones are removed.
    #[arg(long, env = "TRUSTLINE_BACKUP_KEEP", default_value_t = 7, requires = "backup_dir", value_parser = clap::value_parser!(u64).range(1..=10_000))]
    backup_keep: u64,
    #[command(flatten)]
    carriers: CarrierArgs,
    #[command(flatten)]
    desk_relay: DeskRelayArgs,
}

const DEMO_TENANT: &str = "demo";

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let carriers = carriers::plan(&args.carriers, args.demo, args.allow_private_trunks)?;
    let desk_relay = args.desk_relay.relay()?;
    // Nothing changes before the port is ours and the data directory free:
    // a second server must not reset the demo or end sessions of the first.
    let listener = tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("cannot listen on {}", args.listen))?;
    // SQLite is one server's; a demo resets its accounts, whatever the engine.
    let _lock = if args.data.database_url.is_none() || args.demo { Some(args.data.lock_for_server()?) } else { None };
    if args.demo {
        args.data.ensure_key()?;
    }
    let inst = args.data.open().await?;
    let hasher = hasher()?;
    let (demo_accounts, floor, demo_tenant) = if args.demo {
        let (accounts, tenant) = prepare_demo(&inst, &hasher).await?;
        let floor = demo_floor::prepare(&inst, &hasher, &tenant, &args.data.ensure_data_dir()?).await?;
        (accounts, floor, Some(tenant))
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let upload_dir = uploads(&args.data)?;
    let tls = args.tls_cert.zip(args.tls_key).map(|(certificate, key)| TlsFiles { certificate, key });
    let config = AppConfig {
        tls: tls.is_some(),
        trusted_proxies: args.trusted_proxies,
        allow_private_webhooks: args.allow_private_webhooks,
        allow_private_trunks: args.allow_private_trunks,
        sip_tls: carriers.signals_over_tls(),
        retention_interval_seconds: i64::try_from(args.retention_interval).unwrap_or(i64::MAX),
        siem: SiemOutputs { file: args.siem_file.clone(), syslog: args.siem_syslog.clone() },
        upload_dir,
        desk_relay,
        ..AppConfig::default()
    };
    let session_lifetime = config.session.absolute_seconds;
    let throttle = config.throttle;
    let app = App::new(config, inst.store.clone(), Arc::new(SystemClock), inst.keys.clone(), hasher);
    let sip = match carriers::start(carriers, args.demo, &SystemClock).await? {
        Some(carriers) => {
            app.start_engine(carriers.telephony, EngineSettings::default());
            carriers.sip
        }
        None => None,
    };
    if let Some(sip) = &sip {
        tokio::spawn(trunk_sync::keep_serving(sip.clone(), inst.store.clone(), inst.keys.clone()));
        sip.serve_desk_phones(Arc::new(DeskPhoneSignIn(app.sign_in())));
    }
    if let (Some(sip), Some(tenant)) = (&sip, &demo_tenant) {
        // The demo's floor agents answer SIP callers with a recorded greeting.
        for agent in &floor {
            sip.seat_virtual_agent(tenant.id, agent.id);
        }
    }
    app.start_webhooks(Duration::from_secs(1));
    app.start_incident_detection(Duration::from_secs(5), trustline_domain::incidents::Thresholds::default());
    app.start_security_housekeeping(Duration::from_secs(300));
    // The trust center's evidence of encryption in transit.
    let detail = if tls.is_some() { "TLS on".to_owned() } else { format!("plain HTTP on {}", args.listen) };
    let started = JobRunRecord { at: SystemClock.now(), ok: tls.is_some(), detail };
    inst.store.record_job_run(jobs::SERVER_START, None, started).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let address = listener.local_addr()?;
    tokio::spawn(retention_job(inst.store.clone(), Duration::from_secs(args.retention_interval)));
    if let Some(dir) = args.backup_dir {
        let removed = trustline_backup::remove_leftover_staging(&dir)?;
        if removed > 0 {
            tracing::warn!(removed, dir = %dir.display(), "removed what an interrupted backup left");
        }
        let schedule = BackupSchedule { dir, keep: usize::try_from(args.backup_keep).unwrap_or(usize::MAX) };
        tokio::spawn(backup_job(inst.store.clone(), inst.keys.keyring.clone(), schedule, Duration::from_secs(args.backup_interval)));
    }
    tokio::spawn(background_jobs(inst, Duration::from_secs(args.checkpoint_interval), session_lifetime, throttle));
    println!("Trustline is listening on {scheme}://{address}/ ({} storage)", app_engine(&args.data));
    if let Some(softphones) = sip.as_ref().and_then(|sip| sip.softphone_addr()) {
        println!("Agents' softphones (WebRTC) send their audio to UDP {softphones}.");
    }
    if !demo_accounts.is_empty() {
        println!("Demo tenant: {DEMO_TENANT}. Accounts (passwords are new at every start):");
        println!("  {:<11} {:<11} password", "username", "role");
        for (username, role, password) in &demo_accounts {
            println!("  {username:<11} {role:<11} {}", password.as_str());
        }
        println!("Owner, admin and auditor must set up an authenticator app at first sign-in.");
        println!(
            "{} demo agents (floor1..) are working the running campaign {:?} and the inbound queues ({} and {}) over the simulated carrier.",
            floor.len(),
            demo_floor::CAMPAIGN,
            demo_floor::CARE_NUMBER,
            demo_floor::BILLING_NUMBER,
        );
        if let Some(sip) = &sip {
            println!(
                "SIP calls from this machine to {} or {} at sip:{}@{} reach those queues; the floor agents answer with a recorded greeting.",
                demo_floor::CARE_NUMBER,
                demo_floor::BILLING_NUMBER,
                demo_floor::CARE_NUMBER,
                sip.local_addr(),
            );
            if let Some(tls) = sip.tls_addr() {
                println!("SIP over TLS (carriers' trunks, agents' desk phones) on {tls}.");
            }
        }
        demo_floor::start(format!("{scheme}://{address}/"), DEMO_TENANT.into(), floor);
    }
    tokio::select! {
        served = serve(listener, app.router(), tls) => served?,
        () = stop_asked() => app.release_tenants().await,
    }
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM (a service manager stopping the node) or SIGINT (Ctrl-C).
async fn stop_asked() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "SIGTERM cannot be caught; stopping is by Ctrl-C only");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("stopping");
}

/// The private folder uploads wait in, emptied of what a killed server left.
fn uploads(data: &DataArgs) -> anyhow::Result<PathBuf> {
    let dir = data.ensure_data_dir()?.join("uploads");
    crate::config::create_private_dir(&dir)?;
    let removed = trustline_import::remove_leftover_spools(&dir).with_context(|| format!("cannot clean {}", dir.display()))?;
    if removed > 0 {
        tracing::warn!(removed, dir = %dir.display(), "removed sealed uploads a stopped server left (unreadable without its keys)");
    }
    Ok(dir)
}

fn app_engine(data: &DataArgs) -> &'static str {
    if data.database_url.is_some() { "PostgreSQL" } else { "SQLite" }
}

type DemoAccount = (&'static str, &'static str, zeroize::Zeroizing<String>);

/// The demo tenant with one account per role. Passwords are replaced at every
/// start (and printed) so the demo never relies on a published password.
async fn prepare_demo(inst: &Installation, hasher: &PasswordHasher) -> anyhow::Result<(Vec<DemoAccount>, trustline_store::Tenant)> {
    let tenant = match find_tenant(inst, DEMO_TENANT).await {
        Ok(tenant) => tenant,
        Err(_) => create_tenant(inst, DEMO_TENANT, "Demo Contact Center").await?,
    };
    let mut accounts = Vec::new();
    for role in Role::ALL {
        let username = role.as_str();
        let password = random_password();
        match inst.store.user_by_username(tenant.id, username).await? {
            Some(user) => {
                let audit =
                    cli_audit(tenant.id.0, AuditAction::UserPasswordReset, format!("user:{}", user.id)).detail("reason", "demo start");
                inst.store.set_password(tenant.id, user.id, &hasher.hash(&password)?, audit).await?;
            }
            None => {
                let display = format!("Demo {username}");
                create_user(inst, hasher, &tenant, username, &display, role, InitialPassword::Chosen(&password)).await?;
            }
        }
        accounts.push((username, role.as_str(), password));
    }
    Ok((accounts, tenant))
}

/// Applies retention policies; each run is in the audit log with its counts.
async fn retention_job(store: Arc<dyn trustline_store::Store>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match run_retention(store.as_ref(), SystemClock.now()).await {
            Ok(runs) => {
                record(store.as_ref(), jobs::RETENTION, true, format!("{} tenants", runs.len())).await;
                for (tenant, outcome) in runs {
                    match outcome {
                        Some(o) => {
                            tracing::info!(tenant = %tenant.slug, contacts_erased = o.contacts_erased, notes_deleted = o.notes_deleted, "retention applied")
                        }
                        None => tracing::info!(tenant = %tenant.slug, "retention already running on another node"),
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, "retention job failed");
                record(store.as_ref(), jobs::RETENTION, false, error.to_string()).await;
            }
        }
    }
}

/// Scheduled backups; a failure is logged and retried at the next tick.
async fn backup_job(
    store: Arc<dyn trustline_store::Store>,
    keyring: Arc<trustline_crypto::Keyring>,
    schedule: BackupSchedule,
    every: Duration,
) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match schedule.run(store.as_ref(), &keyring, SystemClock.now()).await {
            Ok(run) => {
                tracing::info!(path = %run.created.path.display(), bytes = run.created.bytes, removed = run.removed.len(), "backup written");
                record(store.as_ref(), jobs::BACKUP, true, format!("{} ({} bytes)", run.created.path.display(), run.created.bytes)).await;
            }
            Err(error) => {
                tracing::error!(%error, "scheduled backup failed");
                record(store.as_ref(), jobs::BACKUP, false, error.to_string()).await;
            }
        }
    }
}

/// Signed checkpoints, and removal of sessions past their absolute lifetime,
/// of failed sign-ins that no longer count and of expired idempotency keys.
async fn background_jobs(inst: Installation, every: Duration, session_lifetime: i64, throttle: LoginThrottle) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        let now = SystemClock.now();
        if let Err(error) = write_checkpoints(inst.store.as_ref(), &inst.keys.checkpoint_signer, now).await {
            tracing::error!(%error, "writing audit checkpoints failed");
        }
        if let Err(error) = inst.store.delete_sessions_created_before(now - session_lifetime).await {
            tracing::warn!(%error, "removing old sessions failed");
        }
        if let Err(error) = inst.store.delete_login_failures_before(throttle.window_start(now)).await {
            tracing::warn!(%error, "removing old sign-in failures failed");
        }
        if let Err(error) = inst.store.delete_idempotency_keys_before(now - IDEMPOTENCY_KEY_SECONDS).await {
            tracing::warn!(%error, "removing old idempotency keys failed");
        }
        if let Err(error) = inst.store.forget_node_commands_before(now - NODE_COMMANDS_KEPT_SECONDS).await {
            tracing::warn!(%error, "removing node commands their senders gave up failed");
        }
    }
}
