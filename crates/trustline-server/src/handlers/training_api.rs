//! Security training: courses with validity periods, completions recorded
//! by the training coordinator, and where each person stands.

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
use trustline_app::training_standing;
use trustline_domain::training::{Course, CourseInput};
use trustline_domain::{AuditAction, UnixTime, UserId};
use trustline_store::StoreError;

pub(crate) async fn courses(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<Course>>, ApiError> {
    Ok(Json(state.store.courses(authed.principal.tenant.id).await?))
}

pub(crate) async fn create_course(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<CourseInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (title, validity_days, required) = input.validate().map_err(|fields| ApiError::with_fields(ErrorCode::InvalidCourse, fields))?;
    let audit = authed.caller.audit(&state, AuditAction::TrainingCourseCreate, "course").detail("validity_days", validity_days.to_string());
    let id =
        state.store.create_course(authed.principal.tenant.id, &title, validity_days, required, state.clock.now(), audit).await.map_err(
            |e| match e {
                StoreError::Conflict(_) => ApiError::new(ErrorCode::CourseExists, "a course with this title exists"),
                other => other.into(),
            },
        )?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompletionInput {
    /// Who completed the course.
    user_id: i64,
    /// When (Unix time); now when absent. At most three years back.
    #[schemars(with = "Option<CompletionTime>")]
    completed_at: Option<i64>,
}

/// How far back a completion may be recorded.
const COMPLETION_LOOKBACK: i64 = 3 * 365 * 86_400;

crate::schema_only::schema_only!(
    /// How the API document states when a completion may be dated: its
    /// bounds move with the clock, so the document is given them as it is
    /// served.
    CompletionTime,
    |_| schemars::json_schema!({
        "type": "integer",
        "format": "int64",
        "description": "Unix time in the last three years, not in the future.",
    })
);

impl CompletionTime {
    /// The earliest and latest completion time a request may name at
    /// `now`, as a document served at `now` states them: a day inside the
    /// rule, so a document fetched earlier today still tells the truth.
    pub(crate) fn bounds(now: i64) -> (i64, i64) {
        (now - COMPLETION_LOOKBACK + 86_400, now)
    }
}

/// Records a completion of a course by one of the tenant's people.
pub(crate) async fn record_completion(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(course): ApiPath<i64>,
    ApiJson(input): ApiJson<CompletionInput>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    let at = input.completed_at.unwrap_or(now);
    if at > now || at < now - COMPLETION_LOOKBACK {
        return Err(ApiError::new(ErrorCode::InvalidCompletion, "completed_at must be in the last three years and not in the future"));
    }
    let audit = authed
        .caller
        .audit(&state, AuditAction::TrainingCompletion, format!("user:{}", input.user_id))
        .detail("course", course.to_string())
        .detail("completed_at", at.to_string());
    let recorder = authed.principal.user.id;
    state.store.record_completion(authed.principal.tenant.id, course, UserId(input.user_id), at, recorder, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's training: whether it is current, and their completions.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct MyTraining {
    current: bool,
    /// Which required course lapsed or was never completed, in words.
    lapsed: Option<String>,
    completions: Vec<Completion>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Completion {
    course_id: i64,
    completed_at: UnixTime,
}

/// Where the caller stands: current, or which course lapsed.
pub(crate) async fn mine(State(state): State<AppState>, authed: Authed) -> Result<Json<MyTraining>, ApiError> {
    let (tenant, user) = (authed.principal.tenant.id, authed.principal.user.id);
    let verdict = training_standing(state.store.as_ref(), tenant, user, state.clock.now()).await?;
    let completions = state
        .store
        .completions(tenant, Some(user))
        .await?
        .into_iter()
        .map(|(_, course_id, completed_at)| Completion { course_id, completed_at })
        .collect();
    Ok(Json(MyTraining { current: verdict.is_ok(), lapsed: verdict.err().map(|e| e.to_string()), completions }))
}

/// One enabled account's training.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TrainingStanding {
    user_id: UserId,
    username: String,
    current: bool,
    /// Which required course lapsed or was never completed, in words.
    lapsed: Option<String>,
}

/// Where everyone in the tenant stands.
pub(crate) async fn status(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<TrainingStanding>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let now = state.clock.now();
    let mut out = Vec::new();
    for user in state.store.list_users(tenant).await?.into_iter().filter(|u| !u.disabled) {
        let verdict = training_standing(state.store.as_ref(), tenant, user.id, now).await?;
        out.push(TrainingStanding {
            user_id: user.id,
            username: user.username,
            current: verdict.is_ok(),
            lapsed: verdict.err().map(|e| e.to_string()),
        });
    }
    Ok(Json(out))
}
