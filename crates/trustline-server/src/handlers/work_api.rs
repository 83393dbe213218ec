//! The agent's work loop: what they are working now (the call, the masked
//! contact, the campaign's or queue's script and dispositions, the
//! contact's past calls), the next contact of a preview campaign, dialling
//! or skipping it, accepting or declining an incoming call, hanging up, and
//! the disposition with an optional note and callback.

use crate::auth::Authed;
use crate::engine_commands::{ConsultationSeen, Disposed, EngineCommand, Step, carry};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::handlers::contact_view::ContactView;
use crate::handlers::contacts_api::{checked_note, record_do_not_contact};
use crate::handlers::views::CallView;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trustline_domain::dialing::{Disposition, DispositionOutcome};
use trustline_domain::{AuditAction, ContactId, TenantId, UnixTime, UserId};
use trustline_store::CallRecord;
use trustline_vault::subject_label;

/// The agent's current work. Only `call` is always there (null when the
/// agent works no call).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct WorkView {
    call: Option<CallView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<ScriptView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue: Option<ScriptView>,
    /// Seconds left to accept an offered inbound call.
    #[serde(skip_serializing_if = "Option::is_none")]
    answer_within: Option<i64>,
    /// Seconds the call has been in its state (ringing, connected, wrap-up).
    #[serde(skip_serializing_if = "Option::is_none")]
    in_state_for: Option<i64>,
    /// Seconds the person has been on hold, while they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_hold_for: Option<i64>,
    /// Seconds of wrap-up left before the call is closed for the agent
    /// (absent when its campaign or queue sets no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    wrap_up_within: Option<i64>,
    /// Masked unless the agent is connected to this contact or wrapping up.
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<ContactView>,
    /// The contact's earlier calls, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<EarlierCall>>,
    /// Notes on the contact, newest first, while the contact is shown in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<Vec<NoteLine>>,
    /// Supervisors who joined this conversation, and how, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    monitoring: Option<Vec<MonitorLine>>,
    /// The outside number or the colleague you are consulting while the
    /// person waits on hold, or talking to together with the person.
    #[serde(skip_serializing_if = "Option::is_none")]
    consult: Option<ConsultView>,
    /// The colleague consulting you about their call (you are reserved
    /// for it meanwhile).
    #[serde(skip_serializing_if = "Option::is_none")]
    consulted_by: Option<ConsultedByView>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ConsultView {
    /// The number consulted, masked: the country code and the last two
    /// digits (absent when a colleague is consulted).
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    /// The colleague consulted (absent when a number is).
    #[serde(skip_serializing_if = "Option::is_none")]
    colleague: Option<Colleague>,
    /// Whether it answered (then the person can be handed over or brought
    /// in); a colleague answers at once.
    answered: bool,
    /// Whether the person was brought in: the three of you talk together.
    conference: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Colleague {
    id: i64,
    name: String,
}

impl Colleague {
    /// `id` by the name shown for them, if their account is still there.
    fn named(id: UserId, name: Option<String>) -> Self {
        Self { id: id.0, name: name.unwrap_or_else(|| format!("agent {}", id.0)) }
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct ConsultedByView {
    /// The agent whose caller waits on hold while they talk to you.
    agent: Colleague,
    /// Whether the caller was brought in: the three of you talk together.
    conference: bool,
}

impl WorkView {
    fn idle() -> Self {
        Self {
            call: None,
            campaign: None,
            queue: None,
            answer_within: None,
            in_state_for: None,
            on_hold_for: None,
            wrap_up_within: None,
            contact: None,
            history: None,
            notes: None,
            monitoring: None,
            consult: None,
            consulted_by: None,
        }
    }
}

/// What the agent reads and chooses from while working a campaign's or a
/// queue's call.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ScriptView {
    id: i64,
    name: String,
    script: String,
    dispositions: Vec<Disposition>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct EarlierCall {
    at: UnixTime,
    result: Option<trustline_domain::CallResult>,
    disposition: Option<String>,
    /// The disposition as the agent chose it from its campaign's or queue's list.
    #[serde(skip_serializing_if = "Option::is_none")]
    disposition_label: Option<String>,
    /// The agent who took the call, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<String>,
}

/// A supervisor joining, changing how, or leaving the agent's conversation.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct MonitorLine {
    at: UnixTime,
    supervisor: Option<String>,
    /// `listen`, `whisper`, `barge`, or `stop` when they left.
    mode: String,
}

/// Who monitored `call` and how, from its audit events, oldest first.
async fn monitoring_of(
    state: &AppState,
    tenant: TenantId,
    call: i64,
    names: &BTreeMap<UserId, String>,
) -> Result<Vec<MonitorLine>, ApiError> {
    let mut events = state.store.audit_events_about(tenant, &format!("call:{call}"), 200).await?;
    // In the order they were kept (several may share a second).
    events.sort_by_key(|e| e.body.seq);
    Ok(events
        .into_iter()
        .filter(|e| e.body.action == AuditAction::CallMonitor.name())
        .map(|e| {
            let details: BTreeMap<String, String> = serde_json::from_str(&e.body.details).unwrap_or_default();
            // A supervisor replaced by another is named in the details; otherwise the supervisor asked.
            let supervisor = details.get("supervisor").unwrap_or(&e.body.actor);
            let supervisor = supervisor.strip_prefix("user:").and_then(|id| id.parse().ok()).map(UserId);
            MonitorLine {
                at: e.body.at,
                supervisor: supervisor.and_then(|id| names.get(&id).cloned()),
                mode: details.get("mode").cloned().unwrap_or_default(),
            }
        })
        .collect())
}

/// A note on the contact, shown with the contact in full.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct NoteLine {
    at: UnixTime,
    author: Option<String>,
    /// Absent once it expired or the contact was erased.
    text: Option<String>,
}

/// Earlier calls with their agents' names and disposition labels, newest first.
async fn earlier_calls(
    state: &AppState,
    tenant: TenantId,
    calls: &[CallRecord],
    names: &BTreeMap<UserId, String>,
) -> Result<Vec<EarlierCall>, ApiError> {
    let mut labels: BTreeMap<(bool, i64), Vec<Disposition>> = BTreeMap::new();
    for call in calls {
        let key = match (call.campaign_id, call.queue_id) {
            (Some(id), _) => (true, id),
            (None, Some(id)) => (false, id),
            (None, None) => continue,
        };
        if labels.contains_key(&key) {
            continue;
        }
        let listed = match key {
            (true, id) => match state.store.campaign(tenant, id).await? {
                Some(campaign) => campaign.settings.clone().dispositions,
                None => Vec::new(),
            },
            (false, id) => match state.store.queue(tenant, id).await? {
                Some(queue) => queue.settings.clone().dispositions,
                None => Vec::new(),
            },
        };
        labels.insert(key, listed);
    }
    Ok(calls
        .iter()
        .map(|c| {
            let key = c.campaign_id.map(|id| (true, id)).or(c.queue_id.map(|id| (false, id)));
            let disposition_label = c.disposition.as_ref().and_then(|code| {
                key.and_then(|k| labels.get(&k)).and_then(|list| list.iter().find(|d| &d.code == code)).map(|d| d.label.clone())
            });
            EarlierCall {
                at: c.placed_at.unwrap_or(c.offered_at),
                result: c.result,
                disposition: c.disposition.clone(),
                disposition_label,
                agent: c.agent_id.and_then(|a| names.get(&a).cloned()),
            }
        })
        .collect())
}

/// An agent without a call of their own: a colleague may be consulting them.
async fn consulted_view(state: &AppState, tenant: TenantId, agent: UserId) -> Result<WorkView, ApiError> {
    let asked = EngineCommand::new(tenant, agent, Step::ConsultedIn);
    let Some(consultation) = carry::<Option<ConsultationSeen>>(state, asked).await? else { return Ok(WorkView::idle()) };
    let by = UserId(consultation.agent);
    let agent = Colleague::named(by, state.store.user(tenant, by).await?.map(|u| u.shown_name().to_owned()));
    Ok(WorkView { consulted_by: Some(ConsultedByView { agent, conference: consultation.conference }), ..WorkView::idle() })
}

/// Seconds of wrap-up left, while the call is in wrap-up under a limit.
fn wrap_up_within(call: &CallRecord, limit: u32, now: UnixTime) -> Option<i64> {
    let ended = call.ended_at.filter(|_| call.state == trustline_store::CallState::WrapUp)?;
    trustline_domain::agent::wrap_up_left(ended, limit, now)
}

/// The agent's current work: the call, the contact (unmasked only while the
/// agent is connected to it or wrapping it up), the script, the
/// dispositions and the contact's earlier calls. Reading it is audited.
async fn work_view(state: &AppState, authed: &Authed, tenant: TenantId, agent: UserId) -> Result<WorkView, ApiError> {
    let Some(call) = state.store.agent_call(tenant, agent).await? else { return consulted_view(state, tenant, agent).await };
    // Seconds, not times: the desk counts on whatever its own clock says.
    let now = state.clock.now();
    // Agents', supervisors' and note authors' names, read once for the whole view.
    let names: BTreeMap<UserId, String> =
        state.store.list_users(tenant).await?.into_iter().map(|u| (u.id, u.shown_name().to_owned())).collect();
    let mut view = WorkView {
        call: Some(CallView::from(&call)),
        in_state_for: call.state_since().map(|since| (now - since).max(0)),
        on_hold_for: call.held_since.map(|since| (now - since).max(0)),
        ..WorkView::idle()
    };
    if matches!(call.state, trustline_store::CallState::Connected | trustline_store::CallState::WrapUp) {
        view.monitoring = Some(monitoring_of(state, tenant, call.id, &names).await?);
        let asked = EngineCommand::new(tenant, agent, Step::ConsultationOf { call: call.id });
        view.consult = carry::<Option<ConsultationSeen>>(state, asked).await?.map(|c| {
            let colleague = c.colleague.map(UserId).map(|id| Colleague::named(id, names.get(&id).cloned()));
            ConsultView { number: c.number, colleague, answered: c.answered, conference: c.conference }
        });
    }
    if let Some(id) = call.campaign_id
        && let Some(campaign) = state.store.campaign(tenant, id).await?
    {
        let settings = campaign.settings.clone();
        view.wrap_up_within = wrap_up_within(&call, settings.wrap_up_seconds, now);
        view.campaign = Some(ScriptView { id, name: campaign.name, script: settings.script, dispositions: settings.dispositions });
    }
    if let Some(id) = call.queue_id
        && let Some(queue) = state.store.queue(tenant, id).await?
    {
        let settings = queue.settings.clone();
        view.wrap_up_within = wrap_up_within(&call, settings.wrap_up_seconds, now);
        if call.state == trustline_store::CallState::Offered {
            let status = state.store.agent_status(tenant, agent).await?;
            if let Some(deadline) = trustline_dialer::answer_by(&call, status.as_ref(), &settings) {
                // Seconds, not a time: the desk counts down whatever its own clock says.
                view.answer_within = Some((deadline - state.clock.now()).max(0));
            }
        }
        view.queue = Some(ScriptView { id, name: queue.name, script: settings.script, dispositions: settings.dispositions });
    }
    if let Some(contact) = call.contact_id {
        let Some((sealed, opened)) = state.vault.load_contact(tenant, contact).await? else { return Ok(view) };
        let working = crate::contact_access::works_live(&call, sealed.id);
        let audit = authed.caller.audit(state, AuditAction::ContactView, subject_label(sealed.id)).detail("masked", (!working).to_string());
        state.appender.append(audit).await?;
        view.contact = Some(if working { ContactView::full(&opened) } else { ContactView::masked(&opened) });
        let earlier: Vec<CallRecord> =
            state.store.contact_calls(tenant, contact, 20).await?.into_iter().filter(|c| c.id != call.id).collect();
        view.history = Some(earlier_calls(state, tenant, &earlier, &names).await?);
        if working {
            let mut notes = state.vault.open_notes(&sealed).await?;
            notes.sort_by_key(|n| std::cmp::Reverse((n.created_at, n.id)));
            view.notes = Some(
                notes.into_iter().map(|n| NoteLine { at: n.created_at, author: names.get(&n.author_id).cloned(), text: n.body }).collect(),
            );
        }
    }
    Ok(view)
}

pub(crate) async fn current(State(state): State<AppState>, authed: Authed) -> Result<Json<WorkView>, ApiError> {
    let (tenant, agent) = (authed.principal.tenant.id, authed.principal.user.id);
    Ok(Json(work_view(&state, &authed, tenant, agent).await?))
}

/// The next contact of a running preview campaign, offered to the caller.
/// `{"call": null}` when nobody may be dialled now.
pub(crate) async fn next(State(state): State<AppState>, authed: Authed) -> Result<Json<WorkView>, ApiError> {
    let (tenant, agent) = (authed.principal.tenant.id, authed.principal.user.id);
    match carry::<Option<i64>>(&state, authed.command(Step::OfferNext)).await? {
        Some(_) => Ok(Json(work_view(&state, &authed, tenant, agent).await?)),
        None => Ok(Json(WorkView::idle())),
    }
}

pub(crate) async fn dial(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::Dial { call: id })).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn skip(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::Skip { call: id })).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn accept(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::Accept { call: id })).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn decline(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::Decline { call: id })).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn hold(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::Hold { call: id, on: true })).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn resume(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::Hold { call: id, on: false })).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Keys the agent presses on the dial pad, played to the person.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeysInput {
    /// 1 to 32 of `0`-`9`, `*`, `#`, `A`-`D`.
    #[schemars(length(min = 1, max = 32), pattern(r"^[0-9*#A-D]+$"))]
    keys: String,
}

