//! Security incidents: the list with deadlines, one incident with its
//! timeline, reporting one by hand, and working it (notes, owner, status,
//! declaring a personal-data breach and recording the regulator's
//! notification; closing needs a root cause and lessons learned).

use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath};
use crate::handlers::views::Created;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_domain::bounded_text;
use trustline_domain::incidents::{IncidentKind, IncidentStatus, Severity, deadlines, notification_overdue, response_overdue};
use trustline_domain::{AuditAction, UnixTime, UserId};
use trustline_store::{IncidentRecord, NewIncident, TimelineEntry};

/// An incident with its deadlines; one incident's view has its timeline.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct IncidentView {
    id: i64,
    kind: IncidentKind,
    severity: Severity,
    status: IncidentStatus,
    title: String,
    owner_id: Option<UserId>,
    opened_at: UnixTime,
    respond_by: UnixTime,
    /// Still open or investigated past its response deadline.
    overdue: bool,
    personal_data_breach: bool,
    notify_regulator_by: Option<UnixTime>,
    regulator_notification: Option<String>,
    notified_at: Option<UnixTime>,
    notification_overdue: bool,
    last_reminder_hours_left: Option<i64>,
    root_cause: String,
    lessons: String,
    closed_at: Option<UnixTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeline: Option<Vec<TimelineEntry>>,
}

fn view(i: &IncidentRecord, now: i64) -> Result<IncidentView, ApiError> {
    let s = &i.state;
    let status = s.status;
    Ok(IncidentView {
        id: i.id,
        kind: i.kind,
        severity: i.severity,
        status,
        title: i.title.clone(),
        owner_id: s.owner_id,
        opened_at: i.opened_at,
        respond_by: i.respond_by,
        overdue: response_overdue(Some(status), i.respond_by, now),
        personal_data_breach: s.breach_aware_at.is_some(),
        notify_regulator_by: s.notify_by,
        regulator_notification: s.notification.clone(),
        notified_at: s.notified_at,
        notification_overdue: notification_overdue(s.notify_by, s.notified_at, now),
        last_reminder_hours_left: i.reminded_hours,
        root_cause: s.root_cause.clone(),
        lessons: s.lessons.clone(),
        closed_at: s.closed_at,
        timeline: None,
    })
}

pub(crate) async fn list(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<IncidentView>>, ApiError> {
    let now = state.clock.now();
    Ok(Json(state.store.incidents(authed.principal.tenant.id).await?.iter().map(|i| view(i, now)).collect::<Result<_, _>>()?))
}

pub(crate) async fn show(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<Json<IncidentView>, ApiError> {
    let (incident, timeline) = state.store.incident(authed.principal.tenant.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(IncidentView { timeline: Some(timeline), ..view(&incident, state.clock.now())? }))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct IncidentReport {
    #[schemars(length(min = 1, max = 300), pattern(trustline_domain::NOT_BLANK))]
    title: String,
    severity: Severity,
    /// Personal data may have been exposed: starts the 72-hour clock.
    #[serde(default)]
    personal_data_breach: bool,
}

pub(crate) async fn report(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<IncidentReport>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let Some(title) = bounded_text(&input.title, 1, 300).map(str::to_owned) else {
        return Err(ApiError::new(ErrorCode::InvalidIncident, "title must be 1 to 300 characters, not blank"));
    };
    let now = state.clock.now();
    let clocks = deadlines(now, input.severity, input.personal_data_breach);
    let actor = authed.principal.actor();
    let incident = NewIncident {
        tenant_id: authed.principal.tenant.id,
        kind: IncidentKind::Reported,
        // Each report is its own incident.
        dedup_key: format!("reported:{now}:{actor}:{title}"),
        severity: input.severity,
        title: title.clone(),
        at: now,
        respond_by: clocks.respond_by,
        breach_aware_at: clocks.breach_aware_at,
        notify_by: clocks.notify_by,
        entry: format!("reported: {title}"),
        actor,
    };
    let audit = authed.caller.audit(&state, AuditAction::IncidentReport, "incident").detail("severity", input.severity.as_str());
    let (id, _) = state.store.raise_incident(incident, audit).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [
    { "required": ["status"], "properties": { "status": { "type": "string" } } },
    { "required": ["owner_id"], "properties": { "owner_id": { "type": "integer" } } },
    { "required": ["note"], "properties": { "note": { "type": "string" } } },
    { "required": ["root_cause"], "properties": { "root_cause": { "type": "string" } } },
    { "required": ["lessons"], "properties": { "lessons": { "type": "string" } } },
    { "required": ["declare_breach"], "properties": { "declare_breach": { "const": true } } },
    { "required": ["regulator_notification"], "properties": { "regulator_notification": { "type": "string" } } },
]))]
pub(crate) struct IncidentChange {
    /// `open`, `investigating`, `contained` or `closed`.
    status: Option<IncidentStatus>,
    /// Who handles it (one of the tenant's users).
    owner_id: Option<i64>,
    /// What was done or found, for the timeline.
    #[schemars(length(min = 1, max = MAX_ENTRY), pattern(trustline_domain::NOT_BLANK))]
    note: Option<String>,
    #[schemars(length(min = 1, max = MAX_ENTRY), pattern(trustline_domain::NOT_BLANK))]
    root_cause: Option<String>,
    #[schemars(length(min = 1, max = MAX_ENTRY), pattern(trustline_domain::NOT_BLANK))]
    lessons: Option<String>,
    /// Declare that personal data was exposed: starts the 72-hour clock now.
    #[serde(default)]
    declare_breach: bool,
    /// How the regulator was notified (or why not), which stops the clock.
    #[schemars(length(min = 1, max = MAX_ENTRY), pattern(trustline_domain::NOT_BLANK))]
    regulator_notification: Option<String>,
}

/// Longest text of one timeline entry's part.
const MAX_ENTRY: usize = 5000;

/// A text field of a change: absent, or 1 to [`MAX_ENTRY`] characters and not blank (trimmed).
fn entry_text<'a>(field: &str, value: &'a Option<String>) -> Result<Option<&'a str>, ApiError> {
    match value.as_deref() {
        None => Ok(None),
        Some(text) => bounded_text(text, 1, MAX_ENTRY)
            .map(Some)
            .ok_or_else(|| ApiError::new(ErrorCode::InvalidChange, format!("{field} must be 1 to {MAX_ENTRY} characters, not blank"))),
    }
}

/// One change of an incident; every change goes on its timeline.
pub(crate) async fn change(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<IncidentChange>,
) -> Result<Json<IncidentView>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let now = state.clock.now();
    let change = trustline_app::IncidentChange {
        status: input.status,
        owner: input.owner_id.map(UserId),
        note: entry_text("note", &input.note)?,
        root_cause: entry_text("root_cause", &input.root_cause)?,
        lessons: entry_text("lessons", &input.lessons)?,
        declare_breach: input.declare_breach,
        notification: entry_text("regulator_notification", &input.regulator_notification)?,
    };
    trustline_app::change_incident(state.store.as_ref(), &authed.caller.requester(), tenant, id, &change, now).await?;
    let (updated, _) = state.store.incident(tenant, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(view(&updated, now)?))
}
