//! The agent's softphone: the desk sends its browser's WebRTC offer when
//! its agent starts work and gets this side's answer; no SIP credential
//! ever reaches the browser. Closing it (or logging out of work) ends the
//! desk's audio.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The largest offer taken: a browser's audio offer is about 4 KiB.
const MAX_OFFER_CHARS: u32 = 65_536;

/// The browser's session description (`RTCPeerConnection.createOffer`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SoftphoneOffer {
    #[schemars(length(min = 1, max = MAX_OFFER_CHARS))]
    sdp: String,
}

/// This side's session description, for `setRemoteDescription`.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SoftphoneAnswer {
    sdp: String,
}

pub(crate) async fn open(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(offer): ApiJson<SoftphoneOffer>,
) -> Result<Json<SoftphoneAnswer>, ApiError> {
    let (tenant, agent) = (authed.principal.tenant.id, authed.principal.user.id);
    let sdp = trustline_dialer::open_softphone(&state.engine, tenant, agent, &offer.sdp).await?;
    Ok(Json(SoftphoneAnswer { sdp }))
}

pub(crate) async fn close(State(state): State<AppState>, authed: Authed) -> StatusCode {
    trustline_dialer::close_softphone(&state.engine, authed.principal.tenant.id, authed.principal.user.id).await;
    StatusCode::NO_CONTENT
}
