//! The trust center's screens: the controls with report downloads and the
//! evidence bundle, incidents, and the audit log. The lists are filled by
//! the pages' modules from the API.

use super::page_chrome::Chrome;
use super::pages::render;
use crate::auth::Authed;
use crate::error::ApiError;
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
    bundle_from: String,
    bundle_to: String,
}

/// The first and last day of the last full calendar quarter before `now`.
fn last_quarter(now: i64) -> (String, String) {
    let Ok(today) = jiff::Timestamp::from_second(now).map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date()) else {
        return (String::new(), String::new());
    };
    let quarter_start = |year: i16, month: i8| jiff::civil::Date::new(year, month, 1).ok();
    let this = quarter_start(today.year(), (today.month() - 1) / 3 * 3 + 1);
    let previous = this.and_then(|d| d.checked_sub(jiff::Span::new().months(3)).ok());
    match (previous, this.and_then(|d| d.yesterday().ok())) {
        (Some(from), Some(to)) => (from.to_string(), to.to_string()),
        _ => (String::new(), String::new()),
    }
}

pub(crate) async fn controls(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let chrome = Chrome::of(&state, &authed, "/trust")?;
    let assessment = super::trust_api::assessment(&state, &authed).await?;
    let (bundle_from, bundle_to) = last_quarter(state.clock.now());
    let page = Controls {
        chrome,
        section: "controls",
        checked: jiff::Timestamp::from_second(assessment.checked_at)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        passed: assessment.passed,
        failed: assessment.failed,
        manual: assessment.manual,
        table: trustline_trust::controls_table(&assessment),
        bundle_from,
        bundle_to,
    };
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
    fn the_bundle_form_starts_at_the_last_full_quarter() {
        let at = |text: &str| text.parse::<jiff::Timestamp>().unwrap().as_second();
        assert_eq!(last_quarter(at("2026-11-26T10:00:00Z")), ("2026-07-01".into(), "2026-09-30".into()));
        assert_eq!(last_quarter(at("2026-01-01T00:00:00Z")), ("2025-10-01".into(), "2025-12-31".into()));
        assert_eq!(last_quarter(at("2026-04-15T00:00:00Z")), ("2026-01-01".into(), "2026-03-31".into()));
    }
}
