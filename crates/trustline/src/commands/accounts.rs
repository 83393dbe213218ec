//! Account steps shared by `init`, `user` and the demo.

use crate::config::Installation;
use anyhow::{Context, bail};
use std::io::Read;
use trustline_app::SystemClock;
use trustline_audit::AuditDraft;
use trustline_crypto::{PasswordHasher, random_password};
use trustline_domain::{AuditAction, Clock, PasswordPolicy, Role, TenantSlug, Username};
use trustline_store::{NewUser, Tenant, User};
use zeroize::Zeroizing;

/// An audit event for an action taken at the command line on this machine.
pub fn cli_audit(tenant: i64, action: AuditAction, target: impl Into<String>) -> AuditDraft {
    AuditDraft::new(SystemClock.now(), tenant, "cli", action, target).source("local")
}

/// A password piped on standard input (first line), never a flag: flags end
/// up in shell history and process listings.
pub fn password_from_stdin() -> anyhow::Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut text).context("cannot read the password from standard input")?;
    Ok(Zeroizing::new(text.lines().next().unwrap_or_default().to_owned()))
}

/// The given password after the policy check, or a generated one.
/// Returns the password and whether it was generated (and must be shown).
pub fn choose_password(given: Option<Zeroizing<String>>, context: &[&str]) -> anyhow::Result<(Zeroizing<String>, bool)> {
    match given {
        Some(password) => {
            PasswordPolicy::default().check(&password, context).context("password refused")?;
            Ok((password, false))
        }
        None => Ok((random_password(), true)),
    }
}

pub async fn find_tenant(inst: &Installation, slug: &str) -> anyhow::Result<Tenant> {
    let slug = TenantSlug::parse(slug)?;
    inst.store.tenant_by_slug(slug.as_str()).await?.with_context(|| format!("no tenant named {:?}", slug.as_str()))
}

pub async fn find_user(inst: &Installation, tenant: &Tenant, username: &str) -> anyhow::Result<User> {
    let username = Username::parse(username)?;
    inst.store
        .user_by_username(tenant.id, username.as_str())
        .await?
        .with_context(|| format!("no user {:?} in tenant {:?}", username.as_str(), tenant.slug))
}

pub async fn create_tenant(inst: &Installation, slug: &str, name: &str) -> anyhow::Result<Tenant> {
    let slug = TenantSlug::parse(slug)?;
    if inst.store.tenant_by_slug(slug.as_str()).await?.is_some() {
        bail!("tenant {:?} already exists", slug.as_str());
    }
    let name = if name.trim().is_empty() { slug.as_str() } else { name.trim() };
    Ok(inst.store.create_tenant(slug.as_str(), name, cli_audit(0, AuditAction::TenantCreate, "tenant")).await?)
}

/// An account's first password: chosen by the person, or a one-time
/// password they must replace at their first sign-in.
pub enum InitialPassword<'a> {
    Chosen(&'a str),
    OneTime(&'a str),
}

pub async fn create_user(
    inst: &Installation,
    hasher: &PasswordHasher,
    tenant: &Tenant,
    username: &str,
    display_name: &str,
    role: Role,
    password: InitialPassword<'_>,
) -> anyhow::Result<User> {
    let username = Username::parse(username)?;
    let display_name = if display_name.trim().is_empty() { username.as_str() } else { display_name.trim() };
    let (text, password_must_change) = match password {
        InitialPassword::Chosen(text) => (text, false),
        InitialPassword::OneTime(text) => (text, true),
    };
    let password_hash = hasher.hash(text)?;
    let new = NewUser {
        tenant_id: tenant.id,
        username: username.as_str().to_owned(),
        display_name: display_name.to_owned(),
        role,
        password_hash,
        created_at: SystemClock.now(),
        password_must_change,
    };
    let audit = cli_audit(tenant.id.0, AuditAction::UserCreate, "user").detail("role", role.as_str());
    Ok(inst.store.create_user(new, audit).await?)
}
