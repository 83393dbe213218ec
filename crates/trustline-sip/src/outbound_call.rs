//! A call this side places through a trunk: the INVITE with our audio
//! offer, then what the carrier says, turned into the port's progress
//! events. A carrier failure before anything rang moves the call to the
//! tenant's next trunk. The ring timeout cancels the INVITE; a 2xx crossing
//! that CANCEL is ended with a BYE by the stack and still counts as no
//! answer.

use crate::attempt_end::AttemptEnd;
use crate::audio_sdp::RemoteAudio;
use crate::call_dialog::{DialogEvent, answer_in_dialog};
use crate::call_progress;
use crate::call_table::Call;
use crate::edge::Edge;
use crate::reason::Reason;
use crate::signalling_targets::refused_target;
use crate::trunk_directory::{Carrier, Route, transport_param};
use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::{DialogState, DialogStateReceiver};
use rsipstack::dialog::invitation::{InviteAsyncResult, InviteOption};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::{Header, HeadersExt, Response, StatusCode, StatusCodeKind, Uri};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use trustline_domain::contact::E164;
use trustline_telephony::{CallFailure, CallLeg, CallProgress, DialRequest, LegId, TelephonyError};

pub(crate) async fn place(edge: &Arc<Edge>, request: DialRequest) -> Result<CallLeg, TelephonyError> {
    let to = E164::parse(&request.to).map_err(|_| TelephonyError::BadNumber("the number to call is not in E.164 form"))?;
    let (route, spare) = edge.trunks.first_route(edge.trunks.carriers(request.tenant)).await?;
    let (media, over) = edge
        .open_media(route.destination.ip(), route.srtp)
        .await
        .map_err(|e| TelephonyError::Unavailable(format!("no RTP port could be opened: {e}")))?;
    let attempt = Attempt { to: to.as_str().to_owned(), caller_id: request.caller_id, offer: media.offer() };
    let (dialog, invite) = attempt.invite(edge, route).inspect_err(|_| over.cancel())?;
    let id = edge.calls.next_id();
    let call = Call::new(dialog, media, over);
    edge.calls.insert(id, call.clone());
    let (progress_in, progress) = call_progress::channel();
    let failover = Failover { attempt, spare };
    tokio::spawn(follow(edge.clone(), id, call, invite, failover, progress_in));
    Ok(CallLeg { id, progress })
}

/// What every INVITE of one call says, whichever trunk it goes through.
struct Attempt {
    to: String,
    /// The number the call names, if any; else each trunk's own.
    caller_id: Option<String>,
    offer: String,
}

/// An INVITE under way: its dialog's states and how it ends.
struct Invite {
    states: DialogStateReceiver,
    result: JoinHandle<InviteAsyncResult>,
}

/// The trunks left to try if the carrier fails the call before it rings.
struct Failover {
    attempt: Attempt,
    spare: VecDeque<Carrier>,
}

impl Attempt {
    fn invite(&self, edge: &Arc<Edge>, route: Route) -> Result<(InviteDialog, Invite), TelephonyError> {
        let from = match self.caller_id.as_ref().or(route.caller_id.as_ref()) {
            Some(number) => E164::parse(number).map_err(|_| TelephonyError::BadNumber("the caller ID is not in E.164 form"))?.into(),
            None => "anonymous".to_owned(),
        };
        let uri = |text: String| Uri::try_from(text.as_str()).map_err(|e| TelephonyError::Unavailable(e.to_string()));
        let option = InviteOption {
            caller: uri(format!("sip:{from}@{}", edge.advertised))?,
            callee: uri(format!("sip:{}@{}{}", self.to, route.host, transport_param(route.transport)))?,
            destination: Some(route.next_hop),
            // Answers the carrier's digest challenge (401 or 407), if it makes one.
            credential: route.login.map(|login| Credential {
                username: login.username,
                password: login.password.as_str().to_owned(),
                ..Credential::default()
            }),
            contact: edge.contact_for(route.transport),
            content_type: Some("application/sdp".to_owned()),
            offer: Some(self.offer.clone().into_bytes()),
            call_id: Some(edge.new_call_id()),
            // Reliable provisional answers (RFC 3262), which some carriers require.
            support_prack: true,
            ..InviteOption::default()
        };
        let (states_in, states) = edge.layer.new_dialog_state_channel();
        let (dialog, result) = edge.layer.do_invite_async(option, states_in).map_err(|e| TelephonyError::Unavailable(e.to_string()))?;
        Ok((dialog, Invite { states, result }))
    }
}

