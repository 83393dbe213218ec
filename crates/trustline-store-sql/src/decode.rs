//! Turning rows into records, written once for every engine. An engine only
//! says how to read one typed column; a value that does not decode is
//! reported as corrupt data, naming the column but never its contents.

use trustline_audit::{Checkpoint, EventBody, Hash, StoredEvent};
use trustline_domain::contact::{Consent, ConsentKind, CustomFieldDef, CustomFieldKind};
use trustline_domain::trunks::SignallingTransport;
use trustline_domain::{Action, CallResult, ContactId, Role, SessionStage, SessionTimes, TenantId, TokenId, UserId};
use trustline_store::{
    ApiToken, CallList, ConsentEvent, ConsentState, ErasureEntry, ImportCounts, ImportRecord, ImportRejection, InstallationRecord,
    ListStatus, PhoneOwner, SealedContact, SealedFields, SealedNote, Session, StoreError, Tenant, User, WrappedIndexKey, WrappedSubjectKey,
    WrappedTenantKey,
};

/// Typed access to the columns of one row.
pub trait Columns {
    fn int(&self, column: &'static str) -> Result<i64, StoreError>;
    fn opt_int(&self, column: &'static str) -> Result<Option<i64>, StoreError>;
    fn text(&self, column: &'static str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError>;
    fn flag(&self, column: &'static str) -> Result<bool, StoreError>;
    fn bytes(&self, column: &'static str) -> Result<Vec<u8>, StoreError>;
    fn opt_bytes(&self, column: &'static str) -> Result<Option<Vec<u8>>, StoreError>;
}

/// A column holding a domain value as JSON.
pub fn json<T: serde::de::DeserializeOwned>(row: &impl Columns, column: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(&row.text(column)?).map_err(|_| undecodable(column))
}

/// A domain value as the JSON a column keeps.
pub fn to_json(value: &impl serde::Serialize, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|_| StoreError::Corrupt(format!("{what} does not encode")))
}

/// The error an engine reports for a column that does not decode.
pub fn undecodable(column: &'static str) -> StoreError {
    StoreError::Corrupt(format!("column {column} does not decode"))
}

pub fn hash_from(bytes: &[u8], column: &'static str) -> Result<Hash, StoreError> {
    Hash::try_from(bytes).map_err(|_| StoreError::Corrupt(format!("column {column} is not a 32-byte hash")))
}

pub fn hash(row: &impl Columns, column: &'static str) -> Result<Hash, StoreError> {
    hash_from(&row.bytes(column)?, column)
}

/// A chain head: its position and hash.
pub fn head(row: &impl Columns) -> Result<(i64, Hash), StoreError> {
    Ok((row.int("seq")?, hash(row, "hash")?))
}

fn role(row: &impl Columns) -> Result<Role, StoreError> {
    Role::parse(&row.text("role")?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn tenant(row: &impl Columns) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: TenantId(row.int("id")?),
        slug: row.text("slug")?,
        name: row.text("name")?,
        require_mfa: row.flag("require_mfa")?,
        created_at: row.int("created_at")?,
        ended_at: row.opt_int("ended_at")?,
        default_region: row.opt_text("default_region")?,
    })
}

pub fn user(row: &impl Columns) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(row.int("id")?),
        tenant_id: TenantId(row.int("tenant_id")?),
        username: row.text("username")?,
        display_name: row.text("display_name")?,
        role: role(row)?,
        password_hash: row.text("password_hash")?,
        disabled: row.flag("disabled")?,
        totp_seed: row.opt_bytes("totp_seed")?,
        totp_pending: row.opt_bytes("totp_pending")?,
        totp_last_step: row.opt_int("totp_last_step")?,
        created_at: row.int("created_at")?,
        last_sign_in_at: row.opt_int("last_sign_in_at")?,
        password_must_change: row.flag("password_must_change")?,
        manual_calls: row.flag("manual_calls")?,
    })
}

pub fn session(row: &impl Columns) -> Result<Session, StoreError> {
    Ok(Session {
        token_digest: hash(row, "token_digest")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        user_id: UserId(row.int("user_id")?),
        stage: SessionStage::parse(&row.text("stage")?).ok_or_else(|| StoreError::Corrupt("unknown session stage".into()))?,
        times: SessionTimes { created_at: row.int("created_at")?, last_seen_at: row.int("last_seen_at")? },
    })
}

pub fn token(row: &impl Columns) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: TokenId(row.int("id")?),
        tenant_id: TenantId(row.int("tenant_id")?),
        name: row.text("name")?,
        role: role(row)?,
        scopes: row
            .text("scopes")?
            .split_whitespace()
            .map(Action::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_by: UserId(row.int("created_by")?),
        created_at: row.int("created_at")?,
        expires_at: row.int("expires_at")?,
        revoked: row.flag("revoked")?,
    })
}

