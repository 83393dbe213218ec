//! The trust center's screens: the controls with report downloads and the
//! evidence bundle, incidents, and the audit log. The lists are filled by
//! the pages' modules from the API.

use super::page_chrome::Chrome;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::page_render::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use trustline_domain::Action;

#[derive(Template)]
#[template(path = "trust.html")]
struct Controls {
    chrome: Chrome,
    section: &'static str,
    checked: String,
    passed: usize,
    failed: usize,
    manual: usize,
    /// Escaped by the report's renderer.
    table: String,
    /// The first is the form's default.
    presets: Vec<EvidencePreset>,
}

/// A period the evidence bundle offers ready-made: first and last day (UTC).
struct EvidencePreset {
    label: &'static str,
    from: String,
    to: String,
}

/// The day (UTC) of `at`.
fn day_of(at: i64) -> Option<jiff::civil::Date> {
    jiff::Timestamp::from_second(at).ok().map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// The last 30 days (the default: a new organisation has data in it), the
/// last full calendar quarter, and everything since the organisation
/// began (`began`), at most the 366 days one bundle may cover.
fn evidence_presets(now: i64, began: i64) -> Vec<EvidencePreset> {
    let Some(today) = day_of(now) else { return Vec::new() };
    let back = |days: i64| today.checked_sub(jiff::Span::new().days(days)).ok();
    let mut presets = Vec::new();
    let mut offer = |label, from: Option<jiff::civil::Date>, to: Option<jiff::civil::Date>| {
        if let (Some(from), Some(to)) = (from, to) {
            presets.push(EvidencePreset { label, from: from.to_string(), to: to.to_string() });
        }
    };
    offer("Last 30 days", back(29), Some(today));
    let quarter_start = |year: i16, month: i8| jiff::civil::Date::new(year, month, 1).ok();
    let this_quarter = quarter_start(today.year(), (today.month() - 1) / 3 * 3 + 1);
    let previous = this_quarter.and_then(|d| d.checked_sub(jiff::Span::new().months(3)).ok());
    offer("Last quarter", previous, this_quarter.and_then(|d| d.yesterday().ok()));
    let since = day_of(began).zip(back(365)).map(|(began, earliest)| began.max(earliest));
    offer("Since the organisation began", since, Some(today));
    presets
}

pub(crate) async fn controls(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let chrome = Chrome::of(&state, &authed, "/trust")?;
    let assessment = super::trust_api::assessment(&state, &authed).await?;
    let presets = evidence_presets(state.clock.now(), authed.principal.tenant.created_at);
    let page = Controls {
        chrome,
        section: "controls",
        checked: jiff::Timestamp::from_second(assessment.checked_at)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        passed: assessment.passed,
        failed: assessment.failed,
        manual: assessment.manual,
        table: trustline_trust::controls_table(&assessment, Some("/trust/controls")),
        presets,
    };
    Ok(render(&page, StatusCode::OK))
}

/// One kept check as the control's page shows it.
struct CheckLine {
    when: String,
    status: String,
    evidence: String,
}

#[derive(Template)]
#[template(path = "trust_control.html")]
struct ControlPage {
    chrome: Chrome,
    section: &'static str,
    control: trustline_trust::ControlResult,
    history: Vec<CheckLine>,
}

/// Checks a control's page lists.
const HISTORY_SHOWN: u32 = 500;

/// One control: its status now, what it protects, how it is checked, its
/// references and the history of its checks, newest first.
pub(crate) async fn control(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let chrome = Chrome::of(&state, &authed, "/trust")?;
    let assessment = super::trust_api::assessment(&state, &authed).await?;
    let control = assessment.controls.into_iter().find(|c| c.id == id).ok_or_else(ApiError::not_found)?;
    let history = state
        .store
        .control_history(authed.principal.tenant.id, control.id, HISTORY_SHOWN)
        .await?
        .into_iter()
        .map(|check| CheckLine {
            when: jiff::Timestamp::from_second(check.checked_at)
                .map_or_else(|_| check.checked_at.to_string(), |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string()),
            status: check.status,
            evidence: check.evidence,
        })
        .collect();
    let page = ControlPage { chrome, section: "controls", control, history };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "trust_incidents.html")]
struct Incidents {
    chrome: Chrome,
    section: &'static str,
}

pub(crate) async fn incidents(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let page = Incidents { chrome: Chrome::of(&state, &authed, "/trust")?, section: "incidents" };
    Ok(render(&page, StatusCode::OK))
}

/// A register's page: what it shows is read by its module; `manage` says
/// whether the person may change it (the API decides either way).
macro_rules! register_page {
    ($name:ident, $template:literal, $section:literal, $action:expr) => {
        pub(crate) async fn $name(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
            #[derive(Template)]
            #[template(path = $template)]
            struct Page {
                chrome: Chrome,
                section: &'static str,
                manage: bool,
            }
            let page = Page { chrome: Chrome::of(&state, &authed, "/trust")?, section: $section, manage: authed.principal.may($action) };
            Ok(render(&page, StatusCode::OK))
        }
    };
}

register_page!(training, "trust_training.html", "training", Action::TrainingManage);
register_page!(suppliers, "trust_suppliers.html", "suppliers", Action::TrustManage);
register_page!(access_reviews, "trust_reviews.html", "access-reviews", Action::UserDisable);
register_page!(risks, "trust_risks.html", "risks", Action::TrustManage);

#[derive(Template)]
#[template(path = "trust_audit.html")]
struct AuditLog {
    chrome: Chrome,
    section: &'static str,
}

pub(crate) async fn audit(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let page = AuditLog { chrome: Chrome::of(&state, &authed, "/trust")?, section: "audit" };
    Ok(render(&page, StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_offers_the_last_30_days_the_last_quarter_and_everything() {
        let at = |text: &str| text.parse::<jiff::Timestamp>().unwrap().as_second();
        let offered =
            |now: &str, began: &str| evidence_presets(at(now), at(began)).into_iter().map(|p| (p.label, p.from, p.to)).collect::<Vec<_>>();
        let dates = |presets: Vec<(&str, String, String)>| presets.into_iter().map(|(_, from, to)| (from, to)).collect::<Vec<_>>();
        let pair = |from: &str, to: &str| (from.to_owned(), to.to_owned());
        let november = offered("2026-11-26T10:00:00Z", "2026-11-20T08:00:00Z");
        assert_eq!(november.iter().map(|p| p.0).collect::<Vec<_>>(), ["Last 30 days", "Last quarter", "Since the organisation began"]);
        assert_eq!(dates(november), [pair("2026-10-28", "2026-11-26"), pair("2026-07-01", "2026-09-30"), pair("2026-11-20", "2026-11-26")]);
        let new_year = dates(offered("2026-01-01T00:00:00Z", "2020-05-01T00:00:00Z"));
        assert_eq!(new_year[1], pair("2025-10-01", "2025-12-31"));
        assert_eq!(new_year[2], pair("2025-01-01", "2026-01-01"), "one bundle covers at most 366 days");
        assert_eq!(dates(offered("2026-04-15T00:00:00Z", "2026-04-15T00:00:00Z"))[1], pair("2026-01-01", "2026-03-31"));
    }
}
