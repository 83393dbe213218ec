//! Contacts. Every response that carries personal data is preceded by an
//! audit event that must commit first; agents see masked values except for
//! the contact they are working, and any other full view is a reveal with a
//! stated reason.

use super::contact_view::ContactView;
use crate::auth::Authed;
use crate::contact_access;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::handlers::views::Created;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use trustline_domain::contact::{ConsentKind, ConsentUpdate, ContactInput, EmailAddress, ValidatedContact};
use trustline_domain::webhooks::WebhookEvent;
use trustline_domain::{Action, AuditAction, ContactId, UserId, bounded_text};
use trustline_phone::{DefaultRegion, PhoneRules};
use trustline_store::{ConsentChange, ConsentEvent, ConsentState, SealedContact};
use trustline_vault::{OpenedContact, OpenedNote, subject_label};

const MAX_PAGE: u32 = 200;

async fn validate(state: &AppState, authed: &Authed, input: &ContactInput) -> Result<ValidatedContact, ApiError> {
    let custom = state.store.custom_fields(authed.principal.tenant.id).await?;
    let rules = PhoneRules { default_region: authed.principal.tenant.default_region.as_deref().and_then(|r| DefaultRegion::parse(r).ok()) };
    // Custom fields are the tenant's own set-up (which exist, which are
    // required, what values they take): when nothing else is wrong, what
    // they refuse is a conflict with that set-up, not a broken rule.
    input.validate(&custom, &rules).map_err(|fields| {
        if fields.iter().all(|f| f.field.starts_with("custom.")) {
            ApiError::with_fields(ErrorCode::CustomFields, fields)
        } else {
            ApiError::with_fields(ErrorCode::InvalidContact, fields)
        }
    })
}

async fn load(state: &AppState, authed: &Authed, id: i64) -> Result<(SealedContact, OpenedContact), ApiError> {
    state.vault.load_contact(authed.principal.tenant.id, ContactId(id)).await?.ok_or_else(ApiError::not_found)
}

pub(crate) async fn create(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let contact = validate(&state, &authed, &input).await?;
    let audit = authed.caller.audit(&state, AuditAction::ContactCreate, "contact");
    let id = state.vault.create_contact(authed.principal.tenant.id, &contact, ConsentState::unknown(), audit).await.map_err(|e| {
        match ApiError::from(e) {
            conflict if conflict.status() == StatusCode::CONFLICT => {
                ApiError::new(ErrorCode::DuplicatePhone, "a contact with one of these phone numbers already exists")
            }
            other => other,
        }
    })?;
    let data = json!({ "contact_id": id.0, "source": "api" });
    crate::webhooks::publish(state.store.as_ref(), state.clock.now(), authed.principal.tenant.id, WebhookEvent::ContactCreated, data).await;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    #[serde(default)]
    after: i64,
    /// At most this many (more than 200 gives 200).
    #[schemars(range(max = u32::MAX))]
    limit: Option<u32>,
}

/// A page of contacts, masked.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ContactPage {
    contacts: Vec<ContactView>,
    /// Give as `after` for the next page; null after the last one.
    next_after: Option<ContactId>,
}

/// Always masked: a list is for finding a record, not for reading it.
pub(crate) async fn list(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<ContactPage>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let limit = page.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let rows = state.store.contacts(tenant, ContactId(page.after), limit).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows.iter().filter(|r| r.erased_at.is_none()) {
        views.push(ContactView::masked(&state.vault.open_contact(row).await?));
    }
    let audit = authed.caller.audit(&state, AuditAction::ContactList, format!("tenant:{tenant}")).detail("count", views.len().to_string());
    state.appender.append(audit).await?;
    let next = rows.last().map(|r| r.id);
    Ok(Json(ContactPage { contacts: views, next_after: next }))
}

/// A contact, with its notes when shown in full.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ContactRecord {
    contact: ContactView,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<Vec<OpenedNote>>,
}

