use super::accounts::{InitialPassword, choose_password, create_tenant, create_user, password_from_stdin};
use crate::config::{DataArgs, hasher};
use clap::Args;
use std::process::ExitCode;
use trustline_domain::Role;

#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Short name of the first tenant, typed at sign-in (e.g. `acme`).
    #[arg(long)]
    tenant: String,
    /// Display name of the tenant.
    #[arg(long, default_value = "")]
    tenant_name: String,
    /// Username of the tenant's owner.
    #[arg(long, default_value = "owner")]
    owner: String,
    /// Read the owner's password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(args: InitArgs) -> anyhow::Result<ExitCode> {
    let created_key = args.data.ensure_key()?;
    let inst = args.data.open().await?;
    let given = if args.password_stdin { Some(password_from_stdin()?) } else { None };
    let (password, generated) = choose_password(given, &[&args.owner, &args.tenant])?;
    let tenant = create_tenant(&inst, &args.tenant, &args.tenant_name).await?;
    let initial = if generated { InitialPassword::OneTime(&password) } else { InitialPassword::Chosen(&password) };
    let owner = create_user(&inst, &*hasher()?, &tenant, &args.owner, "", Role::Owner, initial).await?;
    if created_key {
        println!(
            "Created the master key in {}. Back it up separately from the database: without it the data cannot be read.",
            args.data.data_dir.display()
        );
    }
    println!("Created tenant {:?} with owner {:?}.", tenant.slug, owner.username);
    if generated {
        println!("One-time password for {}: {}", owner.username, password.as_str());
        println!("It is shown only now. Sign in and set up two-factor authentication.");
    }
    Ok(ExitCode::SUCCESS)
}
