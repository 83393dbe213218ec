use super::job_runs::record;
use crate::config::DataArgs;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use trustline_app::{SystemClock, unlock_as};
use trustline_backup::{BackupSchedule, LEDGER_FILE, open_archive, read_ledger, restore_backup};
use trustline_crypto::Keyring;
use trustline_domain::Clock;
use trustline_store::{InstallationRecord, jobs};

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Write an encrypted, integrity-checked backup of the whole database
    /// while servers keep running.
    Create {
        #[command(flatten)]
        data: DataArgs,
        /// The backup file to write (never overwritten).
        #[arg(long, required_unless_present = "dir", conflicts_with = "dir")]
        out: Option<PathBuf>,
        /// Or: a directory of backups; adds a timestamped file, keeps the
        /// newest --keep and refreshes the erasure ledger beside them.
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 7, requires = "dir", value_parser = clap::value_parser!(u64).range(1..=10_000))]
        keep: u64,
    },
    /// Check a backup file end to end without restoring it.
    Verify {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
    },
}

#[derive(Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The backup file. It is verified completely before anything is written.
    file: PathBuf,
    /// Erasure-ledger files whose entries are applied again (default: the
    /// ledger beside the backup file, if there is one).
    #[arg(long)]
    ledger: Vec<PathBuf>,
    /// Confirms that the whole database is replaced by the backup.
    #[arg(long)]
    confirm: bool,
}

pub async fn run(command: BackupCommand) -> anyhow::Result<ExitCode> {
    match command {
        BackupCommand::Create { data, out, dir, keep } => create(data, out, dir, keep).await,
        BackupCommand::Verify { data, file } => {
            let verified = verify(&data, &file);
            // Kept as trust-center evidence when this machine holds the installation.
            if let Ok(inst) = data.open().await {
                let detail = match &verified {
                    Ok(_) => format!("{} read back in full", file.display()),
                    Err(error) => format!("{}: {error:#}", file.display()),
                };
                record(inst.store.as_ref(), jobs::BACKUP_VERIFICATION, verified.is_ok(), detail).await;
            }
            verified
        }
    }
}

async fn create(data: DataArgs, out: Option<PathBuf>, dir: Option<PathBuf>, keep: u64) -> anyhow::Result<ExitCode> {
    let inst = data.open().await?;
    let written = write(&inst, out, dir, keep).await;
    let detail = match &written {
        Ok(summary) => format!("{} ({} bytes)", summary.path.display(), summary.bytes),
        Err(error) => format!("{error:#}"),
    };
    record(inst.store.as_ref(), jobs::BACKUP, written.is_ok(), detail).await;
    let summary = written?;
    println!("Wrote {} ({} bytes, {}, backup {}).", summary.path.display(), summary.bytes, summary.engine, summary.backup_id);
    println!("It opens only with the current master key: keep that key as long as the backup.");
    Ok(ExitCode::SUCCESS)
}

async fn write(
    inst: &crate::config::Installation,
    out: Option<PathBuf>,
    dir: Option<PathBuf>,
    keep: u64,
) -> anyhow::Result<trustline_backup::BackupSummary> {
    let now = SystemClock.now();
    Ok(match (out, dir) {
        (Some(out), _) => trustline_backup::create_backup(inst.store.as_ref(), &inst.keys.keyring, now, &out, "cli").await?,
        (None, Some(dir)) => {
            let schedule = BackupSchedule { dir, keep: usize::try_from(keep).unwrap_or(usize::MAX) };
            let run = schedule.run(inst.store.as_ref(), &inst.keys.keyring, now).await?;
            for old in &run.removed {
                println!("Removed the older backup {}", old.display());
            }
            run.created
        }
        (None, None) => bail!("say where to write the backup with --out FILE or --dir DIR"),
    })
}

fn keyring(data: &DataArgs) -> anyhow::Result<(trustline_crypto::MasterKey, Keyring)> {
    let master = data.load_key()?;
    let keyring = Keyring::new(&master).context("cannot set up the keys")?;
    Ok((master, keyring))
}

fn verify(data: &DataArgs, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let (_, keyring) = keyring(data)?;
    let staging = data.ensure_data_dir()?;
    let archive = open_archive(file, &keyring, &staging)?;
    let header = &archive.header;
    println!(
        "{}: {} of {} (schema {}), taken at {} (Unix time), {} bytes in {} files; every chunk is intact.",
        file.display(),
        header.kind.describe(),
        header.manifest.engine,
        header.manifest.schema_version,
        header.created_at,
        header.payload_bytes(),
        header.manifest.files.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    if !args.confirm {
        bail!("restore replaces the whole database with the backup; run again with --confirm (stop the servers first)");
    }
    let (master, keyring) = keyring(&args.data)?;
    let staging = args.data.ensure_data_dir()?;
    let archive = open_archive(&args.file, &keyring, &staging)?;
    let mut ledger_files = args.ledger.clone();
    if ledger_files.is_empty() {
        let beside = args.file.parent().unwrap_or(std::path::Path::new(".")).join(LEDGER_FILE);
        if beside.exists() {
            ledger_files.push(beside);
        }
    }
    let mut ledger = Vec::new();
    for path in &ledger_files {
        ledger.extend(read_ledger(path, &keyring, &staging)?);
        println!("Erasure ledger {} checked.", path.display());
    }
    let wrapped_secret = archive.header.installation_secret().context("the backup header is not valid")?;
    let adopted = InstallationRecord { wrapped_secret, master_fingerprint: keyring.fingerprint() };
    let (store, _) = unlock_as(args.data.database().await?, &master, adopted).await?;
    let outcome = restore_backup(store.as_ref(), &archive, ledger, SystemClock.now(), "cli").await?;
    println!(
        "Restored {} (backup {}, taken at {}). Erasures applied again: {}. Tenants ended again: {}.",
        args.file.display(),
        archive.header.backup_id,
        archive.header.created_at,
        outcome.erasures_reapplied,
        outcome.tenants_ended_again.len()
    );
    if !outcome.replaced_heads.is_empty() {
        let heads = outcome.replaced_heads.iter().map(|(t, s)| format!("tenant {t} at {s}")).collect::<Vec<_>>().join(", ");
        println!("The audit log was rolled back from {heads}; the restore event records this.");
    }
    Ok(ExitCode::SUCCESS)
}
