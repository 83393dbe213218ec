//! Reports for supervisors: the agent time report, as an audited CSV
//! download or as JSON for the wallboard.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trustline_domain::agent::StateTimes;
use trustline_domain::reporting::HandledCalls;
use trustline_domain::{AuditAction, CsvWriter, Period, UnixTime, UserId};

/// The longest period one report covers.
pub(crate) const MAX_PERIOD_SECONDS: i64 = 31 * 86_400;
const STATES: [&str; 5] = ["available", "reserved", "on_call", "wrap_up", "break"];

/// A period as a query names it: where it starts and how long it lasts.
/// Each part is valid or not on its own, so the API document states exactly
/// what is accepted.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeriodQuery {
    /// Unix time the period starts at (inclusive).
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    pub from: i64,
    /// How long the period lasts, at most 31 days (2678400 seconds).
    #[schemars(range(min = 1, max = MAX_PERIOD_SECONDS))]
    pub seconds: i64,
}

impl PeriodQuery {
    pub fn period(&self) -> Result<Period, ApiError> {
        Ok(Period::lasting(self.from, self.seconds, MAX_PERIOD_SECONDS)?)
    }
}

/// What a report is answered as.
#[derive(Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReportFormat {
    Json,
    /// An audited download.
    Csv,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgentTimeQuery {
    /// Unix time the period starts at (inclusive).
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    from: i64,
    /// How long the period lasts, at most 31 days (2678400 seconds).
    #[schemars(range(min = 1, max = MAX_PERIOD_SECONDS))]
    seconds: i64,
    /// `csv` (default) or `json` (for the wallboard).
    format: Option<ReportFormat>,
}

/// Time on the floor over a period, per agent and for the floor.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct AgentTimeReport {
    from: UnixTime,
    to: UnixTime,
    /// Agents logged in at some time of the period.
    agents: Vec<AgentTime>,
    floor: TimeTotals,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct AgentTime {
    user_id: UserId,
    username: String,
    #[serde(flatten)]
    times: TimeTotals,
    #[serde(flatten)]
    calls: HandledCalls,
    /// The campaign or queue of the agent's newest call in the period.
    last_worked_on: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TimeTotals {
    logged_in_seconds: i64,
    /// Seconds in each state: available, reserved, on_call, wrap_up, break.
    seconds: BTreeMap<&'static str, i64>,
    /// Time on calls and in wrap-up over time logged in.
    occupancy: Option<f64>,
}

impl TimeTotals {
    fn of(times: &StateTimes) -> Self {
        let seconds = STATES.iter().map(|code| (*code, times.seconds(code))).collect();
        Self { logged_in_seconds: times.logged_in(), seconds, occupancy: times.occupancy() }
    }
}

/// Per agent: seconds logged in and in each state, and occupancy (time on
/// calls and in wrap-up over time logged in) within `[from, to)`; as JSON,
/// also the floor's totals.
pub(crate) async fn agent_time(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<AgentTimeQuery>,
) -> Result<Response, ApiError> {
    let period = Period::lasting(query.from, query.seconds, MAX_PERIOD_SECONDS)?;
    let csv = query.format != Some(ReportFormat::Json);
    let rows = trustline_app::agent_time(state.store.as_ref(), authed.principal.tenant.id, period).await?;
    if !csv {
        let mut floor = StateTimes::default();
        let agents = rows
            .iter()
            .map(|row| {
                for (code, seconds) in &row.times.0 {
                    *floor.0.entry(code.clone()).or_default() += seconds;
                }
                AgentTime {
                    user_id: row.user.id,
                    username: row.user.username.clone(),
                    times: TimeTotals::of(&row.times),
                    calls: row.calls,
                    last_worked_on: row.last_worked_on.clone(),
                }
            })
            .collect();
        let report = AgentTimeReport { from: period.from, to: period.to, agents, floor: TimeTotals::of(&floor) };
        return Ok(Json(report).into_response());
    }
    let mut csv = CsvWriter::with_header(&[
        "user_id",
        "username",
        "logged_in_seconds",
        "available_seconds",
        "reserved_seconds",
        "on_call_seconds",
        "wrap_up_seconds",
        "break_seconds",
        "occupancy",
        "calls_handled",
        "average_handle_seconds",
        "last_worked_on",
    ]);
    for row in &rows {
        csv.integer(row.user.id.0).text(&row.user.username).integer(row.times.logged_in());
        for code in STATES {
            csv.integer(row.times.seconds(code));
        }
        csv.decimal(Some(row.times.occupancy().unwrap_or(0.0)), 4);
        csv.integer(i64::try_from(row.calls.calls_handled).unwrap_or(i64::MAX)).decimal(row.calls.average_handle_seconds, 1);
        csv.text(row.last_worked_on.as_deref().unwrap_or("")).end_row();
    }
    let out = csv.finish();
    let audit = authed
        .caller
        .audit(&state, AuditAction::ReportExport, "report:agent-time")
        .detail("from", period.from.to_string())
        .detail("to", period.to.to_string());
    state.appender.append(audit).await?;
    let disposition = format!("attachment; filename=\"agent-time-{}.csv\"", period.days_label());
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], out).into_response())
}
