use crate::config::DataArgs;
use anyhow::Context;
use clap::Args;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use trustline_app::SystemClock;
use trustline_domain::CsvWriter;
use trustline_import::{ImportError, ImportRequest, ImportSource, run_import};
use trustline_phone::{DefaultRegion, PhoneRules};
use trustline_vault::Vault;

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The CSV file (UTF-8, header row first).
    file: PathBuf,
    /// The call list to import into (created if new).
    #[arg(long)]
    list: String,
    /// The tenant (may be left out when there is only one).
    #[arg(long)]
    tenant: Option<String>,
    #[arg(long = "map", value_name = "COLUMN=FIELD", help = map_help())]
    map: Vec<String>,
    /// Country assumed for numbers written without +country code (e.g. GB).
    #[arg(long)]
    region: Option<String>,
    /// Write the rejected rows (line, field, reason) to this CSV file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Rows per committed chunk: an interrupted import resumes at a chunk boundary.
    #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..=200_000))]
    chunk_rows: u32,
}

fn map_help() -> String {
    format!("Map a column to a field: `--map Mobile=phone --map Notes=ignore`. Fields: {}", trustline_import::FIELDS)
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let default_region = args.region.as_deref().map(|r| DefaultRegion::parse(&r.trim().to_ascii_uppercase())).transpose()?;
    let inst = args.data.open().await?;
    let tenant = inst.tenant(args.tenant.as_deref()).await?;
    let vault = Vault::new(inst.store.clone(), inst.keys.keyring.clone());
    let request = ImportRequest {
        tenant: tenant.id,
        list: args.list.clone(),
        source: ImportSource::File(args.file.clone()),
        file_name: args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        overrides: args.map.clone(),
        phone_rules: PhoneRules { default_region },
        actor: "cli".into(),
        chunk_rows: usize::try_from(args.chunk_rows)?,
    };
    let imported = run_import(&vault, &SystemClock, request, |progress| {
        let c = progress.counts;
        eprintln!(
            "line {}: {} new, {} existing, {} duplicates, {} suppressed, {} rejected",
            progress.line, c.accepted, c.linked, c.duplicates, c.suppressed, c.rejected
        );
    })
    .await;
    // On the command line, columns are mapped with --map.
    let record = match imported {
        Err(error @ (ImportError::Mapping(_) | ImportError::MappingChanged)) => anyhow::bail!("{error}\n{}", map_help()),
        other => other?,
    };
    let c = record.counts;
    println!(
        "Imported {} into list {:?}: {} new contacts, {} existing contacts added, {} duplicates, {} suppressed (do not contact), {} rows rejected.",
        args.file.display(),
        args.list,
        c.accepted,
        c.linked,
        c.duplicates,
        c.suppressed,
        c.rejected
    );
    // Every rejected row once: tallied by reason, and written to the report.
    let mut report = match &args.report {
        Some(path) => {
            Some(std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?))
        }
        None => None,
    };
    let mut csv = CsvWriter::with_header(&trustline_import::REPORT_COLUMNS);
    let mut reasons: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = if c.rejected > 0 { inst.store.import_rejections(tenant.id, record.id, after, 1000).await? } else { Vec::new() };
        let Some(last) = page.last() else { break };
        after = last.line;
        for r in &page {
            *reasons.entry((r.field.clone(), r.reason.clone())).or_default() += 1;
            trustline_import::write_rejection(&mut csv, r);
        }
        if let Some(out) = report.as_mut() {
            out.write_all(csv.take().as_bytes())?;
        }
    }
    for ((field, reason), count) in &reasons {
        println!("  {count} rejected ({field}): {reason}");
    }
    if let Some(out) = report.as_mut() {
        out.write_all(csv.finish().as_bytes())?;
        out.flush()?;
    }
    match (&args.report, c.rejected) {
        (_, 0) => {}
        (Some(path), _) => println!("Rejected rows are listed in {}.", path.display()),
        (None, _) => println!(
            "To list the rejected rows by line, import again with --report rejected.csv (rows already imported then count as duplicates; nothing is added twice)."
        ),
    }
    Ok(if c.rejected > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
