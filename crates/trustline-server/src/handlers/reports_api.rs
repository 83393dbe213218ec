//! Reports for supervisors, as CSV downloads. Each export is audited.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use trustline_domain::agent::state_times;

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

/// Per agent: seconds logged in and in each state, and occupancy (time on
/// calls and in wrap-up over time logged in) within `[from, to)`.
pub(crate) async fn agent_time(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(period): ApiQuery<Period>,
) -> Result<Response, ApiError> {
    period.check()?;
    let tenant = authed.principal.tenant.id;
    let users = state.store.list_users(tenant).await?;
    let initial: BTreeMap<i64, String> =
        state.store.agent_states_at(tenant, period.from).await?.into_iter().map(|(u, s)| (u.0, s)).collect();
    let mut moves: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    for (user, entry) in state.store.agent_moves_between(tenant, period.from, period.to).await? {
        moves.entry(user.0).or_default().push((entry.at, entry.to));
    }
    let mut out = String::from(
        "user_id,username,logged_in_seconds,available_seconds,reserved_seconds,on_call_seconds,wrap_up_seconds,break_seconds,occupancy\n",
    );
    for user in &users {
        let id = user.id.0;
        let theirs: Vec<(i64, &str)> = moves.get(&id).map(|m| m.iter().map(|(at, s)| (*at, s.as_str())).collect()).unwrap_or_default();
        let times = state_times(initial.get(&id).map(String::as_str), &theirs, period.from, period.to);
        if times.logged_in() == 0 {
            continue;
        }
        let mut line = format!("{id},{},{}", user.username, times.logged_in());
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
