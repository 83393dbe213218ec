use crate::config::DataArgs;
use anyhow::Context;
use clap::Subcommand;
use std::process::ExitCode;
use trustline_app::SystemClock;
use trustline_crypto::{Keyring, MasterKey};
use trustline_domain::Clock;
use trustline_vault::{Vault, rotate_master};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Give tenants a new key version and re-wrap their data keys under it,
    /// while servers keep running; payloads are not re-encrypted. Old
    /// versions are deleted once nothing uses them.
    Rotate {
        #[command(flatten)]
        data: DataArgs,
        /// Only this tenant (default: every tenant).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Replace the master key: re-wraps the installation secret and every
    /// tenant key in one transaction. Restart servers afterwards.
    RotateMaster {
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(command: KeysCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeysCommand::Rotate { data, tenant } => rotate(data, tenant).await,
        KeysCommand::RotateMaster { data } => replace_master(data).await,
    }
}

async fn rotate(data: DataArgs, only: Option<String>) -> anyhow::Result<ExitCode> {
    let inst = data.open().await?;
    let tenants = match only {
        Some(slug) => vec![inst.store.tenant_by_slug(&slug).await?.with_context(|| format!("no tenant {slug:?}"))?],
        None => inst.store.list_tenants().await?.into_iter().filter(|t| t.ended_at.is_none()).collect(),
    };
    let vault = Vault::new(inst.store.clone(), inst.keys.keyring.clone());
    for tenant in tenants {
        let report = vault.rotate_tenant_key(tenant.id, SystemClock.now(), "cli").await?;
        println!(
            "{}: key version {} -> {}; {} data keys re-wrapped; {} old versions retired",
            tenant.slug, report.from_version, report.to_version, report.rewrapped, report.retired
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn replace_master(data: DataArgs) -> anyhow::Result<ExitCode> {
    let inst = data.open().await?;
    let old_master = data.load_key()?;
    let next_path = data.next_key_path();
    if next_path.exists() {
        // Opening succeeded with the current key, so this file never took effect.
        std::fs::remove_file(&next_path).with_context(|| format!("cannot remove the stale {}", next_path.display()))?;
    }
    let new_master = MasterKey::generate();
    // The new key is on disk before the database switches to it: a crash in
    // between leaves a key that opens the database, never the reverse.
    new_master.write_new_file(&next_path).with_context(|| format!("cannot write {}", next_path.display()))?;
    let (old, new) = (Keyring::new(&old_master)?, Keyring::new(&new_master)?);
    let report = rotate_master(&*inst.store, &old, &new, SystemClock.now(), "cli").await?;
    println!("Re-wrapped the installation secret, {} tenant keys and {} index keys.", report.tenant_keys, report.index_keys);
    if data.key_from_environment() {
        println!(
            "The master key comes from the environment: set TRUSTLINE_MASTER_KEY to the contents of {}, then delete that file.",
            next_path.display()
        );
    } else {
        data.promote_next_key()?;
        println!("The new master key is in {}. Back it up and restart every server.", data.key_path().display());
    }
    Ok(ExitCode::SUCCESS)
}