pub fn event(row: &impl Columns) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        body: EventBody {
            tenant_id: row.int("tenant_id")?,
            seq: row.int("seq")?,
            at: row.int("at")?,
            actor: row.text("actor")?,
            action: row.text("action")?,
            target: row.text("target")?,
            outcome: row.text("outcome")?,
            source: row.text("source")?,
            details: row.text("details")?,
        },
        prev_hash: hash(row, "prev_hash")?,
        hash: hash(row, "hash")?,
        seal: hash(row, "seal")?,
    })
}

pub fn checkpoint(row: &impl Columns) -> Result<Checkpoint, StoreError> {
    Ok(Checkpoint {
        tenant_id: row.int("tenant_id")?,
        seq: row.int("seq")?,
        hash: hash(row, "hash")?,
        at: row.int("at")?,
        signature: row.bytes("signature")?,
    })
}

fn version(row: &impl Columns, column: &'static str) -> Result<u32, StoreError> {
    u32::try_from(row.int(column)?).map_err(|_| undecodable(column))
}

pub fn fingerprint(row: &impl Columns, column: &'static str) -> Result<[u8; 16], StoreError> {
    <[u8; 16]>::try_from(row.bytes(column)?.as_slice()).map_err(|_| undecodable(column))
}

pub fn installation(row: &impl Columns) -> Result<InstallationRecord, StoreError> {
    Ok(InstallationRecord { wrapped_secret: row.bytes("secret")?, master_fingerprint: fingerprint(row, "master_fingerprint")? })
}

pub fn tenant_key(row: &impl Columns) -> Result<WrappedTenantKey, StoreError> {
    Ok(WrappedTenantKey { tenant_id: TenantId(row.int("tenant_id")?), version: version(row, "version")?, wrapped: row.bytes("wrapped")? })
}

pub fn index_key(row: &impl Columns) -> Result<WrappedIndexKey, StoreError> {
    Ok(WrappedIndexKey { tenant_id: TenantId(row.int("tenant_id")?), wrapped: row.bytes("wrapped")? })
}

pub fn subject_key(row: &impl Columns) -> Result<WrappedSubjectKey, StoreError> {
    Ok(WrappedSubjectKey { contact_id: ContactId(row.int("id")?), version: version(row, "key_version")?, wrapped: row.bytes("data_key")? })
}

fn opt_version(row: &impl Columns, column: &'static str) -> Result<Option<u32>, StoreError> {
    row.opt_int(column)?.map(|v| u32::try_from(v).map_err(|_| undecodable(column))).transpose()
}

pub fn sealed_contact(row: &impl Columns) -> Result<SealedContact, StoreError> {
    Ok(SealedContact {
        tenant_id: TenantId(row.int("tenant_id")?),
        id: ContactId(row.int("id")?),
        key_version: opt_version(row, "key_version")?,
        data_key: row.opt_bytes("data_key")?,
        fields: SealedFields {
            name: row.opt_bytes("name")?,
            phones: row.opt_bytes("phones")?,
            email: row.opt_bytes("email")?,
            address: row.opt_bytes("address")?,
            language: row.opt_bytes("language")?,
            custom: row.opt_bytes("custom")?,
        },
        region: row.opt_text("region")?,
        time_zone: row.opt_text("time_zone")?,
        consent: ConsentState {
            consent: Consent::parse(&row.text("consent")?).map_err(|_| undecodable("consent"))?,
            consent_source: row.opt_text("consent_source")?,
            consent_at: row.opt_int("consent_at")?,
            do_not_contact: row.flag("do_not_contact")?,
            dnc_source: row.opt_text("dnc_source")?,
            dnc_at: row.opt_int("dnc_at")?,
            restricted: row.flag("restricted")?,
        },
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
        last_worked_at: row.opt_int("last_worked_at")?,
        erased_at: row.opt_int("erased_at")?,
    })
}

pub fn consent_event(row: &impl Columns) -> Result<ConsentEvent, StoreError> {
    Ok(ConsentEvent {
        at: row.int("at")?,
        kind: ConsentKind::parse(&row.text("kind")?).ok_or_else(|| undecodable("kind"))?,
        value: row.text("value")?,
        source: row.text("source")?,
        actor: row.text("actor")?,
    })
}

