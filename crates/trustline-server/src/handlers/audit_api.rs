use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trustline_app::verify_tenant;
use trustline_audit::StoredEvent;
use trustline_domain::contact::FieldError;
use trustline_domain::{AuditAction, CsvWriter, Period, checked_time};
use trustline_store::AuditSearch;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Page {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    #[schemars(range(max = u32::MAX))]
    limit: u32,
}

fn default_limit() -> u32 {
    100
}

/// Reading the audit trail is itself recorded.
pub(crate) async fn events(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let events = state.store.audit_events(tenant, page.after.max(0), page.limit.clamp(1, 1000)).await?;
    state
        .appender
        .append(authed.caller.audit(&state, AuditAction::AuditRead, format!("tenant:{tenant}")).detail("after", page.after.to_string()))
        .await?;
    Ok(Json(events))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchQuery {
    /// The action starts with this, e.g. `contact.`.
    #[schemars(length(max = SEARCH_TEXT))]
    action: Option<String>,
    /// The action does not start with this, e.g. `contact.view` to hide
    /// agents' routine views of their own work.
    #[schemars(length(max = SEARCH_TEXT))]
    not_action: Option<String>,
    /// The actor contains this, e.g. `user:3`.
    #[schemars(length(max = SEARCH_TEXT))]
    actor: Option<String>,
    /// The target contains this, e.g. `contact:42`.
    #[schemars(length(max = SEARCH_TEXT))]
    target: Option<String>,
    /// `success`, `failure` or `denied`.
    #[schemars(extend("enum" = OUTCOMES))]
    outcome: Option<String>,
    /// Only events at or after this Unix time.
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    from: Option<i64>,
    /// Only events before this Unix time (after `from`).
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    to: Option<i64>,
    /// Only events before this position (the `next_before` of the previous page).
    #[schemars(range(min = 1))]
    before: Option<i64>,
    /// At most this many events, 1 to 500. Without it a page holds 100 and
    /// a `format=csv` file up to 10000.
    #[schemars(range(min = 1, max = MAX_PAGE))]
    limit: Option<u32>,
    /// `json` (default) or `csv`: the matching events as a file, its export audited.
    format: Option<SearchFormat>,
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SearchFormat {
    Json,
    Csv,
}

/// The most events one page shows, and one CSV file holds unless asked for fewer.
const MAX_PAGE: u32 = 500;
const MAX_EXPORTED: u32 = 10_000;

const OUTCOMES: [&str; 3] = ["success", "failure", "denied"];

/// Longest text a search part may have.
const SEARCH_TEXT: usize = 200;

impl SearchQuery {
    fn checked(self) -> Result<(AuditSearch, u32), ApiError> {
        let mut problems = Vec::new();
        let mut text = |field: &'static str, value: Option<String>| {
            if value.as_ref().is_some_and(|v| v.chars().count() > SEARCH_TEXT) {
                problems.push(FieldError::new(field, format!("must be at most {SEARCH_TEXT} characters")));
            }
            value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
        };
        let (action, actor, target) = (text("action", self.action), text("actor", self.actor), text("target", self.target));
        let not_action = text("not_action", self.not_action);
        // Exactly one of the three, as the API document's enum says.
        if self.outcome.as_deref().is_some_and(|o| !OUTCOMES.contains(&o)) {
            problems.push(FieldError::new("outcome", "must be success, failure or denied"));
        }
        let outcome = self.outcome;
        if self.before.is_some_and(|b| b < 1) {
            problems.push(FieldError::new("before", "must be a position, 1 or more"));
        }
        // Times are checked as every period's are (`invalid_period`), before
        // the rest; a `to` at or before `from` finds nothing.
        self.from.map(|at| checked_time(at, "from")).transpose()?;
        self.to.map(|at| checked_time(at, "to")).transpose()?;
        let default = if self.format == Some(SearchFormat::Csv) { MAX_EXPORTED } else { 100 };
        if self.limit.is_some_and(|limit| !(1..=MAX_PAGE).contains(&limit)) {
            problems.push(FieldError::new("limit", format!("must be 1 to {MAX_PAGE}")));
        }
        let limit = self.limit.unwrap_or(default);
        if !problems.is_empty() {
            return Err(ApiError::with_fields(ErrorCode::InvalidSearch, problems));
        }
        let search = AuditSearch { action, not_action, actor, target, outcome, from: self.from, to: self.to, before: self.before };
        Ok((search, limit))
    }
}

/// A page of matching events, newest first.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SearchResults {
    events: Vec<StoredEvent>,
    /// Give as `before` for the next page; null after the last one.
    next_before: Option<i64>,
    /// The name of each account among the events' actors and targets, by
    /// how the events write it (`user:7`).
    names: BTreeMap<String, String>,
}