/// Unmasked only for the agent in a call with this contact right now.
pub(crate) async fn show(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ContactRecord>, ApiError> {
    let (sealed, opened) = load(&state, &authed, id).await?;
    let principal = &authed.principal;
    let working = contact_access::working_live(&state, principal.tenant.id, principal.user.id, sealed.id).await?;
    let audit = authed.caller.audit(&state, AuditAction::ContactView, subject_label(sealed.id)).detail("masked", (!working).to_string());
    state.appender.append(audit).await?;
    if working {
        let notes = state.vault.open_notes(&sealed).await?;
        Ok(Json(ContactRecord { contact: ContactView::full(&opened), notes: Some(notes) }))
    } else {
        Ok(Json(ContactRecord { contact: ContactView::masked(&opened), notes: None }))
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevealRequest {
    /// Why you need to see the contact in full (kept in the audit log).
    #[schemars(length(min = 5, max = 200), pattern(trustline_domain::NOT_BLANK))]
    reason: String,
}

/// A deliberate, audited full view of a contact one is not working.
pub(crate) async fn reveal(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RevealRequest>,
) -> Result<Json<ContactRecord>, ApiError> {
    let Some(reason) = bounded_text(&input.reason, 5, 200) else {
        return Err(ApiError::new(ErrorCode::ReasonRequired, "say why you need to see this contact (5 to 200 characters)"));
    };
    let (sealed, opened) = load(&state, &authed, id).await?;
    let audit = authed.caller.audit(&state, AuditAction::ContactReveal, subject_label(sealed.id)).detail("reason", reason);
    state.appender.append(audit).await?;
    Ok(Json(ContactRecord { contact: ContactView::full(&opened), notes: None }))
}

/// Rectification (GDPR art. 16): the whole record is replaced by the input.
pub(crate) async fn rectify(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<StatusCode, ApiError> {
    let contact = validate(&state, &authed, &input).await?;
    let (sealed, opened) = load(&state, &authed, id).await?;
    let changed = changed_fields(&opened, &contact);
    let audit = authed.caller.audit(&state, AuditAction::ContactRectify, subject_label(sealed.id)).detail("fields", changed.join(","));
    state.vault.rectify_contact(&sealed, &contact, audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The names (never the values) of the fields a rectification changes.
fn changed_fields(before: &OpenedContact, after: &ValidatedContact) -> Vec<&'static str> {
    let (b, a) = (&before.details, &after.details);
    [
        ("name", b.name != a.name),
        ("phones", b.phones != a.phones),
        ("email", b.email != a.email),
        ("address", b.address != a.address),
        ("language", b.language != a.language),
        ("custom", b.custom != a.custom),
        ("time_zone", before.time_zone != after.time_zone),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}

/// A contact's consent history, oldest first.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ConsentHistory {
    history: Vec<ConsentEvent>,
}

/// Consent, do-not-contact, restriction (art. 18) and objection (art. 21),
/// each kept in the contact's history.
pub(crate) async fn change_consent(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<ConsentUpdate>,
) -> Result<Json<ConsentHistory>, ApiError> {
    let kind = change.kind();
    if matches!(kind, ConsentKind::Restriction | ConsentKind::Objection) && !authed.principal.may(Action::SubjectRights) {
        return Err(ApiError::forbidden());
    }
    let source = change.source();
    let (sealed, opened) = load(&state, &authed, id).await?;
    let at = state.clock.now();
    let flag = |on: bool| if on { "on" } else { "off" }.to_owned();
    let mut next = sealed.consent.clone();
    let value = match &change {
        ConsentUpdate::Consent { value, .. } => {
            (next.consent, next.consent_source, next.consent_at) = (*value, Some(source.to_owned()), Some(at));
            value.as_str().to_owned()
        }
        ConsentUpdate::DoNotContact { value, .. } => {
            (next.do_not_contact, next.dnc_source, next.dnc_at) = (value.is_on(), Some(source.to_owned()), Some(at));
            flag(value.is_on())
        }
        ConsentUpdate::Objection { .. } => {
            (next.do_not_contact, next.dnc_source, next.dnc_at) = (true, Some(source.to_owned()), Some(at));
            flag(true)
        }
        ConsentUpdate::Restriction { value, .. } => {
            next.restricted = value.is_on();
            flag(value.is_on())
        }
    };
    commit_consent(&state, &authed, &sealed, &opened, ConsentDecision { kind, next, value, source }).await?;
    let history = state.store.consent_history(sealed.tenant_id, sealed.id).await?;
    Ok(Json(ConsentHistory { history }))
}

/// A consent change to record: the contact's state after it, and the
/// history entry's value and source.
struct ConsentDecision<'a> {
    kind: ConsentKind,
    next: ConsentState,
    value: String,
    source: &'a str,
}

/// Records a consent change with its history entry and audit event; while
/// the contact is on do-not-contact, its numbers join the suppression list.
async fn commit_consent(
    state: &AppState,
    authed: &Authed,
    sealed: &SealedContact,
    opened: &OpenedContact,
    decision: ConsentDecision<'_>,
) -> Result<(), ApiError> {
    let ConsentDecision { kind, next, value, source } = decision;
    let at = state.clock.now();
    let actor = authed.principal.actor();
    let mut suppress = Vec::new();
    if next.do_not_contact {
        for number in &opened.details.phones {
            suppress.push(state.vault.phone_lookup(sealed.tenant_id, number, at, &actor).await?);
        }
    }
    let event = ConsentEvent { at, kind, value: value.clone(), source: source.to_owned(), actor };
    let audit = authed.caller.audit(state, kind.audit_action(), subject_label(sealed.id)).detail("value", value).detail("source", source);
    state.store.change_consent(sealed.tenant_id, sealed.id, ConsentChange { state: next, event, suppress }, audit).await?;
    Ok(())
}

/// Puts a contact on the do-not-contact list, e.g. after a call's
/// do-not-call disposition.
pub(crate) async fn record_do_not_contact(
    state: &AppState,
    authed: &Authed,
    sealed: &SealedContact,
    opened: &OpenedContact,
    source: &str,
) -> Result<(), ApiError> {
    let mut next = sealed.consent.clone();
    (next.do_not_contact, next.dnc_source, next.dnc_at) = (true, Some(source.to_owned()), Some(state.clock.now()));
    commit_consent(state, authed, sealed, opened, ConsentDecision { kind: ConsentKind::DoNotContact, next, value: "on".into(), source })
        .await
}

/// A note's text, trimmed, if it is 1 to 5000 characters.
pub(crate) fn checked_note(body: &str) -> Result<&str, ApiError> {
    bounded_text(body, 1, MAX_NOTE).ok_or_else(|| ApiError::new(ErrorCode::InvalidNote, "a note is 1 to 5000 characters, not blank"))
}

pub(crate) const MAX_NOTE: usize = 5000;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteRequest {
    #[schemars(length(min = 1, max = MAX_NOTE), pattern(trustline_domain::NOT_BLANK))]
    body: String,
}

pub(crate) async fn add_note(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<NoteRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let body = checked_note(&input.body)?;
    let (sealed, _) = load(&state, &authed, id).await?;
    let audit = authed.caller.audit(&state, AuditAction::ContactNoteAdd, subject_label(sealed.id));
    let note = state.vault.add_note(&sealed, authed.principal.user.id, body, audit).await?;
    Ok((StatusCode::CREATED, Json(Created { id: note })))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignRequest {
    user_id: i64,
}

/// Hands a contact to an agent to work. It shows them nothing more: the
/// contact stays masked until they are in a call with it.
pub(crate) async fn assign(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AssignRequest>,
) -> Result<StatusCode, ApiError> {
    let tenant = authed.principal.tenant.id;
    let user = state.store.user(tenant, UserId(input.user_id)).await?.ok_or_else(ApiError::not_found)?;
    let contact = state.store.contact(tenant, ContactId(id)).await?.filter(|c| c.erased_at.is_none()).ok_or_else(ApiError::not_found)?;
    let audit = authed.caller.audit(&state, AuditAction::ContactAssign, subject_label(contact.id)).detail("user", user.id.to_string());
    state.store.assign(tenant, user.id, Some(contact.id), state.clock.now(), audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LookupQuery {
    /// A phone number in E.164 form (`+442071838750`) or an e-mail address.
    #[schemars(schema_with = "lookup_value_schema")]
    q: String,
}

fn lookup_value_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            { "type": "string", "format": "e164", "description": "A phone number in E.164 form, valid in its country." },
            { "type": "string", "format": "email" },
        ],
    })
}

/// Contacts found, masked.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct FoundContacts {
    contacts: Vec<ContactView>,
}

/// Finds contacts by number or address through the blind indexes; answers
/// are masked. The audit event holds a MAC of what was looked up.
pub(crate) async fn lookup(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<FoundContacts>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let (at, actor) = (state.clock.now(), authed.principal.actor());
    let (ids, looked_up) = if query.q.contains('@') {
        let email = EmailAddress::parse(&query.q).map_err(|e| ApiError::new(ErrorCode::InvalidEmail, format!("q: the address {e}")))?;
        let digest = state.vault.email_lookup(tenant, &email, at, &actor).await?;
        (state.store.contacts_by_email(tenant, &digest).await?, email.lookup_form())
    } else {
        let number =
            trustline_phone::normalise(&query.q, None).map_err(|e| ApiError::new(ErrorCode::InvalidPhone, format!("q: the number {e}")))?;
        let digest = state.vault.phone_lookup(tenant, &number.number, at, &actor).await?;
        (state.store.contact_by_phone(tenant, &digest).await?.into_iter().collect::<Vec<_>>(), number.number.as_str().to_owned())
    };
    let audit = authed
        .caller
        .audit(&state, AuditAction::ContactLookup, format!("tenant:{tenant}"))
        .detail("value_mac", state.keys.audit_values.mac_hex(looked_up.as_bytes()))
        .detail("found", ids.len().to_string());
    state.appender.append(audit).await?;
    let mut views = Vec::new();
    for id in ids {
        if let Some((_, opened)) = state.vault.load_contact(tenant, id).await? {
            views.push(ContactView::masked(&opened));
        }
    }
    Ok(Json(FoundContacts { contacts: views }))
}
