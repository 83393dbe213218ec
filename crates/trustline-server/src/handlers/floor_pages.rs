//! The contact-center floor's screens: the agent desk, the supervisor
//! wallboard and the reports page (their modules read the API and the live
//! feed), and the wallboard's charts, drawn on the server.

use super::page_chrome::Chrome;
use crate::auth::Authed;
use crate::charts::{Series, bars, shares, shares_up_to};
use crate::engine_commands::{Step, carry};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::page_render::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use trustline_domain::reporting::{call_kpis, queue_kpis};
use trustline_domain::{Period, checked_time};
use trustline_store::CallRecord;

#[derive(Template)]
#[template(path = "desk.html")]
struct Desk {
    chrome: Chrome,
    /// Whether the desk is a softphone here (calls carry audio to desks).
    softphone: bool,
}

pub(crate) async fn desk(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let softphone = carry(&state, authed.command(Step::ServesSoftphones)).await?;
    Ok(render(&Desk { chrome: Chrome::of(&state, &authed, "/desk")?, softphone }, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "wallboard.html")]
struct Wallboard {
    chrome: Chrome,
    /// Whether supervisors can monitor calls from a softphone here.
    softphone: bool,
}

pub(crate) async fn wallboard(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    let softphone = carry(&state, authed.command(Step::ServesSoftphones)).await?;
    Ok(render(&Wallboard { chrome: Chrome::of(&state, &authed, "/wallboard")?, softphone }, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "reports.html")]
struct Reports {
    chrome: Chrome,
}

pub(crate) async fn reports(State(state): State<AppState>, authed: Authed) -> Result<Response, ApiError> {
    Ok(render(&Reports { chrome: Chrome::of(&state, &authed, "/reports")? }, StatusCode::OK))
}

const DAY: i64 = 86_400;
/// Abandonment rates are small: the chart's scale tops out at 10 %.
const ABANDONMENT_SCALE: f64 = 0.10;

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChartDay {
    /// Unix time the day starts.
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    day: i64,
    /// Unix time the figures run to (default: the end of the day).
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    to: Option<i64>,
}

impl ChartDay {
    /// The day, cut short at `to`.
    fn period(&self) -> Result<(i64, i64), ApiError> {
        let day = checked_time(self.day, "day")?;
        let end_of_day = day.saturating_add(DAY);
        let to = self.to.map_or(Ok(end_of_day), |to| checked_time(to, "to"))?;
        let period = Period::new(day, to.min(end_of_day), DAY)?;
        Ok((period.from, period.to))
    }
}

fn hour_of(day: i64, at: i64) -> Option<usize> {
    usize::try_from((at - day) / 3_600).ok().filter(|h| *h < 24)
}

/// A figure per hour of the day from `from`: the calls that `belong`,
/// sorted into their hours in one pass, each hour's measured by `figure`.
fn hourly(
    calls: &[CallRecord],
    from: i64,
    belong: impl Fn(&CallRecord) -> bool,
    figure: impl Fn(&[&CallRecord]) -> Option<f64>,
) -> [Option<f64>; 24] {
    let mut hours: [Vec<&CallRecord>; 24] = Default::default();
    for call in calls.iter().filter(|c| belong(c)) {
        if let Some(bucket) = hour_of(from, call.offered_at).and_then(|h| hours.get_mut(h)) {
            bucket.push(call);
        }
    }
    hours.map(|hour| figure(&hour))
}

fn svg(body: String) -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml")], body).into_response()
}

async fn calls_of(state: &AppState, authed: &Authed, day: &ChartDay) -> Result<(i64, Vec<CallRecord>), ApiError> {
    let (from, to) = day.period()?;
    Ok((from, state.store.calls_between(authed.principal.tenant.id, from, to).await?))
}

/// Calls per hour: dialled, inbound, and answered of either.
pub(crate) async fn calls_chart(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(day): ApiQuery<ChartDay>,
) -> Result<Response, ApiError> {
    let (from, calls) = calls_of(&state, &authed, &day).await?;
    let (mut dialled, mut inbound, mut answered) = ([None; 24], [None; 24], [None; 24]);
    let add = |slot: &mut [Option<f64>; 24], hour: usize| {
        if let Some(value) = slot.get_mut(hour) {
            *value = Some(value.unwrap_or(0.0) + 1.0);
        }
    };
    for call in &calls {
        let Some(hour) = hour_of(from, call.offered_at) else { continue };
        if call.queue_id.is_some() {
            if call.result != Some(trustline_domain::CallResult::Closed) {
                add(&mut inbound, hour);
            }
        } else if call.placed_at.is_some() {
            add(&mut dialled, hour);
        }
        if call.connected_at.is_some() {
            add(&mut answered, hour);
        }
    }
    let series = [
        Series { name: "Dialled".into(), values: dialled, goal: None },
        Series { name: "Inbound".into(), values: inbound, goal: None },
        Series { name: "Answered".into(), values: answered, goal: None },
    ];
    Ok(svg(bars("Calls per hour", &series)))
}

/// Each running or paused campaign's abandonment rate per hour, against its cap.
pub(crate) async fn abandonment_chart(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(day): ApiQuery<ChartDay>,
) -> Result<Response, ApiError> {
    let (from, calls) = calls_of(&state, &authed, &day).await?;
    let mut series = Vec::new();
    for campaign in state.store.campaigns(authed.principal.tenant.id).await? {
        let cap = campaign.settings.clone().abandonment.cap;
        let values = hourly(
            &calls,
            from,
            |c| c.campaign_id == Some(campaign.id),
            |hour| {
                let facts: Vec<_> = hour.iter().map(|c| c.outbound_facts()).collect();
                call_kpis(&facts, trustline_app::SERVICE_LEVEL_SECONDS).abandonment_rate
            },
        );
        if values.iter().any(Option::is_some) {
            series.push(Series { name: campaign.name, values, goal: Some(cap) });
        }
    }
    Ok(svg(shares_up_to("Abandoned calls per hour against the cap", &series, ABANDONMENT_SCALE)))
}

/// Each queue's service level per hour, against its goal.
pub(crate) async fn service_chart(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(day): ApiQuery<ChartDay>,
) -> Result<Response, ApiError> {
    let (from, calls) = calls_of(&state, &authed, &day).await?;
    let mut series = Vec::new();
    for queue in state.store.queues(authed.principal.tenant.id).await? {
        let goal = queue.settings.clone().service_level;
        let values = hourly(
            &calls,
            from,
            |c| c.queue_id == Some(queue.id),
            |hour| {
                let facts: Vec<_> = hour.iter().map(|c| c.inbound_facts()).collect();
                queue_kpis(&facts, goal.seconds).service_level
            },
        );
        series.push(Series { name: queue.name, values, goal: Some(goal.target) });
    }
    Ok(svg(shares("Service level per hour", &series)))
}
