//! The `trustline` command: wiring only. Every rule lives in the library crates.

mod commands;
mod config;
mod error_text;

use clap::{Parser, Subcommand};
use commands::{audit, backup, bench, import, init, keys, numbers, report, serve, simulate, subject, tenant, user};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "trustline", version, about = "Contact-center platform with built-in, evidenced security controls")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve(Box<serve::ServeArgs>),
    /// Create the data directory, the master key, the first tenant and its owner.
    Init(init::InitArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Import a call list from a CSV file (resumes an interrupted import of the same file).
    Import(import::ImportArgs),
    /// Inbound numbers: assign them to tenants, take them back, list them.
    #[command(subcommand)]
    Numbers(numbers::NumbersCommand),
    /// Tenant lifecycle: end a tenant and delete its data.
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// Data-subject requests: export or erase one person's data.
    #[command(subcommand)]
    Subject(subject::SubjectCommand),
    /// Write or check encrypted backups of the whole database.
    #[command(subcommand)]
    Backup(backup::BackupCommand),
    /// Replace the database with a verified backup, applying later erasures again.
    Restore(backup::RestoreArgs),
    /// Rotate the keys that protect personal data.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Check or export the tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Run a campaign against the simulated carrier under each dialing mode.
    Simulate(simulate::SimulateArgs),
    /// Measure throughput and latency on this machine.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The security controls with their SOC 2 and ISO/IEC 27001 references and live status (exits 1 if any fails).
    Report(report::ReportArgs),
    /// Print the API's OpenAPI 3.1 document (JSON), as served at /api/openapi.json.
    Openapi,
    /// Print the version.
    Version,
}

/// The SIP stack logs whole SIP messages (phone numbers, which are personal
/// data) at every level it has; it is never heard from, whatever
/// TRUSTLINE_LOG says. The edge logs what it needs without them.
const SIP_STACK_SILENT: &str = "rsipstack=off";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRUSTLINE_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter.add_directive(SIP_STACK_SILENT.parse().unwrap_or_default()))
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in a log file or pipe.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(*args).await,
            Command::Init(args) => init::run(args).await,
            Command::User(command) => user::run(command).await,
            Command::Audit(command) => audit::run(command).await,
            Command::Keys(command) => keys::run(command).await,
            Command::Backup(command) => backup::run(command).await,
            Command::Restore(args) => backup::restore(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Subject(command) => subject::run(command).await,
            Command::Numbers(command) => numbers::run(command).await,
            Command::Tenant(command) => tenant::run(command).await,
            Command::Bench(command) => bench::run(command).await,
            Command::Simulate(args) => simulate::run(args),
            Command::Report(args) => report::run(args).await,
            Command::Openapi => {
                println!("{:#}", trustline_server::openapi::document());
                Ok(ExitCode::SUCCESS)
            }
            Command::Version => {
                println!("trustline {}", env!("CARGO_PKG_VERSION"));
                Ok(ExitCode::SUCCESS)
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", error_text::said_once(&error));
            ExitCode::from(2)
        }
    }
}
