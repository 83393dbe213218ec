//! Inbound numbers as installation inventory: the operator assigns each
//! number to one tenant, whose queues can then answer it.

use super::accounts::{cli_audit, find_tenant};
use crate::config::DataArgs;
use anyhow::Context;
use clap::Subcommand;
use std::process::ExitCode;
use trustline_app::SystemClock;
use trustline_domain::AuditAction;
use trustline_domain::Clock;
use trustline_domain::contact::E164;
use trustline_store::StoreError;

#[derive(Subcommand)]
pub enum NumbersCommand {
    /// Assign an inbound number (E.164, e.g. +442079460999) to a tenant.
    Add {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        tenant: String,
        number: String,
    },
    /// Take a number back from a tenant (none of its queues may answer it).
    Remove {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        tenant: String,
        number: String,
    },
    /// A tenant's numbers and the queue answering each.
    List {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        tenant: String,
    },
}

fn parse(number: &str) -> anyhow::Result<E164> {
    E164::parse(number.trim()).map_err(|_| anyhow::anyhow!("{number:?} is not a number in E.164 form, e.g. +442079460999"))
}

pub async fn run(command: NumbersCommand) -> anyhow::Result<ExitCode> {
    match command {
        NumbersCommand::Add { data, tenant, number } => {
            let number = parse(&number)?;
            let inst = data.open().await?;
            let tenant = find_tenant(&inst, &tenant).await?;
            let audit = cli_audit(tenant.id.0, AuditAction::NumberAssign, format!("number:{}", number.as_str()));
            match inst.store.assign_number(tenant.id, number.as_str(), SystemClock.now(), audit).await {
                Err(StoreError::Conflict(_)) => {
                    anyhow::bail!("{} is already assigned to a tenant (see `trustline numbers list`)", number.as_str())
                }
                other => other.context("cannot assign the number")?,
            }
            println!("{} is assigned to {}; its queues can now answer it.", number.as_str(), tenant.slug);
        }
        NumbersCommand::Remove { data, tenant, number } => {
            let number = parse(&number)?;
            let inst = data.open().await?;
            let tenant = find_tenant(&inst, &tenant).await?;
            let audit = cli_audit(tenant.id.0, AuditAction::NumberRelease, format!("number:{}", number.as_str()));
            match inst.store.release_number(tenant.id, number.as_str(), audit).await {
                Err(StoreError::NotFound) => anyhow::bail!("{} is not assigned to {}", number.as_str(), tenant.slug),
                Err(StoreError::NumberInUse) => {
                    anyhow::bail!("a queue of {} answers {}; give the queue another number first", tenant.slug, number.as_str())
                }
                other => other.context("cannot take the number back")?,
            }
            println!("{} is no longer assigned to {}.", number.as_str(), tenant.slug);
        }
        NumbersCommand::List { data, tenant } => {
            let inst = data.open().await?;
            let tenant = find_tenant(&inst, &tenant).await?;
            for number in inst.store.inbound_numbers(tenant.id).await? {
                println!("{}\t{}", number.number, number.queue.as_deref().unwrap_or("(no queue)"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
