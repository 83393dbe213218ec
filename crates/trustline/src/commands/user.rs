use super::accounts::{InitialPassword, choose_password, cli_audit, create_user, find_tenant, find_user, password_from_stdin};
use crate::config::{DataArgs, hasher};
use clap::{Args, Subcommand};
use std::process::ExitCode;
use trustline_domain::AuditAction;
use trustline_domain::Role;

#[derive(Args)]
pub struct Target {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long)]
    tenant: String,
    #[arg(long)]
    username: String,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account; prints a one-time password unless --password-stdin.
    Add {
        #[command(flatten)]
        target: Target,
        /// owner, admin, supervisor, agent or auditor.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts of a tenant.
    List {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        tenant: String,
    },
    /// Disable an account, ending its sessions and revoking its API tokens.
    Disable {
        #[command(flatten)]
        target: Target,
    },
    /// Remove an account's authenticator so it can enrol again.
    ResetMfa {
        #[command(flatten)]
        target: Target,
    },
}

pub async fn run(command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add { target, role, display_name, password_stdin } => {
            let role = Role::parse(&role)?;
            let inst = target.data.open().await?;
            let tenant = find_tenant(&inst, &target.tenant).await?;
            let given = if password_stdin { Some(password_from_stdin()?) } else { None };
            let (password, generated) = choose_password(given, &[&target.username, &display_name, &tenant.slug])?;
            let initial = if generated { InitialPassword::OneTime(&password) } else { InitialPassword::Chosen(&password) };
            let user = create_user(&inst, &*hasher()?, &tenant, &target.username, &display_name, role, initial).await?;
            println!("Created {} ({}) in {}.", user.username, role.as_str(), tenant.slug);
            if generated {
                println!("One-time password: {}", password.as_str());
            }
        }
        UserCommand::List { data, tenant } => {
            let inst = data.open().await?;
            let tenant = find_tenant(&inst, &tenant).await?;
            let users = inst.store.list_users(tenant.id).await?;
            inst.store
                .append_audit(vec![
                    cli_audit(tenant.id.0, AuditAction::UserList, format!("tenant:{}", tenant.id)).detail("count", users.len().to_string()),
                ])
                .await?;
            println!("{:<6} {:<24} {:<11} {:<5} {:<8} display name", "id", "username", "role", "mfa", "status");
            for u in users {
                let status = if u.disabled { "disabled" } else { "active" };
                let mfa = if u.has_mfa() { "on" } else { "off" };
                println!("{:<6} {:<24} {:<11} {:<5} {:<8} {}", u.id, u.username, u.role.as_str(), mfa, status, u.display_name);
            }
        }
        UserCommand::Disable { target } => {
            let inst = target.data.open().await?;
            let tenant = find_tenant(&inst, &target.tenant).await?;
            let user = find_user(&inst, &tenant, &target.username).await?;
            inst.store
                .set_user_disabled(tenant.id, user.id, true, cli_audit(tenant.id.0, AuditAction::UserDisable, format!("user:{}", user.id)))
                .await?;
            println!("Disabled {} and ended their sessions.", user.username);
        }
        UserCommand::ResetMfa { target } => {
            let inst = target.data.open().await?;
            let tenant = find_tenant(&inst, &target.tenant).await?;
            let user = find_user(&inst, &tenant, &target.username).await?;
            inst.store
                .reset_mfa(tenant.id, user.id, cli_audit(tenant.id.0, AuditAction::UserResetMfa, format!("user:{}", user.id)))
                .await?;
            println!("Removed the authenticator of {}; they will enrol again at next sign-in.", user.username);
        }
    }
    Ok(ExitCode::SUCCESS)
}
