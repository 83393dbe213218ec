//! An agent's desk phone line: when they start work, the edge calls the
//! phone they registered (over the TLS connection it registered on, its
//! audio in SRTP) and, once it is answered, seats the line at their desk,
//! where it stays up while they work, as the browser's softphone would.
//! Calls bridged to the desk are heard on the phone; the phone's audio is
//! the agent's voice. The line leaves the seat when either side hangs up.

use crate::audio_sdp::RemoteAudio;
use crate::call_dialog::{DialogEvent, answer_in_dialog};
use crate::call_table::Call;
use crate::desk_line::DeskPhoneLine;
use crate::edge::Edge;
use rsipstack::dialog::dialog::{DialogState, DialogStateReceiver};
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::sip::{Host, Uri};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use trustline_domain::trunks::SignallingTransport;
use trustline_domain::{TenantId, UserId};
use trustline_telephony::{PhonePutDown, TelephonyError};

/// How long the phone may ring before starting work fails.
const RING_LIMIT: Duration = Duration::from_secs(30);

/// Rings `agent`'s registered desk phone and seats its line once answered;
/// the answer tells when the phone puts it down.
pub(crate) async fn ring(edge: &Arc<Edge>, tenant: TenantId, agent: UserId) -> Result<PhonePutDown, TelephonyError> {
    let binding = edge.desk_phones.binding_of(agent).filter(|binding| binding.tenant == tenant).ok_or(TelephonyError::NoDeskPhone)?;
    let target = binding.flow.clone();
    let Host::IpAddr(peer) = target.addr.host else { return Err(TelephonyError::NoDeskPhone) };
    let (media, over) =
        edge.open_media(peer, true).await.map_err(|e| TelephonyError::Unavailable(format!("no RTP port could be opened: {e}")))?;
    media.speak_for(edge.desks.voice_of(tenant, agent));
    let caller =
        Uri::try_from(format!("sip:trustline@{}", edge.advertised).as_str()).map_err(|e| TelephonyError::Unavailable(e.to_string()))?;
    let option = InviteOption {
        caller,
        callee: binding.contact.clone(),
        destination: Some(target),
        contact: edge.contact_for(SignallingTransport::Tls),
        content_type: Some("application/sdp".to_owned()),
        offer: Some(media.offer().into_bytes()),
        call_id: Some(edge.new_call_id()),
        ..InviteOption::default()
    };
    let (states_in, mut states) = edge.layer.new_dialog_state_channel();
    let (dialog, _invite) = edge.layer.do_invite_async(option, states_in).map_err(|e| TelephonyError::Unavailable(e.to_string()))?;
    let call = Call::new(dialog, media, over);
    match tokio::time::timeout(RING_LIMIT, answer(&call, &mut states)).await {
        Ok(true) => {}
        answered => {
            let why = if answered.is_err() { "it rang for 30 seconds" } else { "it refused the call, or offered no audio in SRTP" };
            end(edge, &call, if answered.is_err() { Ending::Cancel } else { Ending::Bye }).await;
            return Err(TelephonyError::DeskPhoneUnanswered(why));
        }
    }
    call.media.go_live();
    let hang_up = CancellationToken::new();
    edge.desks.seat_desk_phone(tenant, agent, DeskPhoneLine { media: call.media.clone(), _hang_up: hang_up.clone().drop_guard() });
    let (put_down, told) = oneshot::channel();
    tokio::spawn(follow(edge.clone(), (tenant, agent), call, states, hang_up, put_down));
    Ok(told)
}

/// Whether the phone answered with audio this side can carry (in SRTP).
async fn answer(call: &Call, states: &mut DialogStateReceiver) -> bool {
    while let Some(state) = states.recv().await {
        match state {
            DialogState::Confirmed(_, response) => {
                return RemoteAudio::in_body(&response.body).is_some_and(|audio| call.media.set_remote(audio).is_ok());
            }
            DialogState::Terminated(..) => return false,
            _ => {}
        }
    }
    false
}

/// Keeps the line until the phone hangs up (then `put_down` says so) or
/// the line leaves the seat.
async fn follow(
    edge: Arc<Edge>,
    (tenant, agent): (TenantId, UserId),
    call: Call,
    mut states: DialogStateReceiver,
    hang_up: CancellationToken,
    put_down: oneshot::Sender<()>,
) {
    let hung_up_here = loop {
        tokio::select! {
            () = hang_up.cancelled() => break true,
            state = states.recv() => match state {
                None => break false,
                Some(state) => {
                    if let DialogEvent::Ended = answer_in_dialog(&call, state).await {
                        break false;
                    }
                }
            },
        }
    };
    edge.desks.unseat_desk_phone(tenant, agent, &call.media);
    if hung_up_here {
        end(&edge, &call, Ending::Bye).await;
    } else {
        tracing::info!(agent = agent.0, "the agent's desk phone hung up; the desk is empty");
        end(&edge, &call, Ending::Quiet).await;
        // Nobody waiting to hear it is fine: work stopped meanwhile.
        let _told = put_down.send(());
    }
}

/// How this side ends the call to the phone.
enum Ending {
    /// It still rings.
    Cancel,
    Bye,
    /// The phone ended it.
    Quiet,
}

/// Ends the call to the phone and its audio.
async fn end(edge: &Edge, call: &Call, ending: Ending) {
    let ended = match ending {
        Ending::Cancel => call.dialog.cancel().await,
        Ending::Bye => call.dialog.hangup().await,
        Ending::Quiet => Ok(()),
    };
    if let Err(error) = ended {
        tracing::debug!(%error, "the desk phone's call could not be ended");
    }
    edge.layer.remove_dialog(&call.dialog.id());
    call.over.cancel();
}
