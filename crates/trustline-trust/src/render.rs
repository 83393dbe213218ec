//! The assessment as a self-contained HTML page (no scripts, no outside
//! resources), and the catalogue as the Markdown of docs/controls.md.

use crate::assessment::Assessment;
use crate::catalogue::{CATALOGUE, Check};
use std::fmt::Write;

fn escape(text: &str) -> String {
    text.chars().fold(String::with_capacity(text.len()), |mut out, c| {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
        out
    })
}

/// `YYYY-MM-DD HH:MM UTC`.
fn when(at: i64) -> String {
    jiff::Timestamp::from_second(at).map_or_else(|_| at.to_string(), |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
}

/// The styles of the controls table and its status words: inline in the
/// standalone report, a stylesheet of the trust center page.
pub const CONTROLS_CSS: &str = "table.controls{border-collapse:collapse;width:100%}\
table.controls th,table.controls td{border:1px solid #d0d7de;padding:.4rem .6rem;text-align:left;vertical-align:top}\
table.controls th{background:#f6f8fa}\
.PASS{color:#116329;font-weight:600}.FAIL{color:#a40e26;font-weight:600}.MANUAL{color:#7d4e00;font-weight:600}\
.refs{font-size:.85em;color:#57606a}";

/// The standalone report's page styles.
const PAGE_CSS: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}";

/// The controls overview as one standalone HTML file, its styles inline
/// (the trust center page serves the same styles as a stylesheet).
pub fn html(assessment: &Assessment) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Trustline security controls: {tenant}</title>\n\
         <style>{PAGE_CSS}{CONTROLS_CSS}</style></head><body>\n\
         <h1>Security controls: {tenant}</h1>\n<p>Checked {at} from the running system: \
         <span class=\"PASS\">{passed} PASS</span>, <span class=\"FAIL\">{failed} FAIL</span>, \
         <span class=\"MANUAL\">{manual} MANUAL</span>.</p>\n{table}</body></html>\n",
        table = controls_table(assessment, None),
        tenant = escape(&assessment.tenant),
        at = when(assessment.checked_at),
        passed = assessment.passed,
        failed = assessment.failed,
        manual = assessment.manual,
    );
    out
}

/// The controls as one HTML table (every text escaped), for the report and
/// the trust center page; with `pages`, each control's id links to
/// `{pages}/{id}`.
pub fn controls_table(assessment: &Assessment, pages: Option<&str>) -> String {
    let mut out = String::from(
        "<table class=\"controls\">\n<thead><tr><th scope=\"col\">Control</th><th scope=\"col\">Status</th><th scope=\"col\">Evidence</th>\
         <th scope=\"col\">SOC 2</th><th scope=\"col\">ISO/IEC 27001:2022</th></tr></thead>\n<tbody>\n",
    );
    for c in &assessment.controls {
        let id = escape(c.id);
        let named = match pages {
            Some(pages) => format!("<a href=\"{pages}/{id}\"><strong>{id}</strong></a>"),
            None => format!("<strong>{id}</strong>"),
        };
        let _ = writeln!(
            out,
            "<tr id=\"{id}\"><td>{named} {title}<br><span class=\"refs\">{protects}</span></td>\
             <td class=\"{status}\">{status}</td><td>{evidence}<br><span class=\"refs\">{how}</span></td>\
             <td class=\"refs\">{soc2}</td><td class=\"refs\">{iso}</td></tr>",
            title = escape(c.title),
            protects = escape(c.protects),
            status = c.status.as_str(),
            evidence = escape(&c.evidence),
            how = escape(c.how),
            soc2 = escape(&c.soc2.join(", ")),
            iso = escape(&c.iso27001.join(", ")),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn method(check: Check) -> &'static str {
    match check {
        Check::Manual => "manual evidence",
        Check::NotTracked => "manual evidence (not yet tracked)",
        _ => "automated",
    }
}

/// docs/controls.md: every control with its references and how it is checked.
pub fn controls_markdown() -> String {
    let mut out = String::from(
        "# Security controls\n\n\
         Generated from the catalogue in `crates/trustline-trust/src/catalogue.rs`\n\
         (a test fails when this file is out of date). `trustline report` and\n\
         `/trust` show each control's live status; automated checks compute it from\n\
         the running system, the others show the evidence attached by hand.\n\n\
         | Id | Control | SOC 2 | ISO/IEC 27001:2022 | Checked | How |\n|---|---|---|---|---|---|\n",
    );
    for c in CATALOGUE {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            c.id,
            c.title,
            c.soc2.join(", "),
            c.iso27001.join(", "),
            method(c.check),
            c.how.replace('|', "\\|")
        );
    }
    let automated = CATALOGUE.iter().filter(|c| method(c.check) == "automated").count();
    let _ = writeln!(out, "\n{} controls, {automated} with automated checks.", CATALOGUE.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(when(1_900_065_600), "2030-03-18 12:00 UTC");
        assert_eq!(when(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    }

    #[test]
    fn docs_controls_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/controls.md");
        let expected = controls_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &expected).unwrap_or_else(|e| panic!("{e}"));
        }
        let found = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(found == expected, "docs/controls.md is out of date: run UPDATE_DOCS=1 cargo test -p trustline-trust");
    }
}
