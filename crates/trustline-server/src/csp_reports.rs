//! Content Security Policy violation reports from browsers.
//!
//! Every page forbids inline script and style; a violation means a page is
//! broken or something is being injected. Browsers post reports here (the
//! `report-uri` form and the Reporting API form). A report sent by a
//! signed-in browser belongs to that person's tenant: it is logged and the
//! tenant's newest are kept in memory on this node for its administrators
//! (`GET /api/csp-reports`), never shown to another tenant. An anonymous
//! report (the sign-in page) goes to the service log only, at most
//! [`ANONYMOUS_PER_MINUTE`] per address a minute. They are not audit
//! events: anyone can send one.

use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use trustline_domain::{TenantId, UnixTime};

/// How many reports a node keeps for each tenant.
const KEPT: usize = 200;
/// How many anonymous reports one address may have logged a minute.
pub const ANONYMOUS_PER_MINUTE: u32 = 10;
/// How many addresses the anonymous limit remembers within a minute; past
/// that, anonymous reports are not logged until the minute is over.
const ADDRESSES_REMEMBERED: usize = 10_000;
/// Longest text kept from any field of a report.
const FIELD_CHARS: usize = 300;

/// One violation, as the browser described it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CspViolation {
    pub received_at: UnixTime,
    /// The page, without its query string.
    pub document: String,
    /// What was blocked: a URL, `inline` or `eval`.
    pub blocked: String,
    pub directive: String,
    /// The start of the blocked code, when the browser sends one.
    pub sample: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CspReportError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the body is neither a {{\"csp-report\": …}} object nor a list of reports")]
    Shape,
}

fn field(object: &Value, names: &[&str]) -> String {
    let text = names.iter().find_map(|name| object.get(*name).and_then(Value::as_str)).unwrap_or_default();
    text.chars().filter(|c| !c.is_control()).take(FIELD_CHARS).collect()
}

fn without_query(url: String) -> String {
    match url.split_once(['?', '#']) {
        Some((page, _)) => page.to_owned(),
        None => url,
    }
}

fn violation(body: &Value, at: UnixTime) -> CspViolation {
    CspViolation {
        received_at: at,
        document: without_query(field(body, &["document-uri", "documentURL"])),
        blocked: without_query(field(body, &["blocked-uri", "blockedURL"])),
        directive: field(body, &["effective-directive", "effectiveDirective", "violated-directive"]),
        sample: field(body, &["script-sample", "sample"]),
    }
}

/// The violations in a report body of either form; other report types in
/// a Reporting API list are ignored.
pub fn violations_of(body: &[u8], at: UnixTime) -> Result<Vec<CspViolation>, CspReportError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| CspReportError::NotJson(e.to_string()))?;
    if let Some(report) = value.get("csp-report").filter(|r| r.is_object()) {
        return Ok(vec![violation(report, at)]);
    }
    let list = value.as_array().ok_or(CspReportError::Shape)?;
    Ok(list
        .iter()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("csp-violation"))
        .filter_map(|r| r.get("body").filter(|b| b.is_object()))
        .map(|b| violation(b, at))
        .collect())
}

/// The newest reports received by this node, per tenant, and the anonymous
/// reports' rate limit.
#[derive(Default)]
pub(crate) struct CspReports {
    kept: Mutex<HashMap<TenantId, VecDeque<CspViolation>>>,
    /// The current minute, and how many anonymous reports each address sent in it.
    anonymous: Mutex<(UnixTime, HashMap<String, u32>)>,
}

fn log(violation: &CspViolation, tenant: Option<TenantId>, source: &str) {
    tracing::warn!(
        tenant = tenant.map(|t| t.0),
        source,
        document = violation.document,
        blocked = violation.blocked,
        directive = violation.directive,
        "content security policy violation reported"
    );
}

impl CspReports {
    /// Keeps and logs a signed-in browser's reports under its tenant.
    pub fn add(&self, tenant: TenantId, source: &str, violations: Vec<CspViolation>) {
        let Ok(mut kept) = self.kept.lock() else { return };
        let theirs = kept.entry(tenant).or_default();
        for violation in violations {
            log(&violation, Some(tenant), source);
            if theirs.len() == KEPT {
                theirs.pop_front();
            }
            theirs.push_back(violation);
        }
    }

    /// Logs an anonymous browser's reports; false when `source` is over its
    /// limit (nothing is logged then).
    pub fn add_anonymous(&self, source: &str, violations: &[CspViolation], now: UnixTime) -> bool {
        let Ok(mut anonymous) = self.anonymous.lock() else { return false };
        let (minute, counts) = &mut *anonymous;
        if *minute != now / 60 {
            *minute = now / 60;
            counts.clear();
        }
        if !counts.contains_key(source) && counts.len() >= ADDRESSES_REMEMBERED {
            return false;
        }
        let count = counts.entry(source.to_owned()).or_default();
        let reports = u32::try_from(violations.len()).unwrap_or(u32::MAX).max(1);
        if count.saturating_add(reports) > ANONYMOUS_PER_MINUTE {
            return false;
        }
        *count += reports;
        violations.iter().for_each(|v| log(v, None, source));
        true
    }

    pub fn newest_first(&self, tenant: TenantId) -> Vec<CspViolation> {
        self.kept.lock().map(|kept| kept.get(&tenant).map(|t| t.iter().rev().cloned().collect()).unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_report_forms_are_read() {
        let classic = br#"{"csp-report":{"document-uri":"https://x.example/agent?contact=9","blocked-uri":"inline","violated-directive":"script-src-elem","script-sample":"alert(1)"}}"#;
        let found = violations_of(classic, 5).unwrap();
        assert_eq!(
            found,
            [CspViolation {
                received_at: 5,
                document: "https://x.example/agent".into(),
                blocked: "inline".into(),
                directive: "script-src-elem".into(),
                sample: "alert(1)".into(),
            }]
        );
        let modern = br#"[{"type":"csp-violation","url":"https://x.example/","body":{"documentURL":"https://x.example/","blockedURL":"https://evil.example/x.js?k=1","effectiveDirective":"script-src-elem"}},{"type":"deprecation","body":{}}]"#;
        let found = violations_of(modern, 6).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].blocked.as_str(), found[0].directive.as_str()), ("https://evil.example/x.js", "script-src-elem"));
    }

    #[test]
    fn other_bodies_are_refused_and_fields_are_bounded() {
        assert!(matches!(violations_of(b"not json", 0), Err(CspReportError::NotJson(_))));
        assert_eq!(violations_of(b"{\"x\":1}", 0), Err(CspReportError::Shape));
        let long = format!(r#"{{"csp-report":{{"script-sample":"{}\u0007"}}}}"#, "a".repeat(5_000));
        let found = violations_of(long.as_bytes(), 0).unwrap();
        assert_eq!(found[0].sample.len(), FIELD_CHARS);
        let reports = CspReports::default();
        for i in 0..(KEPT + 5) {
            reports.add(TenantId(1), "s", vec![CspViolation { received_at: i as i64, ..found[0].clone() }]);
        }
        assert!(reports.newest_first(TenantId(2)).is_empty(), "another tenant sees none");
        let kept = reports.newest_first(TenantId(1));
        assert_eq!((kept.len(), kept[0].received_at), (KEPT, (KEPT + 4) as i64));
    }
}
