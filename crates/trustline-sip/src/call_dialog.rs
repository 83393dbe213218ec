//! What both directions of a call do with requests inside its dialog: a
//! new offer (the carrier's re-INVITE or UPDATE) moves where the audio
//! goes; OPTIONS and INFO are acknowledged.

use crate::audio_sdp::RemoteAudio;
use crate::call_table::Call;
use rsipstack::dialog::dialog::{DialogState, TransactionHandle};
use rsipstack::sip::{Header, Request, StatusCode};

/// What a dialog's state report means for the call, once requests inside
/// the dialog have been answered.
pub(crate) enum DialogEvent {
    /// The other side ended the dialog (BYE, or it timed out).
    Ended,
    /// Nothing the port reports.
    Quiet,
}

/// Answers a request inside the dialog, or says the dialog ended.
pub(crate) async fn answer_in_dialog(call: &Call, state: DialogState) -> DialogEvent {
    match state {
        DialogState::Updated(_, request, handle) => answer_new_offer(call, &request, handle).await,
        DialogState::Options(_, _, handle) | DialogState::Info(_, _, handle) => {
            reply(&handle, StatusCode::OK, None).await;
        }
        DialogState::Notify(_, _, handle)
        | DialogState::Refer(_, _, handle)
        | DialogState::Message(_, _, handle)
        | DialogState::Publish(_, _, handle) => reply(&handle, StatusCode::MethodNotAllowed, None).await,
        DialogState::Terminated(..) => return DialogEvent::Ended,
        _ => {}
    }
    DialogEvent::Quiet
}

/// A new offer without a body only refreshes the session (RFC 4028); one
/// with a body moves the audio, or is refused when it is not G.711 audio.
async fn answer_new_offer(call: &Call, request: &Request, handle: TransactionHandle) {
    if request.body.is_empty() {
        let answer = call.media.remote().map(|offer| call.media.answer(&offer));
        reply(&handle, StatusCode::OK, answer).await;
        return;
    }
    match RemoteAudio::in_body(&request.body) {
        Some(offer) if call.media.set_remote(offer.clone()).is_ok() => {
            reply(&handle, StatusCode::OK, Some(call.media.answer(&offer))).await;
        }
        _ => reply(&handle, StatusCode::NotAcceptableHere, None).await,
    }
}

async fn reply(handle: &TransactionHandle, status: StatusCode, sdp: Option<String>) {
    let (headers, body) = match sdp {
        Some(sdp) => (Some(vec![sdp_content_type()]), Some(sdp.into_bytes())),
        None => (None, None),
    };
    if let Err(error) = handle.respond(status, headers, body).await {
        tracing::debug!(%error, "an in-dialog answer could not be sent");
    }
}

pub(crate) fn sdp_content_type() -> Header {
    Header::ContentType("application/sdp".into())
}
