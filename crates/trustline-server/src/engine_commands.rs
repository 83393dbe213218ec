//! The call engine's steps as the edge asks for them, each carried out on
//! the node that must: a call's controls where its audio is (the node that
//! opened it), an agent's desk, moves and new calls on the node working the
//! tenant's calls (holding its lease).
//! That is this node or another, reached through node mail; the answer is
//! the same either way, errors included. Requests are authenticated,
//! authorized and given their audit event here, before they leave.

use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use trustline_app::{CommandTaker, HandOverError, StateView};
use trustline_audit::AuditDraft;
use trustline_dialer::{ConsultKind, Consulted, DispositionRequest, TransferTarget, desk};
use trustline_domain::agent::AgentEvent;
use trustline_domain::contact::{E164, FieldError};
use trustline_domain::dialing::DispositionOutcome;
use trustline_domain::{TenantId, UserId};
use trustline_store::NodeId;
use trustline_telephony::{DtmfDigits, MonitorMode};

/// One step, for the user who asked, in their tenant.
#[derive(Serialize, Deserialize)]
pub(crate) struct EngineCommand {
    tenant: i64,
    user: i64,
    step: Step,
}

impl EngineCommand {
    pub(crate) fn new(tenant: TenantId, user: UserId, step: Step) -> Self {
        Self { tenant: tenant.0, user: user.0, step }
    }
}

/// Where a conversation is handed.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Handover {
    Queue(i64),
    Agent(i64),
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Monitoring {
    Listen,
    Whisper,
    Barge,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub(crate) enum Step {
    // A call's controls, carried out where its audio is.
    Dial {
        call: i64,
    },
    Skip {
        call: i64,
    },
    Accept {
        call: i64,
    },
    Decline {
        call: i64,
    },
    Cancel {
        call: i64,
    },
    HangUp {
        call: i64,
    },
    Hold {
        call: i64,
        on: bool,
    },
    SendKeys {
        call: i64,
        keys: String,
    },
    Transfer {
        call: i64,
        to: Handover,
        audit: AuditDraft,
    },
    TransferOutside {
        call: i64,
        number: String,
        audit: AuditDraft,
    },
    Consult {
        call: i64,
        number: String,
        audit: AuditDraft,
    },
    ConsultColleague {
        call: i64,
        colleague: i64,
        audit: AuditDraft,
    },
    CompleteConsult {
        call: i64,
        colleague: bool,
        audit: AuditDraft,
    },
    Conference {
        call: i64,
        colleague: bool,
        audit: AuditDraft,
    },
    EndConsult {
        call: i64,
    },
    Dispose {
        call: i64,
        code: String,
        callback_at: Option<i64>,
        personal: bool,
    },
    ConsultationOf {
        call: i64,
    },
    // The user's own, carried out where the engine runs.
    Move {
        event: AgentEvent,
        name: String,
        audit: AuditDraft,
    },
    OfferNext,
    CallNumber {
        number: String,
        queue: i64,
        audit: AuditDraft,
    },
    OpenSoftphone {
        offer: String,
    },
    RingDeskPhone,
    CloseSoftphone,
    LeaveConsultation,
    ConsultedIn,
    Monitor {
        agent: i64,
        mode: Option<Monitoring>,
        audit: AuditDraft,
    },
    ServesSoftphones,
    /// Something the engine looks at changed (a campaign, a queue): look now.
    Wake,
}

impl Step {
    /// The call whose audio decides where the step runs, if it is a call's.
    fn call(&self) -> Option<i64> {
        match self {
            Step::Dial { call }
            | Step::Skip { call }
            | Step::Accept { call }
            | Step::Decline { call }
            | Step::Cancel { call }
            | Step::HangUp { call }
            | Step::Hold { call, .. }
            | Step::SendKeys { call, .. }
            | Step::Transfer { call, .. }
            | Step::TransferOutside { call, .. }
            | Step::Consult { call, .. }
            | Step::ConsultColleague { call, .. }
            | Step::CompleteConsult { call, .. }
            | Step::Conference { call, .. }
            | Step::EndConsult { call }
            | Step::Dispose { call, .. }
            | Step::ConsultationOf { call } => Some(*call),
            Step::Move { .. }
            | Step::OfferNext
            | Step::CallNumber { .. }
            | Step::OpenSoftphone { .. }
            | Step::RingDeskPhone
            | Step::CloseSoftphone
            | Step::LeaveConsultation
            | Step::ConsultedIn
            | Step::Monitor { .. }
            | Step::ServesSoftphones
            | Step::Wake => None,
        }
    }
}

/// A consultation as desks are told of it.
#[derive(Serialize, Deserialize)]
pub(crate) struct ConsultationSeen {
    /// The agent who consults.
    pub agent: i64,
    /// The number consulted, masked.
    pub number: Option<String>,
    pub colleague: Option<i64>,
    pub answered: bool,
    pub conference: bool,
}

/// A disposition set: the call's contact, and what it means for them.
#[derive(Serialize, Deserialize)]
pub(crate) struct Disposed {
    pub contact: Option<i64>,
    pub outcome: DispositionOutcome,
}

/// Asks the engine, wherever it runs, to look at the campaigns and queues
/// now. The change is made already: a node that cannot be told is logged,
/// and its engine sees the change at its next look.
pub(crate) async fn wake_engine(state: &AppState, authed: &crate::auth::Authed) {
    if let Err(error) = carry::<()>(state, authed.command(Step::Wake)).await {
        tracing::warn!(%error, "the engine could not be asked to look now");
    }
}

/// Carries out `command` where it must run, and reads its answer as `T`.
pub(crate) async fn carry<T: DeserializeOwned>(state: &AppState, command: EngineCommand) -> Result<T, ApiError> {
    let value = match node_for(state, &command).await? {
        Some(node) => match hand_over(state, &node, &command).await {
            Err(HandOverError::NotTaken(node)) => {
                // That node is gone: what needs its audio fails here, as on any node without it.
                tracing::warn!(%node, "a node did not take a command; carrying it out here");
                run_here(state, command).await?
            }
            answered => answered.map_err(|error| node_error(&error))??,
        },
        None => run_here(state, command).await?,
    };
    serde_json::from_value(value).map_err(|_| ApiError::new(ErrorCode::Internal, "a node's answer could not be read"))
}

/// The other node a step must run on; `None` for this one.
async fn node_for(state: &AppState, command: &EngineCommand) -> Result<Option<NodeId>, ApiError> {
    if !state.nodes.hears_others() {
        return Ok(None);
    }
    let owner = match command.step.call() {
        Some(call) => state.store.call_owner(call).await?,
        None => None,
    };
    let node = match owner {
        Some(owner) => Some(owner),
        None => state.nodes.node_for_tenant(TenantId(command.tenant)).await?,
    };
    Ok(node.filter(|node| node != state.nodes.id()))
}

async fn hand_over(state: &AppState, node: &NodeId, command: &EngineCommand) -> Result<Result<Value, ApiError>, HandOverError> {
    let body = serde_json::to_vec(command).map_err(|_| HandOverError::Seal)?;
    let reply = state.nodes.hand_over(node, body).await?;
    let reply: Reply = serde_json::from_slice(&reply).map_err(|_| HandOverError::Seal)?;
    Ok(match reply {
        Reply::Done(value) => Ok(value),
        Reply::Refused(error) => Err(error.into()),
    })
}

fn node_error(error: &HandOverError) -> ApiError {
    let code = match error {
        HandOverError::NotTaken(_) | HandOverError::Store(_) => ErrorCode::NodeUnreachable,
        HandOverError::Unanswered(_) => ErrorCode::NodeUnanswered,
        HandOverError::Seal => ErrorCode::Internal,
    };
    ApiError::new(code, error.to_string())
}

/// What a node answers: the step's result, or the API error it ended in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Done(Value),
    Refused(RefusalBody),
}

