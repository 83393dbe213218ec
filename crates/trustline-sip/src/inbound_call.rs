//! A call the trunk sends in: its number and offer are checked, the call
//! is answered with our audio, handed to the switchboard, and followed
//! until either side hangs up. The trunk check itself happens before any
//! dialog exists (see `edge`).

use crate::audio_sdp::RemoteAudio;
use crate::call_dialog::{DialogEvent, answer_in_dialog, sdp_content_type};
use crate::call_progress;
use crate::call_table::Call;
use crate::edge::{Edge, source_ip};
use crate::phone_number::number_of_user;
use rsipstack::dialog::dialog::DialogStateReceiver;
use rsipstack::sip::{HeadersExt, StatusCode};
use rsipstack::transaction::transaction::Transaction;
use std::sync::Arc;
use tokio::sync::mpsc;
use trustline_telephony::{CallProgress, IncomingCall, LegId, TrunkOwner};

pub(crate) async fn admit(edge: Arc<Edge>, mut tx: Transaction, trunk: TrunkOwner, switchboard: mpsc::Sender<IncomingCall>) {
    let refusal = match answer(&edge, &tx).await {
        Ok(accepted) => {
            let Accepted { id, call, states, from, to } = accepted;
            let mut dialog = call.dialog.clone();
            // The INVITE transaction runs until the caller's ACK.
            tokio::spawn(async move {
                if let Err(error) = dialog.handle(&mut tx).await {
                    tracing::debug!(%error, "an incoming INVITE failed");
                }
            });
            let (progress_in, progress) = call_progress::channel();
            if switchboard.send(IncomingCall { id, from, to, trunk, progress }).await.is_err() {
                // Nobody takes calls: the caller is not left in silence.
                if let Err(error) = call.dialog.hangup().await {
                    tracing::debug!(%error, "a call nobody takes could not be ended");
                }
                call.ended_here.cancel();
            }
            follow(edge, id, call, states, progress_in).await;
            return;
        }
        Err(refusal) => refusal,
    };
    if let Err(error) = tx.reply(refusal).await {
        tracing::debug!(%error, "a refusal could not be sent");
    }
}

struct Accepted {
    id: LegId,
    call: Call,
    states: DialogStateReceiver,
    from: Option<String>,
    to: String,
}

/// Answers the INVITE with our audio, or says which final answer refuses it.
async fn answer(edge: &Arc<Edge>, tx: &Transaction) -> Result<Accepted, StatusCode> {
    let invite = &tx.original;
    let to = invite.uri.user().and_then(number_of_user).ok_or(StatusCode::NotFound)?.into();
    let from = invite.from_header().ok().and_then(|h| h.uri().ok()).and_then(|uri| uri.user().and_then(number_of_user)).map(String::from);
    let offer = RemoteAudio::in_body(&invite.body).ok_or(StatusCode::NotAcceptableHere)?;
    let peer = source_ip(tx).ok_or(StatusCode::Forbidden)?;
    let (media, over) = edge.open_media(peer).await.map_err(|_| StatusCode::ServiceUnavailable)?;
    media.set_remote(offer);
    let (states_in, states) = edge.layer.new_dialog_state_channel();
    let dialog = edge.layer.get_or_create_server_invite(tx, states_in, None, Some(edge.contact.clone())).map_err(|_| {
        over.cancel();
        StatusCode::ServerInternalError
    })?;
    let sdp = media.answer(&offer);
    if dialog.accept(Some(vec![sdp_content_type()]), Some(sdp.into_bytes())).is_err() {
        edge.layer.remove_dialog(&dialog.id());
        over.cancel();
        return Err(StatusCode::ServerInternalError);
    }
    media.go_live();
    let id = edge.calls.next_id();
    let call = Call::new(dialog, media, over);
    edge.calls.insert(id, call.clone());
    Ok(Accepted { id, call, states, from, to })
}

/// Reports the caller hanging up, until this side hangs up first.
async fn follow(edge: Arc<Edge>, id: LegId, call: Call, mut states: DialogStateReceiver, progress: mpsc::Sender<CallProgress>) {
    let mut keys = call.media.keys();
    loop {
        tokio::select! {
            biased;
            () = call.ended_here.cancelled() => break,
            Ok(key) = keys.recv() => call_progress::report_key(&progress, key),
            state = states.recv() => {
                let Some(state) = state else { break };
                if let DialogEvent::Ended = answer_in_dialog(&call, state).await {
                    // The switchboard may have stopped listening; the call is over either way.
                    let _ = progress.send(CallProgress::RemoteHangUp).await;
                    break;
                }
            }
        }
    }
    edge.forget(id, &call);
}