pub(crate) async fn send_keys(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<KeysInput>,
) -> Result<StatusCode, ApiError> {
    trustline_telephony::DtmfDigits::parse(&input.keys)?;
    carry::<()>(&state, authed.command(Step::SendKeys { call: id, keys: input.keys })).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn cancel(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::Cancel { call: id })).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn hang_up(State(state): State<AppState>, authed: Authed, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, ApiError> {
    carry::<()>(&state, authed.command(Step::HangUp { call: id })).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DispositionInput {
    /// One of the campaign's disposition codes.
    disposition: String,
    /// A note kept with the contact (encrypted like the contact's data).
    #[schemars(length(min = 1, max = crate::handlers::contacts_api::MAX_NOTE), pattern(trustline_domain::NOT_BLANK))]
    note: Option<String>,
    /// Unix time to call back, for a callback disposition.
    callback_at: Option<i64>,
    /// The callback is for the caller only (otherwise for any agent).
    #[serde(default)]
    personal_callback: bool,
}

pub(crate) async fn dispose(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DispositionInput>,
) -> Result<StatusCode, ApiError> {
    let (tenant, agent) = (authed.principal.tenant.id, authed.principal.user.id);
    let note = input.note.as_deref().map(checked_note).transpose()?;
    let disposed = Step::Dispose { call: id, code: input.disposition, callback_at: input.callback_at, personal: input.personal_callback };
    let Disposed { contact, outcome } = carry(&state, authed.command(disposed)).await?;
    let Some(contact) = contact.map(ContactId) else { return Ok(StatusCode::NO_CONTENT) };
    let Some((sealed, opened)) = state.vault.load_contact(tenant, contact).await? else { return Ok(StatusCode::NO_CONTENT) };
    if let Some(body) = note {
        let audit = authed.caller.audit(&state, AuditAction::ContactNoteAdd, subject_label(sealed.id)).detail("call", id.to_string());
        state.vault.add_note(&sealed, agent, body, audit).await?;
    }
    if outcome == DispositionOutcome::DoNotCall && !sealed.consent.do_not_contact {
        record_do_not_contact(&state, &authed, &sealed, &opened, "call disposition").await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
