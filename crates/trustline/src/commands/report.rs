//! `trustline report`: the security controls with their live status and
//! evidence, as JSON or a standalone HTML page, and the recording of a
//! dependency advisory check as evidence.

use super::accounts::cli_audit;
use super::job_runs::record;
use crate::config::DataArgs;
use anyhow::Context;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use trustline_app::{Policies, SystemClock, evidence_bundle, evidence_period, gather_trust_facts};
use trustline_domain::AuditAction;
use trustline_domain::Clock;
use trustline_store::jobs;
use trustline_trust::assess;
use trustline_vault::Vault;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Json,
    Html,
    /// NIST OSCAL assessment results (JSON).
    Oscal,
    /// Answers to a CAIQ-style security questionnaire (JSON), each with the controls and evidence behind it.
    Questionnaire,
    /// The evidence bundle of a period (zip, needs --from, --to and --out),
    /// verifiable offline with `trustline audit verify --bundle`.
    Bundle,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AdvisoryResult {
    Pass,
    Fail,
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The tenant (its short name); the only tenant when there is one.
    #[arg(long)]
    tenant: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The bundle's first day (UTC), e.g. 2026-07-01.
    #[arg(long, value_parser = day)]
    from: Option<jiff::civil::Date>,
    /// The bundle's last day (UTC), included, e.g. 2026-09-30.
    #[arg(long, value_parser = day)]
    to: Option<jiff::civil::Date>,
    /// Seconds between retention runs on the servers (as given to serve).
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(i64).range(1..=604_800))]
    retention_interval: i64,
    /// Record the result of a dependency advisory check (e.g. scripts/audit-deps) instead of reporting.
    #[arg(long, value_enum, requires = "advisory_detail")]
    record_advisory_check: Option<AdvisoryResult>,
    /// What the advisory check found, for the record.
    #[arg(long)]
    advisory_detail: Option<String>,
}

fn day(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse().map_err(|_| format!("{text:?} is not a day like 2026-09-30"))
}

/// Unix seconds at the start of `day`, UTC.
fn start_of(day: jiff::civil::Date) -> anyhow::Result<i64> {
    Ok(day.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp().as_second())
}

pub async fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let bundle_period = match (args.format, args.from, args.to, &args.out) {
        (Format::Bundle, Some(from), Some(to), Some(_)) => {
            let period = evidence_period(start_of(from)?, start_of(to.tomorrow()?)?);
            Some(period.with_context(|| format!("--from {from} --to {to}"))?)
        }
        (Format::Bundle, ..) => anyhow::bail!("--format bundle needs --from, --to (days, UTC) and --out (a zip file)"),
        (_, None, None, _) => None,
        _ => anyhow::bail!("--from and --to are for --format bundle only"),
    };
    let inst = args.data.open().await?;
    if let Some(result) = args.record_advisory_check {
        let detail = args.advisory_detail.unwrap_or_default();
        record(inst.store.as_ref(), jobs::ADVISORY_CHECK, matches!(result, AdvisoryResult::Pass), detail).await;
        println!("Recorded the advisory check.");
        return Ok(ExitCode::SUCCESS);
    }
    let tenant = inst.tenant(args.tenant.as_deref()).await?;
    let vault = Vault::new(inst.store.clone(), inst.keys.keyring.clone());
    let policies = Policies { retention_interval_seconds: args.retention_interval, ..Policies::default() };
    let facts = gather_trust_facts(&inst.store, &inst.keys, &vault, &policies, &tenant, SystemClock.now()).await?;
    let assessment = assess(&facts);
    if let (Some(period), Some(path)) = (bundle_period, &args.out) {
        let detail = format!("tenant:{}", tenant.id);
        let audit = cli_audit(tenant.id.0, AuditAction::TrustEvidenceExport, detail)
            .detail("from", period.from.to_string())
            .detail("to", period.to.to_string());
        inst.store.append_audit(vec![audit]).await?;
        let bundle = evidence_bundle(inst.store.as_ref(), &inst.keys, tenant.id, &assessment, period, SystemClock.now()).await?;
        std::fs::write(path, bundle).with_context(|| format!("cannot write {}", path.display()))?;
        println!("Wrote the evidence bundle to {}; check it with: trustline audit verify --bundle {}", path.display(), path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format {
        Format::Bundle => anyhow::bail!("--format bundle writes to --out"),
        Format::Json => format!("{:#}\n", serde_json::to_value(&assessment)?),
        Format::Html => trustline_trust::html(&assessment),
        Format::Oscal => format!("{:#}\n", trustline_trust::oscal(&assessment)),
        Format::Questionnaire => format!("{:#}\n", serde_json::to_value(trustline_trust::questionnaire(&assessment))?),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    eprintln!("{} PASS, {} FAIL, {} MANUAL", assessment.passed, assessment.failed, assessment.manual);
    Ok(if assessment.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
