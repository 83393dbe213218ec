//! Calls for supervisors: the calls of a period, each campaign's figures
//! (attempted, reached, contact rate, conversions, handle time, service
//! level, abandonment) and each queue's (offered, answered, abandoned,
//! callbacks, service level against its goal, waits, handle time), as JSON
//! or an audited CSV.

use super::reports_api::{MAX_PERIOD_SECONDS, PeriodQuery, ReportFormat};
use super::views::CallView;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trustline_domain::reporting::{CallKpis, QueueKpis};
use trustline_domain::routing::ServiceLevelGoal;
use trustline_domain::{AuditAction, CsvWriter, Period, UnixTime};

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct CallsView {
    calls: Vec<CallView>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<CallsView>, ApiError> {
    let period = query.period()?;
    let calls = state.store.calls_between(authed.principal.tenant.id, period.from, period.to).await?;
    Ok(Json(CallsView { calls: calls.iter().map(CallView::from).collect() }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    /// Unix time the period starts at (inclusive).
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    from: i64,
    /// How long the period lasts, at most 31 days (2678400 seconds).
    #[schemars(range(min = 1, max = MAX_PERIOD_SECONDS))]
    seconds: i64,
    /// `json` (default) or `csv`.
    format: Option<ReportFormat>,
}

const CAMPAIGN_COLUMNS: [&str; 13] = [
    "campaign_id",
    "campaign",
    "attempted",
    "reached",
    "contact_rate",
    "connected",
    "conversions",
    "conversion_rate",
    "abandoned",
    "abandonment_rate",
    "average_handle_seconds",
    "service_level",
    "average_hold_seconds",
];

/// Counts as CSV integers (they always fit).
fn count(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

fn campaign_row(csv: &mut CsvWriter, id: i64, name: &str, k: &CallKpis) {
    csv.integer(id)
        .text(name)
        .integer(count(k.attempted))
        .integer(count(k.reached))
        .decimal(k.contact_rate, 4)
        .integer(count(k.connected))
        .integer(count(k.conversions))
        .decimal(k.conversion_rate, 4)
        .integer(count(k.abandoned))
        .decimal(k.abandonment_rate, 4)
        .decimal(k.average_handle_seconds, 1)
        .decimal(k.service_level, 4)
        .decimal(k.average_hold_seconds, 1)
        .end_row();
}

impl ReportQuery {
    /// The period, and whether CSV was asked for.
    fn read(&self) -> Result<(Period, bool), ApiError> {
        let period = Period::lasting(self.from, self.seconds, MAX_PERIOD_SECONDS)?;
        Ok((period, self.format == Some(ReportFormat::Csv)))
    }
}

/// A report as an audited CSV download named `{name}-{from}-{to}.csv`.
async fn csv_export(state: &AppState, authed: &Authed, name: &str, period: &Period, body: String) -> Result<Response, ApiError> {
    let audit = authed
        .caller
        .audit(state, AuditAction::ReportExport, format!("report:{name}"))
        .detail("from", period.from.to_string())
        .detail("to", period.to.to_string());
    state.appender.append(audit).await?;
    let disposition = format!("attachment; filename=\"{name}-{}.csv\"", period.days_label());
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// Each campaign's figures over a period.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct CampaignReport {
    from: UnixTime,
    to: UnixTime,
    campaigns: Vec<CampaignFigures>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct CampaignFigures {
    campaign_id: i64,
    campaign: String,
    figures: CallKpis,
}

/// Each queue's figures over a period, against its service-level goal.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct QueueReport {
    from: UnixTime,
    to: UnixTime,
    queues: Vec<QueueFigures>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct QueueFigures {
    queue_id: i64,
    queue: String,
    service_level_goal: ServiceLevelGoal,
    figures: QueueKpis,
}

/// Each campaign's figures over calls offered in `[from, to)`.
pub(crate) async fn campaign_report(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let (period, csv) = query.read()?;
    let rows = trustline_app::campaign_figures(state.store.as_ref(), authed.principal.tenant.id, period).await?;
    if !csv {
        let campaigns =
            rows.into_iter().map(|row| CampaignFigures { campaign_id: row.id, campaign: row.name, figures: row.figures }).collect();
        return Ok(Json(CampaignReport { from: period.from, to: period.to, campaigns }).into_response());
    }
    let mut csv = CsvWriter::with_header(&CAMPAIGN_COLUMNS);
    for row in &rows {
        campaign_row(&mut csv, row.id, &row.name, &row.figures);
    }
    csv_export(&state, &authed, "campaigns", &period, csv.finish()).await
}

const QUEUE_COLUMNS: [&str; 15] = [
    "queue_id",
    "queue",
    "offered",
    "answered",
    "abandoned",
    "abandonment_rate",
    "callbacks",
    "closed",
    "conversions",
    "service_level",
    "service_level_target",
    "average_wait_seconds",
    "longest_wait_seconds",
    "average_handle_seconds",
    "average_hold_seconds",
];

/// Each queue's figures over calls that arrived in `[from, to)`, against
/// the queue's own service-level goal.
pub(crate) async fn queue_report(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let (period, csv) = query.read()?;
    let rows = trustline_app::queue_figures(state.store.as_ref(), authed.principal.tenant.id, period).await?;
    if !csv {
        let queues = rows
            .into_iter()
            .map(|row| QueueFigures { queue_id: row.id, queue: row.name, service_level_goal: row.goal, figures: row.figures })
            .collect();
        return Ok(Json(QueueReport { from: period.from, to: period.to, queues }).into_response());
    }
    let mut csv = CsvWriter::with_header(&QUEUE_COLUMNS);
    for row in &rows {
        let (goal, k) = (&row.goal, &row.figures);
        csv.integer(row.id)
            .text(&row.name)
            .integer(count(k.offered))
            .integer(count(k.answered))
            .integer(count(k.abandoned))
            .decimal(k.abandonment_rate, 4)
            .integer(count(k.callbacks))
            .integer(count(k.closed))
            .integer(count(k.conversions))
            .decimal(k.service_level, 4)
            .decimal(Some(goal.target), 4)
            .decimal(k.average_wait_seconds, 1)
            .maybe_integer(k.longest_wait_seconds.map(count))
            .decimal(k.average_handle_seconds, 1)
            .decimal(k.average_hold_seconds, 1)
            .end_row();
    }
    csv_export(&state, &authed, "queues", &period, csv.finish()).await
}