pub fn note(row: &impl Columns) -> Result<SealedNote, StoreError> {
    Ok(SealedNote {
        tenant_id: TenantId(row.int("tenant_id")?),
        id: row.int("id")?,
        contact_id: ContactId(row.int("contact_id")?),
        author_id: UserId(row.int("author_id")?),
        body: row.opt_bytes("body")?,
        created_at: row.int("created_at")?,
    })
}

pub fn erasure(row: &impl Columns) -> Result<ErasureEntry, StoreError> {
    Ok(ErasureEntry {
        tenant_id: TenantId(row.int("tenant_id")?),
        contact_id: ContactId(row.int("contact_id")?),
        erased_at: row.int("erased_at")?,
        reason: row.text("reason")?,
    })
}

/// Choices are stored one per line (a choice cannot contain a line break).
pub fn custom_field(row: &impl Columns) -> Result<CustomFieldDef, StoreError> {
    let kind = match row.text("kind")?.as_str() {
        "text" => CustomFieldKind::Text,
        "number" => CustomFieldKind::Number,
        "date" => CustomFieldKind::Date,
        "choice" => CustomFieldKind::Choice(row.text("choices")?.lines().map(str::to_owned).collect()),
        _ => return Err(undecodable("kind")),
    };
    Ok(CustomFieldDef { name: row.text("name")?, label: row.text("label")?, kind, required: row.flag("required")? })
}

/// The `kind` and `choices` columns of a definition.
pub fn custom_field_columns(field: &CustomFieldDef) -> (&'static str, String) {
    match &field.kind {
        CustomFieldKind::Text => ("text", String::new()),
        CustomFieldKind::Number => ("number", String::new()),
        CustomFieldKind::Date => ("date", String::new()),
        CustomFieldKind::Choice(choices) => ("choice", choices.join("\n")),
    }
}

pub fn call_list(row: &impl Columns) -> Result<CallList, StoreError> {
    let status = match row.text("status")?.as_str() {
        "importing" => ListStatus::Importing,
        "ready" => ListStatus::Ready,
        _ => return Err(undecodable("status")),
    };
    Ok(CallList {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        name: row.text("name")?,
        status,
        created_at: row.int("created_at")?,
        members: row.int("members")?,
    })
}

fn position(row: &impl Columns, column: &'static str) -> Result<u64, StoreError> {
    u64::try_from(row.int(column)?).map_err(|_| undecodable(column))
}

pub fn import(row: &impl Columns) -> Result<ImportRecord, StoreError> {
    Ok(ImportRecord {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        list_id: row.int("list_id")?,
        file_name: row.text("file_name")?,
        file_digest: hash(row, "file_digest")?,
        mapping: row.text("mapping")?,
        finished: row.text("status")? == "finished",
        byte_offset: position(row, "byte_offset")?,
        line: position(row, "line")?,
        counts: ImportCounts {
            accepted: row.int("accepted")?,
            linked: row.int("linked")?,
            rejected: row.int("rejected")?,
            duplicates: row.int("duplicates")?,
            suppressed: row.int("suppressed")?,
        },
        started_at: row.int("started_at")?,
        finished_at: row.opt_int("finished_at")?,
    })
}

pub fn rejection(row: &impl Columns) -> Result<ImportRejection, StoreError> {
    Ok(ImportRejection { line: position(row, "line")?, field: row.text("field")?, reason: row.text("reason")? })
}

pub fn phone_owner(row: &impl Columns) -> Result<PhoneOwner, StoreError> {
    Ok(PhoneOwner {
        digest: hash(row, "digest")?,
        contact_id: ContactId(row.int("contact_id")?),
        do_not_contact: row.flag("do_not_contact")?,
    })
}

pub fn agent_status(row: &impl Columns) -> Result<trustline_store::AgentStatus, StoreError> {
    Ok(trustline_store::AgentStatus {
        user_id: UserId(row.int("user_id")?),
        state: trustline_domain::agent::AgentState::from_code(&row.text("state")?, row.opt_text("reason")?.as_deref())
            .ok_or_else(|| undecodable("state"))?,
        since: row.int("since")?,
    })
}

pub fn agent_history(row: &impl Columns) -> Result<trustline_store::AgentHistoryEntry, StoreError> {
    Ok(trustline_store::AgentHistoryEntry {
        at: row.int("at")?,
        event: row.text("event")?,
        from: row.text("from_state")?,
        to: row.text("to_state")?,
        reason: row.opt_text("reason")?,
    })
}

