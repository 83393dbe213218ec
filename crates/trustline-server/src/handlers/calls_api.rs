//! Calls for supervisors: the calls of a period, and each campaign's
//! figures (attempted, reached, contact rate, conversions, handle time,
//! service level, abandonment) as JSON or an audited CSV.

use super::reports_api::Period;
use super::work_api::call_view;
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
use trustline_domain::reporting::{CallFacts, CallKpis, call_kpis};
use trustline_store::CallRecord;

/// Calls taken by an agent within this many seconds of the answer meet the
/// service level (the usual 80/20 target's 20).
const SERVICE_LEVEL_SECONDS: i64 = 20;

pub(crate) async fn list(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(period): ApiQuery<Period>,
) -> Result<Json<Value>, ApiError> {
    period.check()?;
    let calls = state.store.calls_between(authed.principal.tenant.id, period.from, period.to).await?;
    Ok(Json(json!({ "calls": calls.iter().map(call_view).collect::<Vec<_>>() })))
}

fn facts(call: &CallRecord) -> CallFacts {
    CallFacts {
        placed: call.placed_at.is_some(),
        answered_at: call.answered_at,
        connected_at: call.connected_at,
        ended_at: call.ended_at,
        disposed_at: call.disposed_at,
        result: call.result.clone(),
        outcome: call.outcome.clone(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    from: i64,
    to: i64,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

const CSV_HEADER: &str = "campaign_id,campaign,attempted,reached,contact_rate,connected,conversions,conversion_rate,abandoned,abandonment_rate,average_handle_seconds,service_level\n";

fn csv_line(id: i64, name: &str, k: &CallKpis) -> String {
    let rate = |r: Option<f64>| r.map(|r| format!("{r:.4}")).unwrap_or_default();
    // A name is the tenant's own text: quoted, and never read as a formula.
    let safe = name.replace('"', "\"\"");
    let safe = if safe.starts_with(['=', '+', '-', '@']) { format!("'{safe}") } else { safe };
    format!(
        "{id},\"{safe}\",{},{},{},{},{},{},{},{},{},{}\n",
        k.attempted,
        k.reached,
        rate(k.contact_rate),
        k.connected,
        k.conversions,
        rate(k.conversion_rate),
        k.abandoned,
        rate(k.abandonment_rate),
        k.average_handle_seconds.map(|s| format!("{s:.1}")).unwrap_or_default(),
        rate(k.service_level),
    )
}

/// Each campaign's figures over calls offered in `[from, to)`.
pub(crate) async fn campaign_report(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let period = Period { from: query.from, to: query.to };
    period.check()?;
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::unprocessable("invalid_format", "format must be json or csv")),
    };
    let tenant = authed.principal.tenant.id;
    let calls = state.store.calls_between(tenant, period.from, period.to).await?;
    let mut by_campaign: BTreeMap<i64, Vec<CallFacts>> = BTreeMap::new();
    for call in &calls {
        if let Some(campaign) = call.campaign_id {
            by_campaign.entry(campaign).or_default().push(facts(call));
        }
    }
    let names: BTreeMap<i64, String> = state.store.campaigns(tenant).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let rows: Vec<(i64, String, CallKpis)> = names
        .iter()
        .map(|(id, name)| (*id, name.clone(), call_kpis(by_campaign.get(id).map_or(&[][..], Vec::as_slice), SERVICE_LEVEL_SECONDS)))
        .collect();
    if !csv {
        let campaigns: Vec<Value> = rows.iter().map(|(id, name, k)| json!({ "campaign_id": id, "campaign": name, "figures": k })).collect();
        return Ok(Json(json!({ "from": period.from, "to": period.to, "campaigns": campaigns })).into_response());
    }
    let mut out = String::from(CSV_HEADER);
    for (id, name, k) in &rows {
        out.push_str(&csv_line(*id, name, k));
    }
    let audit = authed
        .caller
        .audit(&state, "report.export", "report:campaigns")
        .detail("from", period.from.to_string())
        .detail("to", period.to.to_string());
    state.appender.append(audit).await?;
    let disposition = format!("attachment; filename=\"campaigns-{}-{}.csv\"", period.from, period.to);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], out).into_response())
}
