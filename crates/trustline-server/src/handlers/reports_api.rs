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
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use trustline_domain::agent::{StateTimes, state_times};

/// The longest period one report covers.
const MAX_PERIOD_SECONDS: i64 = 31 * 86_400;
const STATES: [&str; 5] = ["available", "reserved", "on_call", "wrap_up", "break"];

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Period {
    /// Unix time, inclusive.
    pub from: i64,
    /// Unix time, exclusive.
    pub to: i64,
}

impl Period {
    /// At most 31 days, `to` after `from`.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.to <= self.from || self.to - self.from > MAX_PERIOD_SECONDS {
            return Err(ApiError::unprocessable("invalid_period", "to must be after from, and the period at most 31 days"));
        }
        Ok(())
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgentTimeQuery {
    /// Unix time, inclusive.
    from: i64,
    /// Unix time, exclusive.
    to: i64,
    /// `csv` (default, an audited download) or `json` (for the wallboard).
    format: Option<String>,
}

/// Per agent: seconds logged in and in each state, and occupancy (time on
/// calls and in wrap-up over time logged in) within `[from, to)`; as JSON,
/// also the floor's totals.
pub(crate) async fn agent_time(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<AgentTimeQuery>,
) -> Result<Response, ApiError> {
    let period = Period { from: query.from, to: query.to };
    period.check()?;
    let csv = match query.format.as_deref() {
        None | Some("csv") => true,
        Some("json") => false,
        Some(_) => return Err(ApiError::unprocessable("invalid_format", "format must be csv or json")),
    };
    let tenant = authed.principal.tenant.id;
    let users = state.store.list_users(tenant).await?;
    let initial: BTreeMap<i64, String> =
        state.store.agent_states_at(tenant, period.from).await?.into_iter().map(|(u, s)| (u.0, s)).collect();
    let mut moves: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for (user, entry) in state.store.agent_moves_between(tenant, period.from, period.to).await? {
        moves.entry(user.0).or_default().push((entry.at, entry.to));
    }
    let mut rows = Vec::new();
    for user in &users {
        let id = user.id.0;
        let theirs: Vec<(i64, &str)> = moves.get(&id).map(|m| m.iter().map(|(at, s)| (*at, s.as_str())).collect()).unwrap_or_default();
        let times = state_times(initial.get(&id).map(String::as_str), &theirs, period.from, period.to);
        if times.logged_in() > 0 {
            rows.push((user, times));
        }
    }
    if !csv {
        let mut floor = StateTimes::default();
        let agents: Vec<Value> = rows
            .iter()
            .map(|(user, times)| {
                for (code, seconds) in &times.0 {
                    *floor.0.entry(code.clone()).or_default() += seconds;
                }
                let seconds: BTreeMap<&str, i64> = STATES.iter().map(|code| (*code, times.seconds(code))).collect();
                json!({ "user_id": user.id.0, "username": user.username, "logged_in_seconds": times.logged_in(), "seconds": seconds, "occupancy": times.occupancy() })
            })
            .collect();
        let seconds: BTreeMap<&str, i64> = STATES.iter().map(|code| (*code, floor.seconds(code))).collect();
        let totals = json!({ "logged_in_seconds": floor.logged_in(), "seconds": seconds, "occupancy": floor.occupancy() });
        return Ok(Json(json!({ "from": period.from, "to": period.to, "agents": agents, "floor": totals })).into_response());
    }
    let mut out = String::from(
        "user_id,username,logged_in_seconds,available_seconds,reserved_seconds,on_call_seconds,wrap_up_seconds,break_seconds,occupancy\n",
    );
    for (user, times) in &rows {
        let mut line = format!("{},{},{}", user.id.0, user.username, times.logged_in());
        for code in STATES {
            line.push_str(&format!(",{}", times.seconds(code)));
        }
        line.push_str(&format!(",{:.4}\n", times.occupancy().unwrap_or(0.0)));
        out.push_str(&line);
    }
    let audit = authed
        .caller
        .audit(&state, "report.export", "report:agent-time")
        .detail("from", period.from.to_string())
        .detail("to", period.to.to_string());
    state.appender.append(audit).await?;
    let disposition = format!("attachment; filename=\"agent-time-{}-{}.csv\"", period.from, period.to);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], out).into_response())
}
