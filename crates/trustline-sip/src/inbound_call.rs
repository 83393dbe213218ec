//! A call a trunk sends in: its number and offer are checked, it rings
//! while the switchboard decides, and it is answered with our audio only
//! if taken (a refused call is never answered, so never billed), then
//! followed until either side hangs up. The trunk check itself happens
//! before any dialog exists (see `edge`).

use crate::audio_sdp::RemoteAudio;
use crate::call_dialog::{DialogEvent, answer_in_dialog, sdp_content_type};
use crate::call_progress;
use crate::call_table::Call;
use crate::edge::{Edge, signalling_of, source_ip};
use crate::phone_number::number_of_user;
use crate::signalling_targets::refused_target;
use rsipstack::dialog::dialog::{DialogState, DialogStateReceiver};
use rsipstack::sip::{HeadersExt, StatusCode};
use rsipstack::transaction::transaction::Transaction;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use trustline_domain::contact::E164;
use trustline_telephony::{Admission, CallProgress, IncomingCall, LegId, TrunkOwner};

/// How long the switchboard may take to say whether it takes a call
/// before the caller is told to try later.
const ADMISSION_LIMIT: Duration = Duration::from_secs(10);

pub(crate) async fn admit(edge: Arc<Edge>, mut tx: Transaction, trunk: TrunkOwner, switchboard: mpsc::Sender<IncomingCall>) {
    let offered = match offer(&edge, &tx).await {
        Ok(offered) => offered,
        Err(refusal) => {
            if let Err(error) = tx.reply(refusal).await {
                tracing::debug!(%error, "a refusal could not be sent");
            }
            return;
        }
    };
    let Offered { id, call, mut states, from, to, answer } = offered;
    let mut dialog = call.dialog.clone();
    // The INVITE transaction runs until the caller's ACK.
    tokio::spawn(async move {
        if let Err(error) = dialog.handle(&mut tx).await {
            tracing::debug!(%error, "an incoming INVITE failed");
        }
    });
    if let Err(error) = call.dialog.ringing(None, None) {
        tracing::debug!(%error, "180 Ringing could not be sent");
    }
    let (admission, decision) = oneshot::channel();
    let (progress_in, progress) = call_progress::channel();
    let decided = match switchboard.send(IncomingCall { id, from, to, trunk, admission, progress }).await {
        Ok(()) => decided(decision, &mut states).await,
        // Nobody takes calls.
        Err(_) => Decided::Refused(StatusCode::TemporarilyUnavailable),
    };
    match decided {
        Decided::Taken if call.dialog.accept(Some(vec![sdp_content_type()]), Some(answer.into_bytes())).is_ok() => {
            call.media.go_live();
            follow(edge, id, call, states, progress_in).await;
        }
        Decided::Taken => end_unanswered(&edge, id, &call, StatusCode::ServerInternalError, &progress_in).await,
        Decided::Refused(code) => end_unanswered(&edge, id, &call, code, &progress_in).await,
        Decided::CallerLeft => {
            let _ = progress_in.send(CallProgress::RemoteHangUp).await;
            edge.forget(id, &call);
        }
    }
}

enum Decided {
    Taken,
    Refused(StatusCode),
    /// The caller hung up (CANCEL) before the switchboard decided.
    CallerLeft,
}

/// The switchboard's answer, the caller leaving first, or no answer in time.
async fn decided(decision: oneshot::Receiver<Admission>, states: &mut DialogStateReceiver) -> Decided {
    let deadline = tokio::time::sleep(ADMISSION_LIMIT);
    tokio::pin!(deadline, decision);
    loop {
        tokio::select! {
            said = &mut decision => return match said {
                Ok(Admission::Take) => Decided::Taken,
                Ok(Admission::NoSuchNumber) => Decided::Refused(StatusCode::NotFound),
                Ok(Admission::Closed) | Err(_) => Decided::Refused(StatusCode::TemporarilyUnavailable),
                // Without Retry-After: the carrier tries its next address for the
                // installation (RFC 3263 4.3) and keeps this one for other numbers.
                Ok(Admission::Elsewhere) => Decided::Refused(StatusCode::ServiceUnavailable),
            },
            state = states.recv() => match state {
                None | Some(DialogState::Terminated(..)) => return Decided::CallerLeft,
                Some(_) => {}
            },
            () = &mut deadline => return Decided::Refused(StatusCode::TemporarilyUnavailable),
        }
    }
}

/// Refuses a call never answered; a switchboard that took it after all
/// hears that the caller is gone.
async fn end_unanswered(edge: &Edge, id: LegId, call: &Call, code: StatusCode, progress: &mpsc::Sender<CallProgress>) {
    if let Err(error) = call.dialog.reject(Some(code), None) {
        tracing::debug!(%error, "a refusal could not be sent");
    }
    let _ = progress.send(CallProgress::RemoteHangUp).await;
    edge.forget(id, call);
}

/// A call offered and ringing, not yet answered.
struct Offered {
    id: LegId,
    call: Call,
    states: DialogStateReceiver,
    from: Option<String>,
    to: String,
    /// Our SDP answer, sent with the 200 if the call is taken.
    answer: String,
}

/// The number called: the Request-URI's user, or, where that is no number
/// (a carrier delivering to a registered trunk's Contact, whose user is the
/// login), the To header's.
fn called_number(invite: &rsipstack::sip::Request) -> Option<E164> {
    invite.uri.user().and_then(number_of_user).or_else(|| invite.to_header().ok()?.uri().ok()?.user().and_then(number_of_user))
}

/// Checks the INVITE and prepares the call's audio and dialog (joinable
/// at once, answered only when taken), or says which final answer refuses it.
async fn offer(edge: &Arc<Edge>, tx: &Transaction) -> Result<Offered, StatusCode> {
    let invite = &tx.original;
    let to = called_number(invite).ok_or(StatusCode::NotFound)?.into();
    let from = invite.from_header().ok().and_then(|h| h.uri().ok()).and_then(|uri| uri.user().and_then(number_of_user)).map(String::from);
    if let Some(target) = refused_target(&edge.trunks, invite) {
        tracing::warn!(%target, "a call in named an address no call may signal to; it is refused");
        return Err(StatusCode::Forbidden);
    }
    let offer = RemoteAudio::in_body(&invite.body).ok_or(StatusCode::NotAcceptableHere)?;
    let peer = source_ip(tx).ok_or(StatusCode::Forbidden)?;
    // Plain or SRTP, as the carrier offers.
    let (media, over) = edge.open_media(peer, false).await.map_err(|_| StatusCode::ServiceUnavailable)?;
    media.set_remote(offer.clone()).map_err(|_| StatusCode::NotAcceptableHere)?;
    let (states_in, states) = edge.layer.new_dialog_state_channel();
    let dialog = edge.layer.get_or_create_server_invite(tx, states_in, None, Some(edge.contact_for(signalling_of(tx)))).map_err(|_| {
        over.cancel();
        StatusCode::ServerInternalError
    })?;
    let answer = media.answer(&offer);
    let id = edge.calls.next_id();
    let call = Call::new(dialog, media, over);
    edge.calls.insert(id, call.clone());
    Ok(Offered { id, call, states, from, to, answer })
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
