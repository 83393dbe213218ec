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
use trustline_domain::agent::{StateTimes, state_times};
use trustline_domain::reporting::{HandledCalls, handled_calls};
use trustline_domain::{AuditAction, CsvWriter, Period, UnixTime, UserId};
use trustline_store::CallRecord;

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
    let tenant = authed.principal.tenant.id;
    let users = state.store.list_users(tenant).await?;
    let initial: BTreeMap<i64, String> =
        state.store.agent_states_at(tenant, period.from).await?.into_iter().map(|(u, s)| (u.0, s)).collect();
    let mut moves: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for (user, entry) in state.store.agent_moves_between(tenant, period.from, period.to).await? {
        moves.entry(user.0).or_default().push((entry.at, entry.to));
    }
    let mut calls: BTreeMap<i64, Vec<CallRecord>> = BTreeMap::new();
    for call in state.store.calls_between(tenant, period.from, period.to).await? {
        if let Some(agent) = call.agent_id {
            calls.entry(agent.0).or_default().push(call);
        }
    }
    let campaigns: BTreeMap<i64, String> = state.store.campaigns(tenant).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let queues: BTreeMap<i64, String> = state.store.queues(tenant).await?.into_iter().map(|q| (q.id, q.name)).collect();
    let mut rows = Vec::new();
    for user in &users {
        let id = user.id.0;
        let theirs: Vec<(i64, &str)> = moves.get(&id).map(|m| m.iter().map(|(at, s)| (*at, s.as_str())).collect()).unwrap_or_default();
        let times = state_times(initial.get(&id).map(String::as_str), &theirs, period.from, period.to);
        if times.logged_in() > 0 {
            let mine = calls.get(&id).map_or(&[][..], Vec::as_slice);
            let handled = handled_calls(mine.iter().map(|c| (c.connected_at, c.disposed_at)));
            let newest = mine.iter().max_by_key(|c| (c.offered_at, c.id));
            let worked_on = newest.and_then(|c| {
                c.campaign_id.and_then(|id| campaigns.get(&id)).or_else(|| c.queue_id.and_then(|id| queues.get(&id))).cloned()
            });
            rows.push((user, times, handled, worked_on));
        }
    }
    if !csv {
        let mut floor = StateTimes::default();
        let agents = rows
            .iter()
            .map(|(user, times, calls, worked_on)| {
                for (code, seconds) in &times.0 {
                    *floor.0.entry(code.clone()).or_default() += seconds;
                }
                AgentTime {
                    user_id: user.id,
                    username: user.username.clone(),
                    times: TimeTotals::of(times),
                    calls: *calls,
                    last_worked_on: worked_on.clone(),
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
    for (user, times, calls, worked_on) in &rows {
        csv.integer(user.id.0).text(&user.username).integer(times.logged_in());
        for code in STATES {
            csv.integer(times.seconds(code));
        }
        csv.decimal(Some(times.occupancy().unwrap_or(0.0)), 4);
        csv.integer(i64::try_from(calls.calls_handled).unwrap_or(i64::MAX)).decimal(calls.average_handle_seconds, 1);
        csv.text(worked_on.as_deref().unwrap_or("")).end_row();
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