/// The columns of an exported search.
const EXPORT_COLUMNS: [&str; 10] = ["seq", "at", "time_utc", "actor", "actor_name", "action", "target", "outcome", "source", "details"];

/// The newest events that match, newest first, a page at a time; the search
/// itself is recorded with what was asked.
pub(crate) async fn search(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Response, ApiError> {
    let tenant = authed.principal.tenant.id;
    let csv = query.format == Some(SearchFormat::Csv);
    let (search, limit) = query.checked()?;
    let events = state.store.search_audit(tenant, &search, limit).await?;
    let names: BTreeMap<String, String> = state
        .store
        .list_users(tenant)
        .await?
        .into_iter()
        .map(|u| (format!("user:{}", u.id), u.shown_name().to_owned()))
        .filter(|(id, _)| events.iter().any(|e| e.body.actor == *id || e.body.target == *id))
        .collect();
    let mut audit =
        authed.caller.audit(&state, if csv { AuditAction::AuditExport } else { AuditAction::AuditSearch }, format!("tenant:{tenant}"));
    let asked = [("action", &search.action), ("not_action", &search.not_action), ("actor", &search.actor), ("target", &search.target)];
    for (name, value) in asked.into_iter().chain([("outcome", &search.outcome)]) {
        if let Some(value) = value {
            audit = audit.detail(name, value.clone());
        }
    }
    for (name, value) in [("from", search.from), ("to", search.to)] {
        if let Some(value) = value {
            audit = audit.detail(name, value.to_string());
        }
    }
    if csv {
        audit = audit.detail("events", events.len().to_string());
    }
    state.appender.append(audit).await?;
    if csv {
        return Ok(exported(&events, &names, &search));
    }
    let full = usize::try_from(limit).is_ok_and(|l| events.len() == l);
    let next_before = events.last().filter(|_| full).map(|e| e.body.seq);
    Ok(Json(SearchResults { events, next_before, names }).into_response())
}

/// The events as a CSV file named by the period searched.
fn exported(events: &[StoredEvent], names: &BTreeMap<String, String>, search: &AuditSearch) -> Response {
    let mut csv = CsvWriter::with_header(&EXPORT_COLUMNS);
    for event in events {
        let e = &event.body;
        let time = jiff::Timestamp::from_second(e.at).map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default();
        csv.integer(e.seq).integer(e.at).text(&time).text(&e.actor).text(names.get(&e.actor).map_or("", String::as_str));
        csv.text(&e.action).text(&e.target).text(&e.outcome).text(&e.source).text(&e.details).end_row();
    }
    let day = |at: i64| jiff::Timestamp::from_second(at).map(|t| t.strftime("%Y-%m-%d").to_string()).ok();
    let period = match (search.from, search.to) {
        (Some(from), Some(to)) => format!("-{}", Period { from, to }.days_label()),
        (Some(from), None) => day(from).map_or_else(String::new, |from| format!("-from-{from}")),
        (None, Some(to)) => day(to - 1).map_or_else(String::new, |to| format!("-until-{to}")),
        (None, None) => String::new(),
    };
    let disposition = format!("attachment; filename=\"audit-log{period}.csv\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], csv.finish())
        .into_response()
}

/// Whether the tenant's audit chain is whole, with the public key its
/// checkpoints and evidence bundles are signed with (hex).
#[derive(Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub(crate) enum ChainVerdict {
    Intact {
        #[schemars(extend("const" = true))]
        intact: bool,
        events: i64,
        checkpoints: usize,
        signing_key: String,
    },
    Broken {
        #[schemars(extend("const" = false))]
        intact: bool,
        first_broken_event: i64,
        reason: String,
        signing_key: String,
    },
}

pub(crate) async fn verify(State(state): State<AppState>, authed: Authed) -> Result<Json<ChainVerdict>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let public_key = state.keys.checkpoint_signer.public_key();
    let verdict = verify_tenant(&state.store, &state.keys.chain, &public_key, tenant).await?;
    // The key evidence bundles and checkpoints verify with, for auditors to keep.
    let signing_key = trustline_crypto::hex(&public_key);
    let body = match verdict {
        Ok(chain) => ChainVerdict::Intact { intact: true, events: chain.events, checkpoints: chain.checkpoints, signing_key },
        Err(broken) => ChainVerdict::Broken { intact: false, first_broken_event: broken.seq, reason: broken.kind.to_string(), signing_key },
    };
    Ok(Json(body))
}
