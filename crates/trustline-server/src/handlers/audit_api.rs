use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::verify_tenant;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use trustline_audit::StoredEvent;
use trustline_domain::contact::FieldError;
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
        .append(authed.caller.audit(&state, "audit.read", format!("tenant:{tenant}")).detail("after", page.after.to_string()))
        .await?;
    Ok(Json(events))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchQuery {
    /// The action starts with this, e.g. `contact.`.
    #[schemars(length(max = SEARCH_TEXT))]
    action: Option<String>,
    /// The actor contains this, e.g. `user:3`.
    #[schemars(length(max = SEARCH_TEXT))]
    actor: Option<String>,
    /// The target contains this, e.g. `contact:42`.
    #[schemars(length(max = SEARCH_TEXT))]
    target: Option<String>,
    /// `success`, `failure` or `denied`.
    #[schemars(extend("enum" = OUTCOMES))]
    outcome: Option<String>,
    /// Only events before this position (the `next_before` of the previous page).
    #[schemars(range(min = 1))]
    before: Option<i64>,
    /// At most this many events, 1 to 500 (default 100).
    #[schemars(range(min = 1, max = 500))]
    limit: Option<u32>,
}

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
        // Exactly one of the three, as the API document's enum says.
        if self.outcome.as_deref().is_some_and(|o| !OUTCOMES.contains(&o)) {
            problems.push(FieldError::new("outcome", "must be success, failure or denied"));
        }
        let outcome = self.outcome;
        if self.before.is_some_and(|b| b < 1) {
            problems.push(FieldError::new("before", "must be a position, 1 or more"));
        }
        let limit = self.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            problems.push(FieldError::new("limit", "must be 1 to 500"));
        }
        if !problems.is_empty() {
            return Err(ApiError::invalid_fields("invalid_search", problems));
        }
        Ok((AuditSearch { action, actor, target, outcome, before: self.before }, limit))
    }
}

/// A page of matching events, newest first.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct SearchResults {
    events: Vec<StoredEvent>,
    /// Give as `before` for the next page; null after the last one.
    next_before: Option<i64>,
}

/// The newest events that match, newest first, a page at a time; the search
/// itself is recorded with what was asked.
pub(crate) async fn search(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let tenant = authed.principal.tenant.id;
    let (search, limit) = query.checked()?;
    let events = state.store.search_audit(tenant, &search, limit).await?;
    let mut audit = authed.caller.audit(&state, "audit.search", format!("tenant:{tenant}"));
    for (name, value) in [("action", &search.action), ("actor", &search.actor), ("target", &search.target), ("outcome", &search.outcome)] {
        if let Some(value) = value {
            audit = audit.detail(name, value.clone());
        }
    }
    state.appender.append(audit).await?;
    let full = usize::try_from(limit).is_ok_and(|l| events.len() == l);
    let next_before = events.last().filter(|_| full).map(|e| e.body.seq);
    Ok(Json(SearchResults { events, next_before }))
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
