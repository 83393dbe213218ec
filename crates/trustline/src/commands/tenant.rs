use crate::config::DataArgs;
use anyhow::{Context, bail};
use clap::Subcommand;
use std::process::ExitCode;
use trustline_app::{SystemClock, end_tenant};
use trustline_domain::Clock;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// End a tenant for good (the customer relationship ended): destroy its
    /// keys, delete all its data and accounts, and record a signed deletion
    /// certificate in its audit log. Cannot be undone.
    End {
        #[command(flatten)]
        data: DataArgs,
        /// The tenant to end.
        slug: String,
        /// The same tenant name again, to confirm.
        #[arg(long)]
        confirm: String,
    },
}

pub async fn run(command: TenantCommand) -> anyhow::Result<ExitCode> {
    let TenantCommand::End { data, slug, confirm } = command;
    if confirm != slug {
        bail!("--confirm must repeat the tenant name ({slug:?}) exactly");
    }
    let inst = data.open().await?;
    let tenant = inst.store.tenant_by_slug(&slug).await?.with_context(|| format!("no tenant {slug:?}"))?;
    if let Some(at) = tenant.ended_at {
        bail!("tenant {slug:?} already ended (at {at})");
    }
    let certificate = end_tenant(inst.store.as_ref(), &inst.keys, &tenant, SystemClock.now(), "cli").await?;
    println!("Tenant {slug:?} ended. Deletion certificate (also in its audit log):");
    println!("{}", certificate.statement);
    println!("signature (Ed25519): {}", certificate.signature);
    println!("public key:          {}", certificate.public_key);
    Ok(ExitCode::SUCCESS)
}