impl Failover {
    /// The same call through the next trunk that takes it, if any.
    async fn next(&mut self, edge: &Arc<Edge>) -> Option<(InviteDialog, Invite)> {
        while !self.spare.is_empty() {
            let (route, spare) = edge.trunks.first_route(std::mem::take(&mut self.spare)).await.ok()?;
            self.spare = spare;
            match self.attempt.invite(edge, route) {
                Ok(invited) => return Some(invited),
                Err(error) => tracing::warn!(%error, "the next trunk could not take the call"),
            }
        }
        None
    }
}

/// Reports the call's progress until it ends or this side hangs up. A
/// carrier failure before anything rang sends the call through the
/// tenant's next trunk, under the same leg.
async fn follow(
    edge: Arc<Edge>,
    id: LegId,
    mut call: Call,
    mut invite: Invite,
    mut failover: Failover,
    progress: mpsc::Sender<CallProgress>,
) {
    let ring = tokio::time::sleep(edge.settings.ring_timeout);
    tokio::pin!(ring);
    let mut seen = Seen::default();
    let mut attempt_over = false;
    let mut failed_over = false;
    let mut keys = call.media.keys();
    loop {
        let event = tokio::select! {
            // A state already reported (a 2xx) is read before the attempt's end.
            biased;
            () = call.ended_here.cancelled() => break,
            state = invite.states.recv() => {
                let Some(state) = state else { break };
                match seen.progress_of(&edge, &call, state).await {
                    Some(event) => event,
                    None => continue,
                }
            }
            outcome = &mut invite.result, if !attempt_over => {
                attempt_over = true;
                match seen.end_of(outcome) {
                    Some(CallFailure::CarrierFailure) if seen.may_fail_over() => match failover.next(&edge).await {
                        Some((dialog, next)) => {
                            tracing::info!(call = id.0, "the carrier failed the call; the next trunk is tried");
                            call.dialog = dialog;
                            edge.calls.insert(id, call.clone());
                            (invite, attempt_over, seen.over, failed_over) = (next, false, false, true);
                            continue;
                        }
                        None => CallProgress::Failed(CallFailure::CarrierFailure),
                    },
                    Some(failure) => CallProgress::Failed(failure),
                    None => continue,
                }
            }
            Ok(key) = keys.recv(), if seen.answered => CallProgress::Dtmf(key),
            () = &mut ring, if !seen.answered && !seen.cancelled => {
                seen.cancelled = true;
                if let Err(error) = call.dialog.cancel().await {
                    tracing::debug!(%error, "the CANCEL after the ring timeout failed");
                }
                continue;
            }
        };
        if let CallProgress::Dtmf(key) = event {
            call_progress::report_key(&progress, key);
            continue;
        }
        let last = matches!(event, CallProgress::Failed(_) | CallProgress::RemoteHangUp);
        if progress.send(event).await.is_err() || last {
            break;
        }
    }
    let abandoned = !call.ended_here.is_cancelled() && seen.answered && !seen.over;
    // This side hung up the dialog it knew of: a later trunk's is ended here.
    let hung_up_too_soon = call.ended_here.is_cancelled() && failed_over;
    if (abandoned || hung_up_too_soon)
        && let Err(error) = call.dialog.hangup().await
    {
        tracing::debug!(%error, "a call nobody follows could not be ended");
    }
    edge.forget(id, &call);
}

/// What the follower has seen of the call so far.
#[derive(Default)]
struct Seen {
    ringing: bool,
    early_media: bool,
    answered: bool,
    cancelled: bool,
    over: bool,
}

impl Seen {
    /// Nothing rang yet and this side did not give up: another carrier may
    /// still be tried without anyone noticing.
    fn may_fail_over(&self) -> bool {
        !self.ringing && !self.early_media && !self.answered && !self.cancelled
    }