#[derive(Serialize, Deserialize)]
struct RefusalBody {
    code: String,
    message: String,
    fields: Vec<(String, String)>,
}

impl From<ApiError> for RefusalBody {
    fn from(error: ApiError) -> Self {
        let fields = error.fields.into_iter().map(|f| (f.field, f.reason)).collect();
        Self { code: error.code.name().to_owned(), message: error.message, fields }
    }
}

impl From<RefusalBody> for ApiError {
    fn from(body: RefusalBody) -> Self {
        let code = ErrorCode::named(&body.code).unwrap_or(ErrorCode::Internal);
        let fields = body.fields.into_iter().map(|(field, reason)| FieldError::new(field, reason)).collect();
        ApiError { code, message: body.message, fields }
    }
}

/// Carries out commands other nodes hand this one.
pub(crate) struct HandedCommands(pub(crate) AppState);

#[async_trait]
impl CommandTaker for HandedCommands {
    async fn carry_out(&self, body: Vec<u8>) -> Vec<u8> {
        let reply = match serde_json::from_slice::<EngineCommand>(&body) {
            Ok(command) => match run_here(&self.0, command).await {
                Ok(value) => Reply::Done(value),
                Err(error) => Reply::Refused(error.into()),
            },
            Err(_) => Reply::Refused(ApiError::new(ErrorCode::Internal, "another node sent a command this node cannot read").into()),
        };
        serde_json::to_vec(&reply).unwrap_or_default()
    }
}

fn json(value: impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|_| ApiError::new(ErrorCode::Internal, "an answer could not be written"))
}

/// Input checked by the node that took the request, read again.
fn number(text: &str) -> Result<E164, ApiError> {
    E164::parse(text).map_err(|error| ApiError::new(ErrorCode::InvalidPhone, error.to_string()))
}

fn kind(colleague: bool) -> ConsultKind {
    if colleague { ConsultKind::Colleague } else { ConsultKind::Number }
}

