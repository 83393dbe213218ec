//! The trust center: every security control with its live status and
//! evidence, as JSON (`/api/trust`) or a page (`/trust`). Each look is
//! audited.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use trustline_trust::{Assessment, REPORT_CSS, Styles, assess};

async fn assessment(state: &AppState, authed: &Authed) -> Result<Assessment, ApiError> {
    let facts =
        crate::trust_facts::gather(&state.store, &state.keys, &state.vault, &state.config, &authed.principal.tenant, state.clock.now())
            .await?;
    let assessment = assess(&facts);
    let audit = authed
        .caller
        .audit(state, "trust.read", format!("tenant:{}", authed.principal.tenant.id))
        .detail("failed", assessment.failed.to_string());
    state.appender.append(audit).await?;
    Ok(assessment)
}

pub(crate) async fn report(State(state): State<AppState>, authed: Authed) -> Result<Json<Assessment>, ApiError> {
    Ok(Json(assessment(&state, &authed).await?))
}

pub(crate) async fn page(State(state): State<AppState>, authed: Authed) -> Result<Html<String>, ApiError> {
    Ok(Html(trustline_trust::html(&assessment(&state, &authed).await?, Styles::Linked("/static/trust.css"))))
}

pub(crate) async fn stylesheet() -> Response {
    let headers = [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")];
    (headers, REPORT_CSS).into_response()
}