    async fn progress_of(&mut self, edge: &Edge, call: &Call, state: DialogState) -> Option<CallProgress> {
        match state {
            // A carrier naming, for the rest of the call, an address no call
            // may signal to: given up on before the answer (the CANCEL goes
            // to the trunk itself); after it, let go of without a BYE.
            DialogState::Early(_, response) | DialogState::Confirmed(_, response)
                if !self.answered
                    && let Some(target) = refused_target(&edge.trunks, &response) =>
            {
                tracing::warn!(%target, "a carrier named an address no call may signal to; the call is dropped");
                if response.status_code.kind() == StatusCodeKind::Provisional {
                    self.cancelled = true;
                    if let Err(error) = call.dialog.cancel().await {
                        tracing::debug!(%error, "the CANCEL of a call naming a refused address failed");
                    }
                } else {
                    self.answered = true;
                }
                self.over = true;
                Some(CallProgress::Failed(CallFailure::CarrierFailure))
            }
            DialogState::Early(_, response) if !response.body.is_empty() && !self.early_media => {
                self.early_media = true;
                // Early media without the SRTP offered is not played; the answer decides.
                if let Some(Err(refusal)) = RemoteAudio::in_body(&response.body).map(|audio| call.media.set_remote(audio)) {
                    tracing::debug!(%refusal, "early media is not played");
                }
                Some(CallProgress::EarlyMedia)
            }
            DialogState::Early(..) if !self.ringing && !self.early_media => {
                self.ringing = true;
                Some(CallProgress::Ringing)
            }
            DialogState::Confirmed(_, response) if !self.answered => {
                self.answered = true;
                match RemoteAudio::in_body(&response.body).map(|audio| call.media.set_remote(audio)) {
                    Some(Ok(())) => {
                        call.media.go_live();
                        Some(CallProgress::Answered)
                    }
                    // An answer with no audio we can carry, or in clear when
                    // SRTP was offered: nobody to talk to safely.
                    _ => {
                        if let Err(error) = call.dialog.hangup().await {
                            tracing::debug!(%error, "an answer without usable audio could not be ended");
                        }
                        self.over = true;
                        Some(CallProgress::Failed(CallFailure::CarrierFailure))
                    }
                }
            }
            state if self.answered => match answer_in_dialog(call, state).await {
                DialogEvent::Ended => {
                    self.over = true;
                    Some(CallProgress::RemoteHangUp)
                }
                DialogEvent::Quiet => None,
            },
            // Before the answer, the attempt's own end says how it went.
            _ => None,
        }
    }

    /// How the INVITE ended, unless it was answered (the `Confirmed` state
    /// reports that).
    fn end_of(&mut self, outcome: Result<InviteAsyncResult, tokio::task::JoinError>) -> Option<CallFailure> {
        if self.answered {
            return None;
        }
        let end = match outcome {
            _ if self.cancelled => AttemptEnd::RingTimeout,
            Ok(Ok((_, Some(response)))) if is_timer_b(&response) => AttemptEnd::NoResponse,
            Ok(Ok((_, Some(response)))) if response.status_code.kind() == StatusCodeKind::Successful => return None,
            Ok(Ok((_, Some(response)))) => AttemptEnd::Refused { status: response.status_code.code(), reasons: reasons_of(&response) },
            _ => AttemptEnd::NoResponse,
        };
        self.over = true;
        Some(end.failure())
    }
}

/// The stack reports Timer B as a 408 it makes itself from our INVITE, so
/// without the To tag every answer from the far end carries (RFC 3261
/// §8.2.6.2); a carrier's own 408 means nobody answered.
fn is_timer_b(response: &Response) -> bool {
    response.status_code == StatusCode::RequestTimeout && response.to_header().ok().and_then(|to| to.tag().ok().flatten()).is_none()
}

/// The reasons of every readable `Reason` header; an unreadable one is
/// passed over, leaving the SIP answer to decide.
fn reasons_of(response: &Response) -> Vec<Reason> {
    response
        .headers
        .iter()
        .filter_map(|header| match header {
            Header::Reason(reason) => Reason::parse_all(reason.value()).ok(),
            _ => None,
        })
        .flatten()
        .collect()
}
