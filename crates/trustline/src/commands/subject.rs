//! Data-subject requests from the command line, for requests that arrive by
//! letter or phone: find the person by number, e-mail or id, then export or erase.

use crate::config::{DataArgs, Installation};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use trustline_app::SystemClock;
use trustline_audit::AuditDraft;
use trustline_domain::contact::{EmailAddress, ErasureReason};
use trustline_domain::{AuditAction, Clock, ContactId, TenantId};
use trustline_vault::{Vault, subject_label};

#[derive(Args)]
pub struct Subject {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long)]
    tenant: Option<String>,
    /// The contact's id.
    #[arg(long, group = "who")]
    contact: Option<i64>,
    /// A number of the contact, in international form (+44…).
    #[arg(long, group = "who")]
    phone: Option<String>,
    /// The contact's e-mail address (must match exactly one contact).
    #[arg(long, group = "who")]
    email: Option<String>,
}

#[derive(Subcommand)]
pub enum SubjectCommand {
    /// Everything about one person as JSON (GDPR art. 15 and 20).
    Export {
        #[command(flatten)]
        subject: Subject,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erase one person by destroying their data key (GDPR art. 17).
    Erase {
        #[command(flatten)]
        subject: Subject,
        /// request, consent_withdrawn, objection, unlawful or legal_obligation.
        #[arg(long)]
        reason: String,
    },
}

async fn find(inst: &Installation, vault: &Vault, subject: &Subject) -> anyhow::Result<(TenantId, ContactId)> {
    let tenant = inst.tenant(subject.tenant.as_deref()).await?.id;
    let now = SystemClock.now();
    let id = match (&subject.contact, &subject.phone, &subject.email) {
        (Some(id), _, _) => Some(ContactId(*id)),
        (_, Some(phone), _) => {
            let number = trustline_phone::normalise(phone, None).map_err(|e| anyhow::anyhow!("--phone {e}"))?;
            let digest = vault.phone_lookup(tenant, &number.number, now, "cli").await?;
            inst.store.contact_by_phone(tenant, &digest).await?
        }
        (_, _, Some(email)) => {
            let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let digest = vault.email_lookup(tenant, &email, now, "cli").await?;
            match inst.store.contacts_by_email(tenant, &digest).await?.as_slice() {
                [] => None,
                [one] => Some(*one),
                many => bail!("{} contacts have this e-mail address; use --contact with one of {:?}", many.len(), many),
            }
        }
        _ => bail!("say who: --contact, --phone or --email"),
    };
    let id = id.context("no contact matches")?;
    inst.store.contact(tenant, id).await?.with_context(|| format!("no contact {id}"))?;
    Ok((tenant, id))
}

pub async fn run(command: SubjectCommand) -> anyhow::Result<ExitCode> {
    match command {
        SubjectCommand::Export { subject, out } => {
            let inst = subject.data.open().await?;
            let vault = Vault::new(inst.store.clone(), inst.keys.keyring.clone());
            let (tenant, id) = find(&inst, &vault, &subject).await?;
            inst.store
                .append_audit(vec![AuditDraft::new(SystemClock.now(), tenant.0, "cli", AuditAction::SubjectExport, subject_label(id))])
                .await?;
            let export = serde_json::to_string_pretty(&vault.export_subject(tenant, id).await?)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, export).with_context(|| format!("cannot write {}", path.display()))?;
                    println!("Exported contact {id} to {}.", path.display());
                }
                None => println!("{export}"),
            }
        }
        SubjectCommand::Erase { subject, reason } => {
            let reason = ErasureReason::parse_requested(&reason)?;
            let inst = subject.data.open().await?;
            let vault = Vault::new(inst.store.clone(), inst.keys.keyring.clone());
            let (tenant, id) = find(&inst, &vault, &subject).await?;
            let audit = AuditDraft::new(SystemClock.now(), tenant.0, "cli", AuditAction::SubjectErase, subject_label(id))
                .detail("reason", reason.as_str());
            vault.erase_subject(tenant, id, reason, audit).await?;
            println!("Erased contact {id}: its data key is destroyed and the erasure is in the ledger.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