/// A campaign row; its lists come separately.
pub fn campaign(row: &impl Columns) -> Result<trustline_store::Campaign, StoreError> {
    Ok(trustline_store::Campaign {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        name: row.text("name")?,
        status: trustline_domain::dialing::CampaignStatus::parse(&row.text("status")?).map_err(|_| undecodable("status"))?,
        settings: json(row, "settings")?,
        list_ids: Vec::new(),
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

pub fn queue(row: &impl Columns) -> Result<trustline_store::Queue, StoreError> {
    Ok(trustline_store::Queue {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        name: row.text("name")?,
        number: row.text("number")?,
        settings: json(row, "settings")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

pub fn webhook(row: &impl Columns) -> Result<trustline_store::Webhook, StoreError> {
    Ok(trustline_store::Webhook {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        url: row.text("url")?,
        events: row.text("events")?,
        description: row.text("description")?,
        sealed_secret: row.bytes("sealed_secret")?,
        created_at: row.int("created_at")?,
    })
}

pub fn desk_phone_login(row: &impl Columns) -> Result<trustline_store::DeskPhoneLogin, StoreError> {
    Ok(trustline_store::DeskPhoneLogin {
        user_id: UserId(row.int("user_id")?),
        tenant_id: TenantId(row.int("tenant_id")?),
        username: row.text("username")?,
        sealed_secrets: row.bytes("sealed_secrets")?,
        created_at: row.int("created_at")?,
    })
}

pub fn sip_trunk(row: &impl Columns) -> Result<trustline_store::SipTrunk, StoreError> {
    let username = row.opt_text("digest_username")?;
    let sealed_password = row.opt_bytes("sealed_password")?;
    let digest = match (username, sealed_password) {
        (Some(username), Some(sealed_password)) => {
            Some(trustline_store::SealedLogin { username, sealed_password, register: row.flag("register")? })
        }
        (None, None) => None,
        _ => return Err(undecodable("sealed_password")),
    };
    Ok(trustline_store::SipTrunk {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        name: row.text("name")?,
        host: row.text("host")?,
        port: u16::try_from(row.int("port")?).map_err(|_| undecodable("port"))?,
        transport: SignallingTransport::parse(&row.text("transport")?).ok_or_else(|| undecodable("transport"))?,
        srtp: row.flag("srtp")?,
        sources: json(row, "sources")?,
        caller_id: row.opt_text("caller_id")?,
        digest,
        registration: match (row.opt_text("registration")?, row.opt_text("registration_detail")?, row.opt_int("registration_at")?) {
            (Some(state), Some(detail), Some(at)) => Some(trustline_store::TrunkRegistration { state, detail, at }),
            _ => None,
        },
        created_at: row.int("created_at")?,
    })
}

pub fn webhook_delivery(row: &impl Columns) -> Result<trustline_store::WebhookDelivery, StoreError> {
    Ok(trustline_store::WebhookDelivery {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        webhook_id: row.int("webhook_id")?,
        event: row.text("event")?,
        payload: row.text("payload")?,
        state: row.text("state")?,
        attempts: count(row.int("attempts")?),
        next_attempt_at: row.opt_int("next_attempt_at")?,
        last_status: row.opt_int("last_status")?,
        last_error: row.opt_text("last_error")?,
        created_at: row.int("created_at")?,
        delivered_at: row.opt_int("delivered_at")?,
    })
}

pub fn job_run(row: &impl Columns) -> Result<trustline_store::JobRunRecord, StoreError> {
    Ok(trustline_store::JobRunRecord { at: row.int("at")?, ok: row.flag("ok")?, detail: row.text("detail")? })
}

pub fn control_check(row: &impl Columns) -> Result<trustline_domain::control_checks::ControlCheck, StoreError> {
    Ok(trustline_domain::control_checks::ControlCheck {
        control_id: row.text("control_id")?,
        status: row.text("status")?,
        evidence: row.text("evidence")?,
        checked_at: row.int("checked_at")?,
    })
}

pub fn course(row: &impl Columns) -> Result<trustline_domain::training::Course, StoreError> {
    Ok(trustline_domain::training::Course {
        id: row.int("id")?,
        title: row.text("title")?,
        validity_days: count(row.int("validity_days")?),
        required: row.flag("required")?,
    })
}

pub fn incident(row: &impl Columns) -> Result<trustline_store::IncidentRecord, StoreError> {
    Ok(trustline_store::IncidentRecord {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        kind: trustline_domain::incidents::IncidentKind::parse(&row.text("kind")?).ok_or_else(|| undecodable("kind"))?,
        dedup_key: row.text("dedup_key")?,
        severity: trustline_domain::incidents::Severity::parse(&row.text("severity")?).ok_or_else(|| undecodable("severity"))?,
        title: row.text("title")?,
        opened_at: row.int("opened_at")?,
        respond_by: row.int("respond_by")?,
        updated_at: row.int("updated_at")?,
        reminded_hours: row.opt_int("reminded_hours")?,
        state: trustline_store::IncidentState {
            status: trustline_domain::incidents::IncidentStatus::parse(&row.text("status")?).ok_or_else(|| undecodable("status"))?,
            owner_id: row.opt_int("owner_id")?.map(UserId),
            breach_aware_at: row.opt_int("breach_aware_at")?,
            notify_by: row.opt_int("notify_by")?,
            notified_at: row.opt_int("notified_at")?,
            notification: row.opt_text("notification")?,
            root_cause: row.text("root_cause")?,
            lessons: row.text("lessons")?,
            closed_at: row.opt_int("closed_at")?,
        },
    })
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

pub fn attempt_record(row: &impl Columns) -> Result<trustline_store::AttemptRecord, StoreError> {
    Ok(trustline_store::AttemptRecord {
        attempts: count(row.int("attempts")?),
        last_attempt_at: row.opt_int("last_attempt_at")?,
        last_outcome: row.opt_text("last_outcome")?,
        callback_at: row.opt_int("callback_at")?,
        callback_agent: row.opt_int("callback_agent")?.map(UserId),
        due_at: row.opt_int("due_at")?,
    })
}

/// A contact of a campaign with its attempts (absent if never attempted).
pub fn dial_candidate(row: &impl Columns) -> Result<trustline_store::DialCandidate, StoreError> {
    Ok(trustline_store::DialCandidate {
        contact_id: ContactId(row.int("contact_id")?),
        region: row.opt_text("region")?,
        time_zone: row.opt_text("time_zone")?,
        do_not_contact: row.flag("do_not_contact")?,
        restricted: row.flag("restricted")?,
        attempts: if row.flag("attempted")? { Some(attempt_record(row)?) } else { None },
    })
}

pub fn call(row: &impl Columns) -> Result<trustline_store::CallRecord, StoreError> {
    let state = row.text("state")?;
    Ok(trustline_store::CallRecord {
        id: row.int("id")?,
        tenant_id: TenantId(row.int("tenant_id")?),
        direction: trustline_store::CallDirection::parse(&row.text("direction")?).ok_or_else(|| undecodable("direction"))?,
        campaign_id: row.opt_int("campaign_id")?,
        queue_id: row.opt_int("queue_id")?,
        contact_id: row.opt_int("contact_id")?.map(ContactId),
        agent_id: row.opt_int("agent_id")?.map(UserId),
        mode: trustline_store::CallMode::parse(&row.text("mode")?).ok_or_else(|| undecodable("mode"))?,
        state: trustline_store::CallState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("call state {state:?}")))?,
        result: row.opt_text("result")?.map(|r| CallResult::parse(&r).map_err(|_| undecodable("result"))).transpose()?,
        offered_at: row.int("offered_at")?,
        placed_at: row.opt_int("placed_at")?,
        answered_at: row.opt_int("answered_at")?,
        connected_at: row.opt_int("connected_at")?,
        ended_at: row.opt_int("ended_at")?,
        disposition: row.opt_text("disposition")?,
        outcome: row
            .opt_text("outcome")?
            .map(|o| trustline_domain::dialing::DispositionOutcome::parse(&o).ok_or_else(|| undecodable("outcome")))
            .transpose()?,
        disposed_at: row.opt_int("disposed_at")?,
        callback_requested_at: row.opt_int("callback_requested_at")?,
        held_since: row.opt_int("held_since")?,
        hold_seconds: row.int("hold_seconds")?,
        transferred_from: row.opt_int("transferred_from")?,
    })
}

/// A `leases` row as `(name, holder, token, expires_at)`.
pub fn lease_record((name, holder, token, expires_at): (String, String, i64, i64)) -> trustline_store::LeaseRecord {
    trustline_store::LeaseRecord { name, holder: trustline_store::NodeId(holder), token, expires_at }
}
