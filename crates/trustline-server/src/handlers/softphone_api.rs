//! The agent's softphone: the desk sends its browser's WebRTC offer when
//! its agent starts work and gets this side's answer; no SIP credential
//! ever reaches the browser. Closing it (or logging out of work) ends the
//! desk's audio.

use crate::auth::Authed;
use crate::engine_commands::{Step, carry};
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
    let sdp = carry(&state, authed.command(Step::OpenSoftphone { offer: offer.sdp })).await?;
    Ok(Json(SoftphoneAnswer { sdp }))
}

/// Rings the agent's registered desk phone; the answer waits until it is
/// answered (at most 30 seconds).
pub(crate) async fn ring_desk_phone(State(state): State<AppState>, authed: Authed) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::RingDeskPhone)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn close(State(state): State<AppState>, authed: Authed) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::CloseSoftphone)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where the desk may relay its audio (`RTCPeerConnection`'s `iceServers`
/// and `iceTransportPolicy`).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct RelayView {
    /// Empty when the installation has no TURN relay: desks then reach the
    /// softphone port directly.
    ice_servers: Vec<IceServerView>,
    /// Desks send all audio through the relay, never straight to the port.
    relay_only: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct IceServerView {
    urls: Vec<String>,
    username: String,
    credential: String,
    /// When the credential stops working (Unix seconds): a shift from now.
    expires_at: i64,
}

/// The caller's relay credential: derived, not stored, so nothing is
/// written; it works only at the relay and only until it expires.
pub(crate) async fn relay(State(state): State<AppState>, authed: Authed) -> Json<RelayView> {
    let Some(relay) = &state.config.desk_relay else {
        return Json(RelayView { ice_servers: Vec::new(), relay_only: false });
    };
    let credential = relay.credential_for(authed.principal.user.id, state.clock.now());
    Json(RelayView {
        ice_servers: vec![IceServerView {
            urls: credential.urls,
            username: credential.username,
            credential: credential.password,
            expires_at: credential.expires_at,
        }],
        relay_only: relay.relay_only(),
    })
}
