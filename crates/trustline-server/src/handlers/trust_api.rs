//! The trust center's API: every security control with its live status and
//! evidence (`/api/trust`), the reports to download, the questionnaire, the
//! evidence bundle and manual evidence. Each look is audited.

use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;
use trustline_app::evidence_period_lasting;
use trustline_app::{MAX_EVIDENCE_PERIOD_SECONDS, evidence_bundle};
use trustline_domain::AuditAction;
use trustline_domain::bounded_text;
use trustline_store::ControlEvidence;
use trustline_trust::{Answer, Assessment, CATALOGUE, assess};

pub(crate) async fn assessment(state: &AppState, authed: &Authed) -> Result<Assessment, ApiError> {
    let facts = trustline_app::gather_trust_facts(
        &state.store,
        &state.keys,
        &state.vault,
        &state.config.policies(),
        &authed.principal.tenant,
        state.clock.now(),
    )
    .await?;
    let assessment = assess(&facts);
    trustline_app::keep_control_history(state.store.as_ref(), authed.principal.tenant.id, &assessment).await?;
    let audit = authed
        .caller
        .audit(state, AuditAction::TrustRead, format!("tenant:{}", authed.principal.tenant.id))
        .detail("failed", assessment.failed.to_string());
    state.appender.append(audit).await?;
    Ok(assessment)
}

pub(crate) async fn report(State(state): State<AppState>, authed: Authed) -> Result<Json<Assessment>, ApiError> {
    Ok(Json(assessment(&state, &authed).await?))
}

/// Answers to a CAIQ-style questionnaire, each from the controls behind it.
pub(crate) async fn questionnaire(State(state): State<AppState>, authed: Authed) -> Result<Json<Vec<Answer>>, ApiError> {
    Ok(Json(trustline_trust::questionnaire(&assessment(&state, &authed).await?)))
}

#[derive(Clone, Copy, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReportFormat {
    Json,
    /// A standalone page with its styles inline.
    Html,
    /// NIST OSCAL assessment results.
    Oscal,
    Questionnaire,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    format: ReportFormat,
}

/// The controls report as a file to keep, in the chosen format.
pub(crate) async fn download(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let assessment = assessment(&state, &authed).await?;
    let json = |value: serde_json::Value| format!("{value:#}\n");
    let (body, kind, name) = match query.format {
        ReportFormat::Json => (json(serde_json::to_value(&assessment).unwrap_or_default()), "application/json", "controls.json"),
        ReportFormat::Html => (trustline_trust::html(&assessment), "text/html; charset=utf-8", "controls.html"),
        ReportFormat::Oscal => (json(trustline_trust::oscal(&assessment)), "application/json", "oscal-assessment-results.json"),
        ReportFormat::Questionnaire => (
            json(serde_json::to_value(trustline_trust::questionnaire(&assessment)).unwrap_or_default()),
            "application/json",
            "questionnaire.json",
        ),
    };
    let disposition = format!("attachment; filename=\"trustline-{}-{name}\"", authed.principal.tenant.slug);
    Ok(([(header::CONTENT_TYPE, kind.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidencePeriod {
    /// Unix time the period starts at (inclusive).
    #[schemars(range(min = trustline_domain::EARLIEST_TIME, max = trustline_domain::LATEST_TIME))]
    from: i64,
    /// How long the period lasts, at most 366 days (31622400 seconds).
    #[schemars(range(min = 1, max = MAX_EVIDENCE_PERIOD_SECONDS))]
    seconds: i64,
}

/// The evidence bundle of a period, audited as an export of the audit log.
pub(crate) async fn evidence(
    State(state): State<AppState>,
    authed: Authed,
    ApiQuery(input): ApiQuery<EvidencePeriod>,
) -> Result<Response, ApiError> {
    let period = evidence_period_lasting(input.from, input.seconds)?;
    let tenant = &authed.principal.tenant;
    let audit = authed
        .caller
        .audit(&state, AuditAction::TrustEvidenceExport, format!("tenant:{}", tenant.id))
        .detail("from", period.from.to_string())
        .detail("to", period.to.to_string());
    state.appender.append(audit).await?;
    let assessment = assessment(&state, &authed).await?;
    let bundle = evidence_bundle(state.store.as_ref(), &state.keys, tenant.id, &assessment, period, state.clock.now()).await?;
    let days = trustline_domain::Period { from: period.from, to: period.to }.days_label();
    let name = format!("attachment; filename=\"trustline-evidence-{}-{days}.zip\"", tenant.slug);
    Ok(([(header::CONTENT_TYPE, "application/zip".to_owned()), (header::CONTENT_DISPOSITION, name)], bundle).into_response())
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceInput {
    /// What the evidence shows, e.g. "continuity plan exercised on 2026-10-02".
    #[schemars(length(min = 1, max = 500), pattern(trustline_domain::NOT_BLANK))]
    summary: String,
    /// Where it is kept: a document number or link.
    #[schemars(length(min = 1, max = 500), pattern(trustline_domain::NOT_BLANK))]
    reference: String,
}

/// The controls evidence may be attached to (those no automated check
/// decides), as the pattern of the path's control id.
pub(crate) static EVIDENCED_CONTROLS: LazyLock<String> = LazyLock::new(|| {
    let ids: Vec<&str> = CATALOGUE.iter().filter(|c| !c.check.is_automated()).map(|c| c.id).collect();
    format!("^({})$", ids.join("|"))
});

/// Attaches evidence to a control that no automated check decides.
pub(crate) async fn attach_evidence(
    State(state): State<AppState>,
    authed: Authed,
    ApiPath(control): ApiPath<String>,
    ApiJson(input): ApiJson<EvidenceInput>,
) -> Result<axum::http::StatusCode, ApiError> {
    let known = CATALOGUE.iter().find(|c| c.id == control).ok_or_else(ApiError::not_found)?;
    if known.check.is_automated() {
        // The control exists; what decides it leaves no room for evidence.
        return Err(ApiError::new(
            ErrorCode::AutomatedControl,
            format!("{control} is decided by an automated check, not by attached evidence"),
        ));
    }
    let (Some(summary), Some(reference)) = (bounded_text(&input.summary, 1, 500), bounded_text(&input.reference, 1, 500)) else {
        return Err(ApiError::new(ErrorCode::InvalidEvidence, "summary and reference must each be 1 to 500 characters, not blank"));
    };
    let (summary, reference) = (summary.to_owned(), reference.to_owned());
    let now = state.clock.now();
    let audit =
        authed.caller.audit(&state, AuditAction::TrustEvidence, format!("control:{control}")).detail("reference", reference.clone());
    let evidence = ControlEvidence { control_id: control, summary, reference, attached_by: authed.principal.user.id, attached_at: now };
    state.store.attach_evidence(authed.principal.tenant.id, evidence, audit).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

crate::schema_only::schema_only!(
    /// How the API document describes the report file when it is JSON: the
    /// assessment, the questionnaire's answers, or OSCAL assessment results.
    ReportFile,
    |generator| {
        let (assessment, answers) = (generator.subschema_for::<Assessment>(), generator.subschema_for::<Vec<Answer>>());
        let oscal = schemars::json_schema!({
            "type": "object",
            "description": "NIST OSCAL assessment results (https://pages.nist.gov/OSCAL/).",
            "required": ["assessment-results"],
        });
        schemars::json_schema!({ "anyOf": [assessment, answers, oscal] })
    }
);
