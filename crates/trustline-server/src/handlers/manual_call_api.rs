//! A call the agent places themselves, to a number they type, for one of
//! the tenant's queues; the dialing rules hold as for every call.

use crate::auth::Authed;
use crate::engine_commands::{Step, carry};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_domain::AuditAction;
use trustline_domain::contact::E164;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManualCallInput {
    /// The number in E.164 form, e.g. `+442071838750`.
    #[schemars(pattern(E164::PATTERN))]
    number: String,
    /// The queue the call is made for: the person sees its number, and its
    /// dispositions close the call.
    queue: i64,
}

/// The call placed.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct PlacedCall {
    call: i64,
}

pub(crate) async fn place(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<ManualCallInput>,
) -> Result<(StatusCode, Json<PlacedCall>), ApiError> {
    if !authed.principal.may_call_out() {
        return Err(ApiError::new(ErrorCode::Forbidden, "your account may not call numbers itself: an administrator can allow it"));
    }
    let number = E164::parse(&input.number).map_err(|error| ApiError::new(ErrorCode::InvalidPhone, error.to_string()))?;
    let audit = authed.caller.audit(&state, AuditAction::CallPlace, String::new());
    let placed = Step::CallNumber { number: number.as_str().to_owned(), queue: input.queue, audit };
    let call = carry(&state, authed.command(placed)).await?;
    Ok((StatusCode::CREATED, Json(PlacedCall { call })))
}
