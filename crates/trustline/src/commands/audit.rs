use super::accounts::{cli_audit, find_tenant};
use crate::config::DataArgs;
use anyhow::Context;
use clap::Subcommand;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use trustline_app::verify_tenant;
use trustline_domain::AuditAction;
use trustline_store::Tenant;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every tenant's chain, seals, head and signed checkpoints, and
    /// print the signing key; or, with --bundle, check an evidence bundle
    /// offline. Exits 1 and says what is wrong if anything was tampered with.
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// Only this tenant.
        #[arg(long, conflicts_with = "bundle")]
        tenant: Option<String>,
        /// An evidence bundle (from `trustline report --format bundle` or
        /// GET /api/trust/evidence), checked without the installation.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// The installation's audit signing key (hex) the bundle must be signed with.
        #[arg(long, requires = "bundle")]
        public_key: Option<String>,
    },
    /// Write a tenant's audit log as JSON lines, with its checkpoints and the
    /// public key that verifies them.
    Export {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        tenant: String,
        /// File to write; standard output when absent.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { bundle: Some(bundle), public_key, .. } => verify_bundle(&bundle, public_key.as_deref()),
        AuditCommand::Verify { data, tenant, .. } => verify(data, tenant).await,
        AuditCommand::Export { data, tenant, output } => export(data, tenant, output).await,
    }
}

async fn verify(data: DataArgs, tenant: Option<String>) -> anyhow::Result<ExitCode> {
    let inst = data.open().await?;
    let tenants: Vec<Tenant> = match tenant {
        Some(slug) => vec![find_tenant(&inst, &slug).await?],
        None => inst.store.list_tenants().await?,
    };
    let public_key = inst.keys.checkpoint_signer.public_key();
    println!("signing key: {}", trustline_crypto::hex(&public_key));
    let mut broken = false;
    for tenant in tenants {
        match verify_tenant(&inst.store, &inst.keys.chain, &public_key, tenant.id).await? {
            Ok(chain) => println!("tenant {}: intact, {} events, {} signed checkpoints", tenant.slug, chain.events, chain.checkpoints),
            Err(link) => {
                broken = true;
                println!("tenant {}: BROKEN at event {}: {}", tenant.slug, link.seq, link.kind);
            }
        }
    }
    Ok(if broken { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Checks an evidence bundle with nothing but its bytes and, if given, the
/// expected signing key.
fn verify_bundle(path: &std::path::Path, public_key: Option<&str>) -> anyhow::Result<ExitCode> {
    let expected = match public_key {
        Some(text) => Some(
            trustline_crypto::hex_decode(text.trim())
                .filter(|key| key.len() == 32)
                .context("--public-key must be the 64 hex digits of an Ed25519 public key")?,
        ),
        None => None,
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    match trustline_evidence::verify_bundle(&bytes, expected.as_deref()) {
        Ok(bundle) => {
            let m = &bundle.manifest;
            println!("bundle {}: intact", path.display());
            println!("  tenant {} ({}), period {} to {}, generated {}", m.tenant, m.tenant_id, m.period_from, m.period_to, m.generated_at);
            println!("  {} files match the signed manifest", bundle.files);
            println!(
                "  audit events {}..={} ({}) link up and match {} signed checkpoints",
                m.first_seq, m.last_seq, bundle.events, bundle.checkpoints
            );
            println!("  controls: {} PASS, {} FAIL, {} MANUAL", bundle.passed, bundle.failed, bundle.manual);
            if expected.is_some() {
                println!("  signed with the expected key {}", m.signing_key);
            } else {
                println!("  signed with key {}: compare it with the installation's (trustline audit verify prints it)", m.signing_key);
            }
            println!("  event seals need the master key: `trustline audit verify` on the installation checks them");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            println!("bundle {}: NOT VALID: {error}", path.display());
            Ok(ExitCode::from(1))
        }
    }
}

async fn export(data: DataArgs, tenant: String, output: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let inst = data.open().await?;
    let tenant = find_tenant(&inst, &tenant).await?;
    inst.store.append_audit(vec![cli_audit(tenant.id.0, AuditAction::AuditExport, format!("tenant:{}", tenant.id))]).await?;
    let mut out: Box<dyn Write> = match &output {
        Some(path) => {
            Box::new(std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let header = json!({
        "type": "header",
        "tenant": tenant.slug,
        "tenant_id": tenant.id,
        "checkpoint_public_key": trustline_crypto::hex(&inst.keys.checkpoint_signer.public_key()),
        "format": "trustline-audit-v1",
    });
    writeln!(out, "{header}")?;
    let mut after = 0;
    loop {
        let page = inst.store.audit_events(tenant.id, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.body.seq;
        for event in &page {
            writeln!(out, "{}", tagged("event", event)?)?;
        }
    }
    for checkpoint in inst.store.checkpoints(tenant.id).await? {
        writeln!(out, "{}", tagged("checkpoint", &checkpoint)?)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One export line: the record's fields plus `"type"`.
fn tagged(kind: &str, record: &impl serde::Serialize) -> anyhow::Result<serde_json::Value> {
    let mut line = serde_json::to_value(record)?;
    if let Some(fields) = line.as_object_mut() {
        fields.insert("type".into(), json!(kind));
    }
    Ok(line)
}