/// Carries out `command` with this node's engine.
async fn run_here(state: &AppState, command: EngineCommand) -> Result<Value, ApiError> {
    let engine = &state.engine;
    let (tenant, user) = (TenantId(command.tenant), UserId(command.user));
    let done = Value::Null;
    Ok(match command.step {
        Step::Dial { call } => desk::dial(engine, tenant, user, call).await.map(|()| done)?,
        Step::Skip { call } => desk::skip(engine, tenant, user, call).await.map(|()| done)?,
        Step::Accept { call } => trustline_dialer::accept(engine, tenant, user, call).await.map(|()| done)?,
        Step::Decline { call } => trustline_dialer::decline(engine, tenant, user, call).await.map(|()| done)?,
        Step::Cancel { call } => desk::cancel(engine, tenant, user, call).await.map(|()| done)?,
        Step::HangUp { call } => desk::hang_up(engine, tenant, user, call).await.map(|()| done)?,
        Step::Hold { call, on } => desk::hold(engine, tenant, user, call, on).await.map(|()| done)?,
        Step::SendKeys { call, keys } => {
            let keys = DtmfDigits::parse(&keys)?;
            desk::send_keys(engine, tenant, user, call, &keys).await.map(|()| done)?
        }
        Step::Transfer { call, to, audit } => {
            let target = match to {
                Handover::Queue(queue) => TransferTarget::Queue(queue),
                Handover::Agent(agent) => TransferTarget::Agent(UserId(agent)),
            };
            json(trustline_dialer::transfer(engine, tenant, user, call, target, audit).await?)?
        }
        Step::TransferOutside { call, number: to, audit } => {
            trustline_dialer::transfer_outside(engine, tenant, user, call, number(&to)?, audit).await.map(|()| done)?
        }
        Step::Consult { call, number: to, audit } => {
            trustline_dialer::consult(engine, tenant, user, call, number(&to)?, audit).await.map(|()| done)?
        }
        Step::ConsultColleague { call, colleague, audit } => {
            trustline_dialer::consult_colleague(engine, tenant, user, call, UserId(colleague), audit).await.map(|()| done)?
        }
        Step::CompleteConsult { call, colleague, audit } => {
            trustline_dialer::complete_consult(engine, tenant, user, call, kind(colleague), audit).await.map(|()| done)?
        }
        Step::Conference { call, colleague, audit } => {
            trustline_dialer::conference(engine, tenant, user, call, kind(colleague), audit).await.map(|()| done)?
        }
        Step::EndConsult { call } => trustline_dialer::end_consult(engine, tenant, user, call).await.map(|()| done)?,
        Step::Dispose { call, code, callback_at, personal } => {
            let request = DispositionRequest { code, callback_at, personal };
            let (call, outcome) = desk::dispose(engine, tenant, user, call, &request).await?;
            json(Disposed { contact: call.contact_id.map(|c| c.0), outcome })?
        }
        Step::ConsultationOf { call } => json(trustline_dialer::consultation_of(engine, call).map(|c| seen(&c)))?,
        Step::Move { event, name, audit } => {
            let change = trustline_dialer::carry_out(engine, tenant, user, event, &name, audit).await?;
            json(StateView::after(&change))?
        }
        Step::OfferNext => json(desk::offer_next(engine, tenant, user).await?)?,
        Step::CallNumber { number: to, queue, audit } => {
            json(trustline_dialer::call_number(engine, tenant, user, number(&to)?, queue, audit).await?)?
        }
        Step::OpenSoftphone { offer } => json(trustline_dialer::open_softphone(engine, tenant, user, &offer).await?)?,
        Step::RingDeskPhone => trustline_dialer::ring_desk_phone(engine, tenant, user).await.map(|()| done)?,
        Step::CloseSoftphone => {
            trustline_dialer::close_softphone(engine, tenant, user).await;
            done
        }
        Step::LeaveConsultation => trustline_dialer::leave_consultation(engine, tenant, user).await.map(|()| done)?,
        Step::ConsultedIn => json(trustline_dialer::consulted_in(engine, tenant, user).map(|(_, c)| seen(&c)))?,
        Step::Monitor { agent, mode, audit } => {
            let mode = mode.map(|mode| match mode {
                Monitoring::Listen => MonitorMode::Listen,
                Monitoring::Whisper => MonitorMode::Whisper,
                Monitoring::Barge => MonitorMode::Barge,
            });
            json(trustline_dialer::monitor_agent(engine, tenant, user, UserId(agent), mode, audit).await?)?
        }
        Step::ServesSoftphones => json(trustline_dialer::serves_softphones(engine))?,
        Step::Wake => {
            engine.wake();
            done
        }
    })
}

fn seen(consultation: &trustline_dialer::Consultation) -> ConsultationSeen {
    let (number, colleague) = match &consultation.party {
        Consulted::Number { masked, .. } => (Some(masked.clone()), None),
        Consulted::Colleague(id) => (None, Some(id.0)),
    };
    ConsultationSeen {
        agent: consultation.agent.0,
        number,
        colleague,
        answered: consultation.answered,
        conference: consultation.conference,
    }
}

impl crate::auth::Authed {
    /// `step`, as this user asks it.
    pub(crate) fn command(&self, step: Step) -> EngineCommand {
        EngineCommand::new(self.principal.tenant.id, self.principal.user.id, step)
    }
}
